/**
 * One batch into one table, in one transaction: for a table of facts (trades, book rows), a COPY
 * straight into the table, and where a key is already stored — or for candles, always — COPY
 * FROM STDIN into a temporary staging table, then `INSERT … SELECT … ON CONFLICT` into the table.
 * The idempotency keys make a replayed batch (after a reconnect, or a replay of a recording)
 * write nothing twice, and the counts say so. Rows with the same key within one batch are reduced
 * to the one that would win (the first; for candles the highest version, the later on a tie)
 * before the COPY: PostgreSQL refuses to update a row twice in one statement, and a direct COPY
 * would refuse the repeated key.
 */

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";
import type { Sql } from "./connect.js";
import { type CopyField, copyLine } from "./copy-text.js";
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
  const times = () => unique.map((u) => spec.timeOf(u.row));
  await ensurePartitionsCached(sql, spec.table, times());
  try {
    return await insertBatch(sql, spec, rows.length, unique);
  } catch (err) {
    // …unless one was dropped since (retention, by hand): forget the cache and try once more.
    if ((err as { code?: unknown }).code !== NO_PARTITION) throw err;
    forgetPartitions(sql);
    await ensurePartitionsCached(sql, spec.table, times());
    return insertBatch(sql, spec, rows.length, unique);
  }
}

/** A row and its COPY fields, formatted once: keys and lines are both read from the fields. */
interface Formatted<R> {
  row: R;
  fields: CopyField[];
}

/** SQLSTATE check_violation: PostgreSQL's "no partition of relation … found for row". */
const NO_PARTITION = "23514";

async function insertBatch<R>(
  sql: Sql,
  spec: TableSpec<R>,
  count: number,
  unique: readonly Formatted<R>[],
): Promise<WriteCounts> {
  const direct = spec.onConflict === "DO NOTHING" ? directState(sql, spec, unique) : undefined;
  let results: { existing: number; written: number } | undefined;
  if (direct !== undefined && direct.skip === 0) {
    // Most batches of facts are all new keys: one COPY straight into the table, a transaction of
    // its own, which is what a bare COPY costs. A key already stored fails the whole COPY (it is
    // atomic): then the batch takes the staging path, which writes only the new keys.
    // On a connection of its own: the pool pipelines queries onto busy connections, and one
    // landing amid a COPY's data breaks the protocol ("synchronization was lost").
    const reserved = await sql.reserve();
    try {
      await copyInto(reserved, spec.table, spec, unique);
      results = { existing: 0, written: unique.length };
    } catch (err) {
      if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
      direct.skip = STAGED_AFTER_CONFLICT;
    } finally {
      reserved.release();
    }
  } else if (direct !== undefined) {
    direct.skip -= 1;
  }
  results ??= await sql.begin((tx) => staged(tx, spec, unique));
  const inserted = unique.length - results.existing;
  const replaced = results.written - inserted;
  return { rows: count, inserted, replaced, duplicates: count - results.written };
}

type Tx = postgres.TransactionSql;

/** SQLSTATE unique_violation: a COPY met a key already stored. */
const UNIQUE_VIOLATION = "23505";
/**
 * Batches of a stream that go through staging after a direct COPY met a stored key: a replayed
 * or re-recorded range conflicts batch after batch, and each failed COPY is wasted work.
 */
const STAGED_AFTER_CONFLICT = 8;

/** Per client, per table and stream (venue, market of the batch's first row). */
const directStates = new WeakMap<Sql, Map<string, { skip: number }>>();

function directState<R>(
  sql: Sql,
  spec: TableSpec<R>,
  unique: readonly Formatted<R>[],
): { skip: number } {
  let states = directStates.get(sql);
  if (states === undefined) {
    states = new Map();
    directStates.set(sql, states);
  }
  const first = unique[0]!.fields;
  const key = `${spec.table}\u0000${String(first[0])}\u0000${String(first[1])}`;
  let state = states.get(key);
  if (state === undefined) {
    state = { skip: 0 };
    states.set(key, state);
  }
  return state;
}

async function copyInto<R>(
  tx: postgres.ReservedSql | Tx,
  table: string,
  spec: TableSpec<R>,
  rows: readonly Formatted<R>[],
): Promise<void> {
  const copy = await tx.unsafe(`COPY ${table} (${spec.columns.join(", ")}) FROM STDIN`).writable();
  await pipeline(Readable.from(copyChunks(rows)), copy);
}

/**
 * COPY into a temporary staging table, then INSERT … ON CONFLICT into the table: only new keys
 * (or, for candles, winning versions) are written, and the counts say how many.
 */
async function staged<R>(
  tx: Tx,
  spec: TableSpec<R>,
  unique: readonly Formatted<R>[],
): Promise<{ existing: number; written: number }> {
  const columns = spec.columns.join(", ");
  const staging = `staging_${spec.table}`;
  await tx.unsafe(
    `CREATE TEMP TABLE ${staging} (LIKE ${spec.table} INCLUDING DEFAULTS) ON COMMIT DROP`,
  );
  await copyInto(tx, staging, spec, unique);
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
}

/** COPY text in chunks of many lines: one CopyData message per line costs several times more. */
function* copyChunks<R>(rows: readonly Formatted<R>[]): Generator<string> {
  const LINES = 512;
  for (let i = 0; i < rows.length; i += LINES) {
    let chunk = "";
    const end = Math.min(rows.length, i + LINES);
    for (let j = i; j < end; j++) chunk += copyLine(rows[j]!.fields);
    yield chunk;
  }
}

/** One row per key: for candles the highest version (the later on a tie), otherwise the first. */
function lastPerKey<R>(spec: TableSpec<R>, rows: readonly R[]): Formatted<R>[] {
  const positions = spec.key.map((k) => spec.columns.indexOf(k));
  const versionAt = spec.columns.indexOf("version");
  const formatted: Formatted<R>[] = new Array(rows.length);
  const byKey = new Map<string, { at: number; version: number }>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const fields = spec.fields(row);
    formatted[i] = { row, fields };
    let key = String(fields[positions[0]!]);
    for (let p = 1; p < positions.length; p++) key += `\u0000${String(fields[positions[p]!])}`;
    const version = versionAt >= 0 ? Number(fields[versionAt]) : 0;
    const held = byKey.get(key);
    if (held !== undefined && (versionAt < 0 || held.version > version)) continue;
    byKey.set(key, { at: i, version });
  }
  if (byKey.size === rows.length) return formatted;
  return [...byKey.values()].map((e) => formatted[e.at]!);
}
