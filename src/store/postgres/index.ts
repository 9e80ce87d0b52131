/** The PostgreSQL market-data store's public names. */
export type { BatchQueue, DropPolicy, QueueStats } from "./batch-queue.js";
export { isPostgresUrl, type PostgresSelection, parsePostgresUrl } from "./connect.js";
export { migrate } from "./migrate.js";
export {
  type BookDiffEvent,
  type BookEvent,
  type BookGapEvent,
  type BookQuery,
  type BookSnapshotEvent,
  readBook,
} from "./read-book.js";
export {
  type CandleQuery,
  readCandles,
  refreshCandleViews,
  storedTimeframes,
} from "./read-candles.js";
export { readTrades, type StoredTrade, type TradeQuery } from "./read-trades.js";
export type { Layout } from "./schema.js";
export { type GapRow, openPostgresStore, type PostgresStore } from "./store.js";
export {
  BOOK_DIFFS,
  BOOK_SNAPSHOTS,
  type BookDiffRow,
  type BookRow,
  CANDLES,
  type CandleRow,
  TRADES,
  type TradeRow,
} from "./tables.js";
export type { WriteCounts } from "./write-batch.js";
