/**
 * A loaded venue: every value checked, defaults merged, deep-frozen. Each decimal string from the
 * file is kept as written, next to its exact derived form (ticks, lots, minor units, parts per
 * billion), so the simulator never parses text or touches a float for money.
 *
 * Exactness guarantees (checked at load, relied on by the matching engine):
 * - `tick × lot` is a whole number of quote minor units (`quoteUnitsPerTickLot`), and a lot a whole
 *   number of base minor units (`baseUnitsPerLot`): the cost of `q` lots at `p` ticks is exactly
 *   `p × q × quoteUnitsPerTickLot` quote minor units.
 * - `maxQtyLots` and `maxPriceTicks` are at most 2^53 − 1, so a price in ticks and a quantity in
 *   lots are exact as JS numbers (their product is not: compute costs in bigint).
 * - Balances, inventory, minNotional and levelNotional are whole minor units of their asset.
 */

import type { Increment } from "../../domain/fixed.js";
import type { MarketKind } from "../../domain/market.js";
import type { OrderType, TimeInForce } from "../../domain/order.js";
import type { DerivativeMarket } from "../derivatives/instrument.js";
import type { RecordedRate } from "./funding-rates.js";
import type { FillRule, SelfTradePrevention } from "./schema.js";

export type { FillRule, SelfTradePrevention } from "./schema.js";

export interface VenueConfig {
  /** Where the config came from, as shown in error messages. */
  readonly file: string;
  /** Venue name, the first part of desk names (`sim` in `sim-main`). */
  readonly name: string;
  /** Seeds every random stream of the run (src/sim/random.ts takes either form). */
  readonly seed: number | string;
  /** Simulated start of synthetic data, as written (ISO 8601), and as epoch ms. */
  readonly start: string;
  readonly startMs: number;
  readonly assets: Readonly<Record<string, AssetConfig>>;
  /** Venue-wide fee rates; each market's `fees` already has its overrides applied. */
  readonly fees: FeeSchedule;
  readonly orderTypes: readonly OrderType[];
  readonly timeInForce: readonly TimeInForce[];
  readonly selfTradePrevention: SelfTradePrevention;
  /**
   * Capabilities the venue file switches off (`capabilities:`), so tests show actors adapting.
   * Absent (a venue built elsewhere, e.g. from ccxt's markets): nothing switched off.
   */
  readonly capabilities?: CapabilitySwitches;
  /** Keyed by ccxt symbol, in file order. */
  readonly markets: Readonly<Record<string, MarketConfig>>;
  /** Initial balances, keyed by account name then asset. */
  readonly accounts: Readonly<Record<string, Holdings>>;
  /**
   * API keys of the venue server's signed endpoints, from each account's `apiKeys` (made up: the
   * simulated venue holds no real money). Absent or empty: no signed access.
   */
  readonly apiKeys?: readonly ApiKeyConfig[];
  readonly latency: LatencyConfig;
  readonly rateLimit: RateLimitConfig;
  readonly faults: FaultsConfig;
  readonly liquidity: VenueLiquidityConfig;
  readonly derivatives: DerivativesConfig;
}

/** The venue file's `capabilities:` block: each true unless switched off. */
export interface CapabilitySwitches {
  /** false: the venue takes no stop orders, whatever `orderTypes` lists. */
  readonly stopOrders: boolean;
  /** false: no short positions, even on perpetual and delivery markets. */
  readonly shorting: boolean;
  /** A cap on leverage; absent: each market's own. */
  readonly maxLeverage?: number;
}

/** One API key of one account: the key a client sends, the secret it signs with. */
export interface ApiKeyConfig {
  readonly account: string;
  readonly key: string;
  readonly secret: string;
}

export interface AssetConfig {
  /** Balances of this asset are integers of 10^-decimals ("minor units"). */
  readonly decimals: number;
}

/** An amount of one asset: as written, and in integer minor units of that asset. */
export interface AssetAmount {
  readonly value: string;
  readonly units: bigint;
}

/** Amounts keyed by asset code. */
export type Holdings = Readonly<Record<string, AssetAmount>>;

/**
 * Fee rates as written, and as integer parts per billion (rate "0.001" → 1_000_000n), so a fee is
 * `mulDiv(cost, takerPpb, PARTS_PER_BILLION, rounding)`.
 */
export interface FeeSchedule {
  readonly maker: string;
  readonly taker: string;
  readonly makerPpb: bigint;
  readonly takerPpb: bigint;
}

export interface MarketConfig {
  /** ccxt unified symbol, e.g. "BTC/USDT" or "BTC/USDT:USDT". */
  readonly symbol: string;
  readonly kind: MarketKind;
  /** Perpetual and delivery markets only. */
  readonly contract?: ContractConfig;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
  /** As written, or `tickSize × DEFAULTS.maxPriceTicks` when the file has none. */
  readonly maxPrice: string;
  readonly tick: Increment;
  readonly lot: Increment;
  readonly minQtyLots: bigint;
  readonly maxQtyLots: bigint;
  readonly maxPriceTicks: bigint;
  /** In quote minor units. */
  readonly minNotionalUnits: bigint;
  /** Base minor units in one lot. */
  readonly baseUnitsPerLot: bigint;
  /** Quote minor units in one lot at a price of one tick. */
  readonly quoteUnitsPerTickLot: bigint;
  /** The venue's rates with this market's overrides applied. */
  readonly fees: FeeSchedule;
  readonly data: MarketDataConfig;
  /** The venue's liquidity block with this market's overrides applied. */
  readonly liquidity: LiquidityConfig;
}

/**
 * A perpetual's or delivery future's own settings, checked: the contract as derivatives/ reads it
 * (ticks, lots, contract size, brackets with their maintenance amounts), its index market, its
 * funding rule (perpetuals) and the liquidation fee. Rates are fixed-point at RATE_SCALE.
 */
export interface ContractConfig {
  readonly spec: DerivativeMarket;
  readonly contractSize: string;
  /** The spot market of this venue whose price is the contract's index. */
  readonly index: string;
  /** true: the contract has no data of its own and trades on its index market's path. */
  readonly samePathAsIndex: boolean;
  /** Perpetuals only. */
  readonly funding?: FundingConfig;
  /** Of the liquidated notional, paid into the insurance fund (RATE_SCALE). */
  readonly liquidationFeeRate: bigint;
}

export interface FundingConfig {
  readonly intervalHours: number;
  /** Per 8 hours (RATE_SCALE). */
  readonly interestRate: bigint;
  /** The rate's bounds: floor = −cap (RATE_SCALE). */
  readonly cap: bigint;
  /**
   * Recorded rates (venue file `funding.rates`, funding-rates.ts), oldest first: a funding time
   * that has one settles at it instead of the computed rate.
   */
  readonly recorded?: readonly RecordedRate[];
}

/** Venue-wide derivatives settings. */
export interface DerivativesConfig {
  /** The insurance fund's starting balance per settle asset. */
  readonly insuranceFund: Holdings;
  /** Every account's leverage and margin mode on a contract until it sets its own. */
  readonly leverage: number;
  readonly marginMode: "cross" | "isolated";
}

export type MarketDataConfig =
  | GbmDataConfig
  | CandlesDataConfig
  | TradesDataConfig
  | RecordedDataConfig;

/** A seeded geometric Brownian motion path, optionally with jumps and volatility regimes. */
export interface GbmDataConfig {
  readonly source: "gbm";
  readonly startPrice: string;
  /** startPrice in ticks (it must lie on the tick grid). */
  readonly startPriceTicks: bigint;
  /** Annualised. */
  readonly volatility: number;
  /** Annualised. */
  readonly drift: number;
  readonly timeframe: string;
  readonly timeframeMs: number;
  readonly jumps?: GbmJumps;
  readonly regimes?: GbmRegimes;
  readonly volume?: GbmVolume;
}

export interface GbmJumps {
  /** Chance of a jump per candle. */
  readonly probability: number;
  readonly meanPct: number;
  readonly stdPct: number;
}

export interface GbmRegimes {
  readonly volMultipliers: readonly number[];
  /** Chance per candle of moving to another regime. */
  readonly switchProbability: number;
}

/** Traded volume per candle, in base units (analytics only, so plain numbers). */
export interface GbmVolume {
  readonly mean: number;
  readonly std: number;
}

/** Replay of recorded candles. `file` is as written; `path` is absolute and existed at load. */
export interface CandlesDataConfig {
  readonly source: "candles";
  readonly file: string;
  readonly path: string;
  /** Absent: detected from the file. */
  readonly timeframe?: string;
  readonly timeframeMs?: number;
}

/** Replay of recorded trades. `file` is as written; `path` is absolute and existed at load. */
export interface TradesDataConfig {
  readonly source: "trades";
  readonly file: string;
  readonly path: string;
}

/**
 * Replay of a market recorded into PostgreSQL (sim/recorded.ts): its trades (or, without any, its
 * 1m candles) as the price path, and its recorded L2 book as the liquidity orders meet.
 */
export interface RecordedDataConfig {
  readonly source: "recorded";
  /** The URL as written (its `venue` and `market` parameters select the recording). */
  readonly store: string;
  /** Epoch ms, the range replayed: [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
}

/** The synthetic market makers' book around the reference price, for one market. */
export interface LiquidityConfig {
  /** Full spread, best bid to best ask, in basis points of the reference price. */
  readonly spreadBps: number;
  /** Levels per side. */
  readonly levels: number;
  readonly levelSpacingBps: number;
  /** Quote-currency notional at the best level, as written and in quote minor units. */
  readonly levelNotional: string;
  readonly levelNotionalUnits: bigint;
  /** Level i holds levelNotional × depthGrowth^i. */
  readonly depthGrowth: number;
  /** Consumed depth recovers after this long. */
  readonly refreshMs: number;
  /** When a resting limit order fills against the market path: price traded through it, or touched. */
  readonly fillRule: FillRule;
  /** With fillRule "touch": fill only after the displayed size ahead has traded. */
  readonly queuePosition: boolean;
}

/** The venue-wide liquidity block as written (defaults applied) and the market makers' inventory. */
export interface VenueLiquidityConfig {
  readonly spreadBps: number;
  readonly levels: number;
  readonly levelSpacingBps: number;
  /** Absent when every market sets its own. */
  readonly levelNotional?: string;
  readonly depthGrowth: number;
  readonly refreshMs: number;
  readonly fillRule: FillRule;
  readonly queuePosition: boolean;
  /** The market makers' account balances: their quotes are funded, so money is conserved. */
  readonly inventory: Holdings;
}

export interface LatencyConfig {
  /** One-way latency is fixedMs plus a seeded uniform draw from [0, jitterMs]. */
  readonly fixedMs: number;
  readonly jitterMs: number;
}

export interface RateLimitConfig {
  /** Per account: more than `requests` in any `windowMs` gets a retryable rate-limit error. */
  readonly requests: number;
  readonly windowMs: number;
}

export interface FaultsConfig {
  /** Chance that an order request is rejected with a transient error (seeded). */
  readonly rejectProbability: number;
  /**
   * Chance that an order request executes at the venue and its reply is then lost: the
   * connection dropped (`drop`) or a 5xx answered (`5xx`). The client cannot tell it was placed.
   * Shown by the venue server (`crypy venue serve`); seeded.
   */
  readonly lostReplies: LostReplies;
  /** Windows, relative to the start, in which every request fails. */
  readonly disconnects: readonly FaultWindow[];
  /** Windows, relative to the start, in which market data stops updating. */
  readonly staleData: readonly FaultWindow[];
  /** What `crypy venue serve`'s market streams lose, repeat and cut (seeded). */
  readonly streams: StreamFaults;
}

/**
 * Faults of the venue server's market streams, as a real exchange's feed has them. Draws are
 * seeded, from a stream of their own (other draws do not move when these are switched on).
 */
export interface StreamFaults {
  /** Chance that a diff-depth event is never sent: its update ids are missing, a lost packet. */
  readonly skipDepthProbability: number;
  /** Chance that a market stream message is sent twice, the same payload. */
  readonly duplicateProbability: number;
  /** A market stream connection is cut (no close frame) after every this many messages; 0: never. */
  readonly dropConnectionEvery: number;
}

export interface LostReplies {
  readonly probability: number;
  readonly as: "drop" | "5xx";
}

export interface FaultWindow {
  readonly afterMs: number;
  readonly durationMs: number;
}
