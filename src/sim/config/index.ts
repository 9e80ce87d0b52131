/** The simulator's venue configuration: the public names, listed by hand. */

export type { ConfigIssue } from "../../config/issues.js";
export { ConfigError } from "../../config/issues.js";
export type { ParseVenueOptions } from "./load.js";
export { DEFAULT_VENUE_FILE, loadVenueConfig, parseVenueConfig, shippedVenues } from "./load.js";
export {
  DEFAULTS,
  FEE_RATE_DECIMALS,
  FILL_RULES,
  PARTS_PER_BILLION,
  SELF_TRADE_PREVENTION,
} from "./schema.js";
export type {
  AssetAmount,
  AssetConfig,
  CandlesDataConfig,
  FaultsConfig,
  FaultWindow,
  FeeSchedule,
  FillRule,
  GbmDataConfig,
  GbmJumps,
  GbmRegimes,
  GbmVolume,
  Holdings,
  LatencyConfig,
  LiquidityConfig,
  MarketConfig,
  MarketDataConfig,
  RateLimitConfig,
  SelfTradePrevention,
  TradesDataConfig,
  VenueConfig,
  VenueLiquidityConfig,
} from "./types.js";
