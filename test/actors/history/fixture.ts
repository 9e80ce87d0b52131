/** A small recorded market written through the PostgreSQL store's write path, for history tests. */
import type { PostgresStore } from "../../../src/store/postgres/store.js";
import {
  BOOK_DIFFS,
  BOOK_SNAPSHOTS,
  type BookRow,
  CANDLES,
  type CandleRow,
  TRADES,
  type TradeRow,
} from "../../../src/store/postgres/tables.js";

export const S = 1_000;
export const MINUTE = 60 * S;
export const T0 = Date.UTC(2024, 2, 1);
export const VENUE = "binance";
export const MARKET = "BTC/USDT";

const level = (price: string, amount: string) => [price, amount] as [string, string];

export const CANDLE_ROWS: CandleRow[] = Array.from({ length: 30 }, (_, i) => ({
  venue: VENUE,
  market: MARKET,
  timeframe: "1m",
  openTime: T0 + i * MINUTE,
  open: 100 + i,
  high: 101 + i,
  low: 99 + i,
  close: 100.5 + i,
  volume: 2 + i,
}));

/** Trade i at T0 + i s (and a second trade in the same second for even i). */
export const TRADE_ROWS: TradeRow[] = Array.from({ length: 20 }, (_, i) => ({
  venue: VENUE,
  market: MARKET,
  tradeId: String(1000 + i),
  time: T0 + Math.floor(i / 2) * S,
  price: `${100 + i}.25`,
  amount: "0.01",
  side: i % 2 === 0 ? "buy" : "sell",
}));

export const SNAPSHOT_ROWS: BookRow[] = [
  {
    venue: VENUE,
    market: MARKET,
    sequence: 10,
    time: T0,
    bids: [level("100", "1"), level("99", "2")],
    asks: [level("101", "1"), level("102", "2")],
  },
];

/** Diff i (i = 11…20) at T0 + (i - 10) s: the best ask's amount goes to i/10 … */
export const DIFF_ROWS: BookRow[] = Array.from({ length: 10 }, (_, k) => {
  const sequence = 11 + k;
  return {
    venue: VENUE,
    market: MARKET,
    sequence,
    time: T0 + (k + 1) * S,
    bids: [],
    asks: [level("101", `${sequence / 10}`)],
  };
});

export async function writeMarket(store: PostgresStore): Promise<void> {
  await store.write(CANDLES, CANDLE_ROWS);
  await store.write(TRADES, TRADE_ROWS);
  await store.write(BOOK_SNAPSHOTS, SNAPSHOT_ROWS);
  await store.write(BOOK_DIFFS, DIFF_ROWS);
}
