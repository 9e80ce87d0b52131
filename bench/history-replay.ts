/**
 * bench history-replay — events per second replayed from PostgreSQL onto the bus by `crypy
 * replay --store postgres://… --kinds trades,book`, against the bare SELECT of the same rows, in
 * the same run on the same database.
 *
 * Payload: one market of 100,000 trades (one per millisecond, so each is one message) and a book
 * of one snapshot (20 levels a side) and 100,000 diffs (two levels each), written through the
 * store's write path into a database of its own (test/harness/postgres.ts: $CRYPY_TEST_PG).
 *
 * Ours: replayStreams at speed max over tradeMessages and bookMessages (paged reads, the book
 * rebuilt at --from, every diff checked against the gaps, the merge by time, one publish per event
 * with its seq) onto an embedded LocalBus with one subscriber counting what arrives. Peer: the two
 * SELECTs of the same columns and rows, ordered the same way, each row touched once. Each timed
 * round checks the count of events delivered. Rounds alternate ours/peer after a warm-up; medians
 * are reported. No goal is held: the figure is for the record (issue 15's benchmark).
 */
import { LocalBus } from "../src/bus/local/local-bus.js";
import { migrate } from "../src/store/postgres/migrate.js";
import { storeOn } from "../src/store/postgres/store.js";
import {
  BOOK_DIFFS,
  BOOK_SNAPSHOTS,
  type BookRow,
  TRADES,
  type TradeRow,
} from "../src/store/postgres/tables.js";
import { bookMessages, tradeMessages } from "../src/store/replay-sources.js";
import { replayStreams } from "../src/store/replay-streams.js";
import { createTestDatabase } from "../test/harness/postgres.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const TRADES_N = 100_000;
const DIFFS_N = 100_000;
const T0 = Date.UTC(2024, 0, 1);
const WARMUP = 1;
const ROUNDS = 3;
const venue = "binance";
const market = "BTC/USDT";

function payload(): { trades: TradeRow[]; snapshot: BookRow; diffs: BookRow[] } {
  const trades: TradeRow[] = Array.from({ length: TRADES_N }, (_, i) => ({
    venue,
    market,
    tradeId: String(1_000_000 + i),
    time: T0 + i,
    price: (42_000 + (i % 500) / 100).toFixed(2),
    amount: "0.0125",
    side: i % 2 === 0 ? "buy" : "sell",
  }));
  const side = (base: number, step: number): [string, string][] =>
    Array.from({ length: 20 }, (_, k) => [(base + k * step).toFixed(2), "1.5"]);
  const snapshot: BookRow = {
    venue,
    market,
    sequence: 1_000,
    time: T0,
    bids: side(41_999, -0.01),
    asks: side(42_001, 0.01),
  };
  const diffs: BookRow[] = Array.from({ length: DIFFS_N }, (_, i) => ({
    venue,
    market,
    sequence: 1_001 + i,
    time: T0 + i,
    bids: [[(41_999 - (i % 20) / 100).toFixed(2), String((i % 7) + 1)]],
    asks: [[(42_001 + (i % 20) / 100).toFixed(2), i % 5 === 0 ? "0" : "2"]],
  }));
  return { trades, snapshot, diffs };
}

export async function run(): Promise<boolean> {
  const db = await createTestDatabase();
  try {
    const store = storeOn(db.sql, (await migrate(db.sql)).layout);
    const { trades, snapshot, diffs } = payload();
    await store.write(TRADES, trades);
    await store.write(BOOK_SNAPSHOTS, [snapshot]);
    await store.write(BOOK_DIFFS, diffs);
    await db.sql`ANALYZE`;
    // The diff at `from` is folded into the snapshot that opens the book: one event for the two.
    const events = TRADES_N + DIFFS_N;
    const rowsRead = TRADES_N + 1 + DIFFS_N;
    const from = T0;
    const to = T0 + TRADES_N;

    const ours = async (): Promise<number> => {
      const bus = new LocalBus();
      let seen = 0;
      bus.subscribe("crypy.md.>", () => {
        seen++;
      });
      const start = nowNs();
      const counts = await replayStreams(
        bus,
        [
          tradeMessages(db.sql, { venue, market, from, to }),
          bookMessages(db.sql, { venue, market, from, to }),
        ],
        { speed: "max" },
      );
      const seconds = elapsedSeconds(start);
      await bus.close();
      if (counts.sent !== events || seen !== events)
        throw new Error(`replayed ${counts.sent}, delivered ${seen}, expected ${events}`);
      return events / seconds;
    };
    const peer = async (): Promise<number> => {
      const start = nowNs();
      let rows = 0;
      const t = await db.sql`
        SELECT trade_id, (extract(epoch FROM time) * 1000)::float8 AS t, price::text, amount::text, side
        FROM trades WHERE venue = ${venue} AND market = ${market}
        ORDER BY time, length(trade_id), trade_id`;
      rows += t.length;
      const s = await db.sql`
        SELECT sequence::text, bids, asks FROM book_snapshots
        WHERE venue = ${venue} AND market = ${market} ORDER BY time DESC LIMIT 1`;
      rows += s.length;
      const d = await db.sql`
        SELECT sequence::text, (extract(epoch FROM time) * 1000)::float8 AS t, bids, asks
        FROM book_diffs WHERE venue = ${venue} AND market = ${market} ORDER BY sequence`;
      rows += d.length;
      const seconds = elapsedSeconds(start);
      if (rows !== rowsRead) throw new Error(`selected ${rows} rows, expected ${rowsRead}`);
      return rowsRead / seconds;
    };

    for (let i = 0; i < WARMUP; i++) {
      await ours();
      await peer();
    }
    const oursRates: number[] = [];
    const peerRates: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      oursRates.push(await ours());
      peerRates.push(await peer());
    }
    return report({
      bench: "history-replay",
      impl: "crypy replay --store postgres:// --kinds trades,book (LocalBus, speed max)",
      value: median(oursRates),
      unit: "events/s (peer: rows/s)",
      peer: "bare SELECT of the same rows (postgres.js)",
      peer_value: median(peerRates),
    });
  } finally {
    await db.drop();
  }
}
