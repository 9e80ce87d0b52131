/**
 * One batch into one table: COPY FROM STDIN into a temporary staging table, then
 * `INSERT … SELECT … ON CONFLICT` into the table, in one transaction. The idempotency keys make a
 * replayed batch (after a reconnect, or a replay of a recording) write nothing twice, and the
 * counts say so. Rows with the same key within one batch are reduced to the one that would win
 * (the first; for candles the highest version, the later on a tie) before the COPY: PostgreSQL refuses to update a row
 * twice in one statement.
 */

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Sql } from "./connect.js";
import { copyLine } from "./copy-text.js";
import { ensurePartitionsCached, forgetPartitions } from "./partitions.js";
import type { Layout } from "./schema.js";
import type { TableSpec } from "./tables.js";

export interface WriteCounts {
  /** Rows handed to the write. */
  rows: number;
  /** New keys stored. */
  inserted: number;
  /** Stored rows replaced by a winning version (candles only). */
  replaced: number;
  /** Rows that changed nothing: already stored (a replay), stale, or repeated in the batch. */
  duplicates: number;
}

export async function writeBatch<R>(
  sql: Sql,
  layout: Layout,
  spec: TableSpec<R>,
  rows: readonly R[],
): Promise<WriteCounts> {
  if (rows.length === 0) return { rows: 0, inserted: 0, replaced: 0, duplicates: 0 };
  const unique = lastPerKey(spec, rows);
  if (layout !== "native") return insertBatch(sql, spec, rows.length, unique);
  // Outside the batch's transaction: a partition is committed even if the batch rolls back, so
  // the per-client cache of months never names a partition that does not exist…
  await ensurePartitionsCached(sql, spec.table, unique.map(spec.timeOf));
  try {
    return await insertBatch(sql, spec, rows.length, unique);
  } catch (err) {
    // …unless one was dropped since (retention, by hand): forget the cache and try once more.
    if ((err as { code?: unknown }).code !== NO_PARTITION) throw err;
    forgetPartitions(sql);
    await ensurePartitionsCached(sql, spec.table, unique.map(spec.timeOf));
    return insertBatch(sql, spec, rows.length, unique);
  }
}

/** SQLSTATE check_violation: PostgreSQL's "no partition of relation … found for row". */
const NO_PARTITION = "23514";

async function insertBatch<R>(
  sql: Sql,
  spec: TableSpec<R>,
  count: number,
  unique: readonly R[],
): Promise<WriteCounts> {
  const columns = spec.columns.join(", ");
  const staging = `staging_${spec.table}`;
  const results = await sql.begin(async (tx) => {
    await tx.unsafe(
      `CREATE TEMP TABLE ${staging} (LIKE ${spec.table} INCLUDING DEFAULTS) ON COMMIT DROP`,
    );
    const copy = await tx.unsafe(`COPY ${staging} (${columns}) FROM STDIN`).writable();
    await pipeline(Readable.from(copyChunks(spec, unique)), copy);
    const insert = () =>
      tx.unsafe(
        `INSERT INTO ${spec.table} (${columns}) SELECT ${columns} FROM ${staging} ` +
          `ON CONFLICT (${spec.key.join(", ")}) ${spec.onConflict}`,
      );
    // A table of facts writes only new keys: what it wrote is what it inserted. (Counting the
    // known keys first, as below, cost half of a trade batch's time.)
    if (spec.onConflict === "DO NOTHING") {
      const written = await insert();
      return { existing: unique.length - written.count, written: written.count };
    }
    // Partitioned tables hide xmax, so new keys are counted before the insert: a key absent then
    // is inserted (a concurrent writer of the same keys may shift a row between the two counts).
    const match = spec.key.map((k) => `t.${k} = s.${k}`).join(" AND ");
    const [existing] = await tx.unsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${staging} s WHERE EXISTS ` +
        `(SELECT 1 FROM ${spec.table} t WHERE ${match})`,
    );
    const written = await insert();
    return { existing: existing!.n, written: written.count };
  });
  const inserted = unique.length - results.existing;
  const replaced = results.written - inserted;
  return { rows: count, inserted, replaced, duplicates: count - results.written };
}

/** COPY text in chunks of many lines: one CopyData message per line costs several times more. */
function* copyChunks<R>(spec: TableSpec<R>, rows: readonly R[]): Generator<string> {
  const LINES = 512;
  for (let i = 0; i < rows.length; i += LINES) {
    let chunk = "";
    for (const row of rows.slice(i, i + LINES)) chunk += copyLine(spec.fields(row));
    yield chunk;
  }
}

/** One row per key: for candles the highest version (the later on a tie), otherwise the first. */
function lastPerKey<R>(spec: TableSpec<R>, rows: readonly R[]): R[] {
  const positions = spec.key.map((k) => spec.columns.indexOf(k));
  const versionAt = spec.columns.indexOf("version");
  const byKey = new Map<string, { row: R; version: number }>();
  for (const row of rows) {
    const fields = spec.fields(row);
    const key = positions.map((p) => String(fields[p])).join("\u0000");
    const version = versionAt >= 0 ? Number(fields[versionAt]) : 0;
    const held = byKey.get(key);
    if (held !== undefined && (versionAt < 0 || held.version > version)) continue;
    byKey.set(key, { row, version });
  }
  return byKey.size === rows.length ? [...rows] : [...byKey.values()].map((e) => e.row);
}
