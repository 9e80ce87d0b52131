/**
 * Native layout: each time-series table is partitioned by month; a batch first makes sure the
 * partitions of the months it touches exist (schema.ts `crypy_ensure_partition`). Months already
 * seen by this process are remembered per client, so a steady stream asks the server only once a
 * month. Under TimescaleDB, chunks are created by the extension and this is not called.
 */

import type { Sql } from "./connect.js";
import type { TimeTable } from "./schema.js";

const known = new WeakMap<Sql, Set<string>>();

function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The partitions (names) covering `times` (epoch ms), created where missing. */
export async function ensurePartitions(
  sql: Sql,
  table: TimeTable,
  times: Iterable<number>,
): Promise<string[]> {
  const months = [...new Set([...times].map(monthStart))].sort((a, b) => a - b);
  let seen = known.get(sql);
  if (seen === undefined) {
    seen = new Set();
    known.set(sql, seen);
  }
  const names: string[] = [];
  for (const month of months) {
    const at = new Date(month);
    const rows = await sql<{ name: string }[]>`
      SELECT crypy_ensure_partition(${table}, ${at}) AS name`;
    names.push(rows[0]!.name);
    seen.add(`${table}:${month}`);
  }
  return names;
}

/** Like ensurePartitions, but skips months this client already ensured. */
export async function ensurePartitionsCached(
  sql: Sql,
  table: TimeTable,
  times: Iterable<number>,
): Promise<void> {
  const seen = known.get(sql);
  const missing = [...times].filter((t) => seen?.has(`${table}:${monthStart(t)}`) !== true);
  if (missing.length > 0) await ensurePartitions(sql, table, missing);
}

/** Forgets the months this client ensured (after a partition was dropped behind its back). */
export function forgetPartitions(sql: Sql): void {
  known.delete(sql);
}
