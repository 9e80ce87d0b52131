/** What the record-sink tests share: a sink on a store with its events, trades, and readers. */
import type { PublicTrade } from "../../../src/domain/market-data.js";
import type { Sql } from "../../../src/store/postgres/connect.js";
import type { PostgresStore } from "../../../src/store/postgres/store.js";
import { PostgresRecordSink } from "../../../src/store/record-sink/postgres-sink.js";
import { VirtualClock } from "../../../src/time/virtual-clock.js";

export const T0 = Date.UTC(2024, 0, 1);

export function sinkOn(
  on: PostgresStore,
  options: Partial<{
    capacity: number;
    batchSize: number;
    leaseBlock: number;
    recorder: string;
  }> = {},
) {
  const events: Array<{ event: string } & Record<string, unknown>> = [];
  const sink = new PostgresRecordSink(on, {
    recorder: options.recorder ?? "rec",
    capacity: options.capacity ?? 1_000,
    batchSize: options.batchSize ?? 100,
    drop: "newest",
    flushMs: 1_000,
    leaseBlock: options.leaseBlock ?? 1_000,
    clock: new VirtualClock(T0),
  });
  return { sink, events, started: sink.start((event, f) => void events.push({ event, ...f })) };
}

export const trade = (i: number): PublicTrade => ({
  id: String(i),
  timestamp: T0 + i * 1_000,
  symbol: "BTC/USDT",
  side: i % 2 === 0 ? "buy" : "sell",
  price: `${100 + i}.5`,
  amount: "0.001",
});

export async function seqsIn(sql: Sql, table: string, venue: string): Promise<number[]> {
  const rows = await sql.unsafe<{ seq: string }[]>(
    `SELECT seq FROM ${table} WHERE venue = $1 ORDER BY seq`,
    [venue],
  );
  return rows.map((r) => Number(r.seq));
}

export async function gapsOf(sql: Sql, venue: string) {
  return sql<{ kind: string; from: number; to: number; reason: string }[]>`
    SELECT kind, from_sequence::int AS from, to_sequence::int AS to, reason FROM gaps
    WHERE venue = ${venue} ORDER BY from_sequence`;
}
