/** The exchange simulator's public names (its internals — book, ledger, exchange — stay inside). */
export { buildSimulator, DEFAULT_SYNTHETIC_MS, firstEventTime, loadFeeds } from "./build.js";
export {
  ConfigError,
  DEFAULT_VENUE_FILE,
  loadVenueConfig,
  parseVenueConfig,
  type VenueConfig,
} from "./config/index.js";
export {
  CandleSeries,
  generateCandles,
  loadCandles,
  loadTrades,
  PATH_POINTS,
  parseCandlesCsv,
  parseTradesCsv,
  pathOffsetMs,
  pathPrice,
  TradeSeries,
  tradesToCandles,
} from "./data/index.js";
export { RealtimeDriver, type RunOptions, runVirtual } from "./driver.js";
export { CandleFeed, type MarketFeed, TradeFeed } from "./feed.js";
export { FEE_ACCOUNT, MARKET_MAKER_ACCOUNT } from "./ledger.js";
export { Random } from "./random.js";
export { type SimEvent, type SimListener, Simulator, type TickListener } from "./simulator.js";
