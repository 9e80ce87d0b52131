/**
 * `crypy data export --older-than 30d --to DIR [--store postgres://…] [--kinds …] [--prune]`:
 * recorded data older than the age, as Parquet files by venue, market, kind and day
 * (src/store/parquet); one line per file written and a summary.
 */

import { relative } from "node:path";
import { InvalidInputError } from "../domain/errors.js";
import { parseTimeframe } from "../domain/timeframe.js";
import { ARCHIVE_KINDS, type ArchiveKind } from "../store/parquet/layout.js";
import { isPostgresUrl } from "../store/postgres/url.js";
import { formatCount, formatTime } from "../store/time-text.js";

export interface DataExportOptions {
  olderThan: string;
  to: string;
  store?: string | undefined;
  kinds?: string[] | undefined;
  prune?: boolean | undefined;
  dataDir?: string | undefined;
  /** Epoch ms; default the wall clock's now. */
  now?: number | undefined;
}

export async function dataExport(
  options: DataExportOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  let olderThanMs: number;
  try {
    olderThanMs = parseTimeframe(options.olderThan);
  } catch {
    throw new InvalidInputError(
      `--older-than takes an age like 30d, 12h or 2w, got ${JSON.stringify(options.olderThan)}`,
    );
  }
  if (options.store !== undefined && !isPostgresUrl(options.store)) {
    throw new InvalidInputError(
      `--store takes a postgres:// URL (the local store is the default), got ${JSON.stringify(options.store)}`,
    );
  }
  const kinds = options.kinds?.map((k) => {
    if ((ARCHIVE_KINDS as readonly string[]).includes(k)) return k as ArchiveKind;
    throw new InvalidInputError(
      `--kinds: unknown kind ${JSON.stringify(k)}; expected ${ARCHIVE_KINDS.join(", ")}`,
    );
  });
  const { exportParquet } = await import("../store/parquet/export.js");
  const r = await exportParquet({
    to: options.to,
    olderThanMs,
    now: options.now ?? Date.now(),
    store: options.store,
    dataDir: options.dataDir,
    prune: options.prune,
    kinds: options.kinds === undefined ? undefined : kinds,
  });
  let rows = 0;
  let pruned = 0;
  for (const p of r.partitions) {
    rows += p.rows;
    pruned += p.pruned;
    const held = p.fileRows === p.rows ? "" : ` (the file holds ${formatCount(p.fileRows)})`;
    const gone = options.prune === true ? `, ${formatCount(p.pruned)} pruned` : "";
    out.write(`${relative(options.to, p.file)}: ${formatCount(p.rows)} rows${held}${gone}\n`);
  }
  const prunedText = options.prune === true ? `, ${formatCount(pruned)} pruned from the store` : "";
  out.write(
    `exported ${formatCount(rows)} rows older than ${formatTime(r.cutoff)} UTC from ${r.source} ` +
      `into ${formatCount(r.partitions.length)} Parquet file${r.partitions.length === 1 ? "" : "s"} ` +
      `under ${options.to}${prunedText}\n`,
  );
}
