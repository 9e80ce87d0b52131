/**
 * bench record — trade rows per second ingested into PostgreSQL through the Recorder's sink,
 * against a bare COPY of the same rows into a fresh table, in the same run on the same server.
 *
 * Payload: ROWS public trades over 4 markets, one trade per published message (as a venue's
 * stream hands them on), each with its seq.
 * Ours: PostgresRecordSink with crypy record's defaults (capacity 100,000 rows, batches of 5,000,
 * drop newest): streams opened (seq leases), each message `take`n as the Recorder does, the
 * producer yielding to I/O every thousand messages and holding while the queues are half full (a
 * live feed arrives over time; nothing may be dropped, and the run checks none was), then
 * `flush`. New keys are COPYed straight into the monthly-partitioned trades table with its keys
 * and seq index (a batch meeting a stored key would go through staging and ON CONFLICT).
 * Peers: one COPY (512 lines per message, as ours) of the same rows' fields into a fresh table of
 * the same columns with the trades table's key and seq index (the goal's peer: storing these rows
 * keyed), and into one with no key or index at all (the floor of getting these bytes in; no goal).
 * Each round uses a fresh venue name (new keys) and a fresh peer table; rounds alternate after a
 * warm-up; medians are reported. Needs a PostgreSQL where this user may CREATE DATABASE
 * ($CRYPY_BENCH_PG, default postgres://postgres@127.0.0.1:5432/postgres); the database is dropped
 * at the end. Then the other half of the issue's figure: events/s replayed from PostgreSQL onto
 * the bus (history-replay.ts, also `npm run bench -- history-replay` on its own).
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import type { PublicTrade } from "../src/domain/market-data.js";
import { copyLine } from "../src/store/postgres/copy-text.js";
import { openPostgresStore } from "../src/store/postgres/store.js";
import { TRADES } from "../src/store/postgres/tables.js";
import { PostgresRecordSink, SINK_DEFAULTS } from "../src/store/record-sink/postgres-sink.js";
import { WallClock } from "../src/time/wall-clock.js";
import { run as replayFigure } from "./history-replay.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const ROWS = 200_000;
const MARKETS = ["BTC/USDT", "ETH/USDT", "SOL/USDT", "BNB/USDT"];
const ROUNDS = 3;
const T0 = Date.UTC(2024, 0, 1);

function tradesOf(i: number): PublicTrade {
  return {
    id: String(1_000_000_000 + i),
    timestamp: T0 + i * 37,
    symbol: MARKETS[i % MARKETS.length]!,
    side: i % 3 === 0 ? "sell" : "buy",
    price: (42_000 + (i % 1000) / 100).toFixed(2),
    amount: (0.001 + (i % 50) / 1000).toFixed(5),
  };
}

const queued = (sink: PostgresRecordSink): number =>
  (sink.status().queues as { trades: { queued: number } }).trades.queued;

async function ours(url: string, venue: string, payload: PublicTrade[]): Promise<number> {
  const store = await openPostgresStore(url);
  const sink = new PostgresRecordSink(store, {
    recorder: "bench",
    ...SINK_DEFAULTS,
    clock: new WallClock(),
  });
  await sink.start((event, data) => {
    if (event === "recorder.store_error") process.stderr.write(`${JSON.stringify(data)}\n`);
  });
  const opened = new Map<string, NonNullable<Awaited<ReturnType<typeof sink.open>>>>();
  for (const market of MARKETS)
    opened.set(market, await sink.open({ source: venue, market, kind: "trades" }));
  const seqs = new Map(MARKETS.map((m) => [m, 0]));
  const started = nowNs();
  for (const trade of payload) {
    const market = trade.symbol;
    const seq = seqs.get(market)! + 1;
    seqs.set(market, seq);
    const wait = opened.get(market)!.reserve?.(seq);
    if (wait !== undefined) await wait;
    sink.take({ source: venue, market, kind: "trades" }, [trade], seq);
    // A live feed arrives over time: past half the capacity, let the writes catch up.
    if (seq % 1_000 === 0) {
      // Let the writes' I/O in, and hold while the streams hold half a queue's capacity.
      await new Promise((r) => setImmediate(r));
      while (queued(sink) >= SINK_DEFAULTS.capacity / 2) await new Promise((r) => setTimeout(r, 1));
    }
  }
  if (!(await sink.flush())) throw new Error("the sink failed a write");
  const seconds = elapsedSeconds(started);
  await sink.stop();
  const dropped = (sink.status().dropped as unknown[]).length;
  const [stored] = await store.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM trades WHERE venue = ${venue}`;
  await store.close();
  if (dropped !== 0 || stored!.n !== payload.length)
    throw new Error(`ours stored ${stored!.n} of ${payload.length} rows, dropped ${dropped}`);
  return payload.length / seconds;
}

/** One COPY of the rows into a fresh table: `keyed` with the trades table's key and seq index. */
async function bare(url: string, table: string, keyed: boolean, payload: PublicTrade[]) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE TABLE ${table} (venue text, market text, trade_id text,
    time timestamptz, price numeric, amount numeric, side text, seq bigint
    ${keyed ? ", PRIMARY KEY (venue, market, trade_id, time)" : ""})`);
  if (keyed) await sql.unsafe(`CREATE INDEX ${table}_seq ON ${table} (venue, market, seq)`);
  const lines = payload.map((t, i) =>
    copyLine(
      TRADES.fields({
        venue: "bare",
        market: t.symbol,
        tradeId: t.id,
        time: t.timestamp,
        price: t.price,
        amount: t.amount,
        side: t.side,
        seq: i + 1,
      }),
    ),
  );
  const chunks: string[] = [];
  for (let i = 0; i < lines.length; i += 512) chunks.push(lines.slice(i, i + 512).join(""));
  const started = nowNs();
  const copy = await sql.unsafe(`COPY ${table} FROM STDIN`).writable();
  await pipeline(Readable.from(chunks), copy);
  const seconds = elapsedSeconds(started);
  const [stored] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${sql(table)}`;
  await sql.end();
  if (stored!.n !== payload.length) throw new Error(`bare COPY stored ${stored!.n}`);
  return payload.length / seconds;
}

export async function run(): Promise<boolean> {
  const admin = process.env.CRYPY_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `crypy_bench_${randomBytes(6).toString("hex")}`;
  const server = postgres(admin, { max: 1, onnotice: () => {} });
  await server.unsafe(`CREATE DATABASE ${name}`);
  const parsed = new URL(admin);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  try {
    const payload = Array.from({ length: ROWS }, (_, i) => tradesOf(i));
    await ours(url, "warmup", payload.slice(0, 20_000));
    await bare(url, "bare_warmup", true, payload.slice(0, 20_000));
    const a: number[] = [];
    const keyed: number[] = [];
    const unkeyed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      a.push(await ours(url, `bench${round}`, payload));
      keyed.push(await bare(url, `keyed${round}`, true, payload));
      unkeyed.push(await bare(url, `unkeyed${round}`, false, payload));
    }
    const impl =
      "Recorder's PostgreSQL sink (BatchQueue, leased seqs, COPY of new keys, partitioned)";
    const vsKeyed = report({
      bench: "record",
      impl,
      value: median(a),
      unit: "rows/s",
      peer: "bare COPY into a fresh table with the same key and seq index",
      peer_value: median(keyed),
      goal: { atLeast: 0.8 },
    });
    report({
      bench: "record",
      impl,
      value: median(a),
      unit: "rows/s",
      peer: "bare COPY into a fresh table without key or index (the floor)",
      peer_value: median(unkeyed),
    });
    const replayed = await replayFigure();
    return vsKeyed && replayed;
  } finally {
    await server.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.end();
  }
}
