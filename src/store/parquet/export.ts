/**
 * `crypy data export`: recorded data older than an age written to Parquet (layout.ts), one file
 * per venue, market, kind and UTC day, each written and read back (write-partition.ts) before the
 * store's rows of that day may be pruned.
 *
 * Only whole days are exported: the cutoff is `now - olderThan` rounded down to midnight UTC, so a
 * day's file is never written from half a day that a prune would then leave behind.
 *
 * @example
 * await exportParquet({ to: "archive", olderThanMs: 30 * 86_400_000, now: Date.now(),
 *   store: "postgres://127.0.0.1/crypy", prune: true });
 */

import { InvalidInputError } from "../../domain/errors.js";
import { openDuck } from "./duckdb.js";
import type { ArchiveKind, Partition } from "./layout.js";
import { type ExportSource, localSource, marketTokenOf, postgresSource } from "./sources.js";
import { writePartition } from "./write-partition.js";

export interface ExportRequest {
  /** The archive's root directory. */
  to: string;
  olderThanMs: number;
  /** Epoch ms: the export's "now". */
  now: number;
  /** A postgres:// URL; the local store when absent. */
  store?: string | undefined;
  dataDir?: string | undefined;
  prune?: boolean | undefined;
  /** Default: every kind the store holds. */
  kinds?: readonly ArchiveKind[] | undefined;
}

export interface ExportedPartition extends Partition {
  market: string;
  file: string;
  rows: number;
  fileRows: number;
  pruned: number;
}

export interface ExportResult {
  source: string;
  /** Epoch ms: rows before this were exported. */
  cutoff: number;
  partitions: ExportedPartition[];
}

const DAY_MS = 86_400_000;

export async function exportParquet(request: ExportRequest): Promise<ExportResult> {
  if (!(request.olderThanMs >= 0)) {
    throw new InvalidInputError(`--older-than must not be negative, got ${request.olderThanMs} ms`);
  }
  const cutoff = Math.floor((request.now - request.olderThanMs) / DAY_MS) * DAY_MS;
  if (request.store === undefined) {
    if (request.prune === true) {
      throw new InvalidInputError(
        "--prune works on PostgreSQL (--store postgres://…): the local store cannot delete candles yet",
      );
    }
    return run(localSource(request.dataDir), request, cutoff);
  }
  const { connectPostgres } = await import("../postgres/connect.js");
  const { migrate } = await import("../postgres/migrate.js");
  const { fromPostgresError } = await import("../postgres/errors.js");
  const sql = connectPostgres(request.store);
  try {
    await migrate(sql).catch((err) => {
      throw fromPostgresError(err, request.store!);
    });
    return await run(postgresSource(sql), request, cutoff);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function run(
  source: ExportSource,
  request: ExportRequest,
  cutoff: number,
): Promise<ExportResult> {
  const kinds = request.kinds ?? source.kinds;
  for (const kind of kinds) {
    if (!source.kinds.includes(kind)) {
      throw new InvalidInputError(
        `${source.name} holds no ${kind} (it holds ${source.kinds.join(", ")})`,
      );
    }
  }
  const duck = await openDuck();
  const partitions: ExportedPartition[] = [];
  try {
    for (const kind of kinds) {
      for (const group of await source.groups(kind, cutoff)) {
        const partition: Partition = {
          venue: group.venue,
          token: marketTokenOf(group.venue, group.market),
          kind,
          day: group.day,
        };
        const written = await writePartition(
          duck,
          request.to,
          partition,
          source.batches(kind, group),
        );
        const pruned =
          request.prune === true && source.prune !== undefined
            ? await source.prune(kind, group, written.rows)
            : 0;
        partitions.push({ ...partition, market: group.market, ...written, pruned });
      }
    }
  } finally {
    duck.close();
  }
  return { source: source.name, cutoff, partitions };
}
