/**
 * The venue file's shape, field by field: the first of the two validation passes (see load.ts).
 *
 * - Strict everywhere: an unknown key is an error that lists the keys allowed there; each leaf
 *   says what it expects (fields.ts).
 * - Money and sizes are decimal strings; an unquoted YAML number there is an error with a hint,
 *   because YAML reads it as a binary float and "0.1" must stay exactly 0.1.
 * - Defaults live in DEFAULTS and nowhere else; a block left out gets them leaf by leaf.
 *
 * Relations between fields (declared assets, sizes that divide, inventory that covers the books)
 * are checked after this pass, on the typed result, in normalize.ts and markets.ts.
 */

import { z } from "zod";
import {
  assetCode,
  block,
  bool,
  decimal,
  expected,
  instant,
  int,
  listOf,
  mapOf,
  name,
  nonNegativeDecimal,
  num,
  oneOf,
  positiveDecimal,
  text,
  timeframe,
  unique,
  venueMarketSymbol,
} from "../../config/fields.js";
import { parseDecimal } from "../../domain/fixed.js";
import { ORDER_TYPES, TIMES_IN_FORCE } from "../../domain/order.js";

import { FEE_RATE_DECIMALS, PARTS_PER_BILLION } from "./fee-units.js";

export { FEE_RATE_DECIMALS, PARTS_PER_BILLION };

export const SELF_TRADE_PREVENTION = [
  "expire_maker",
  "expire_taker",
  "expire_both",
  "none",
] as const;
export type SelfTradePrevention = (typeof SELF_TRADE_PREVENTION)[number];

export const FILL_RULES = ["through", "touch"] as const;
export type FillRule = (typeof FILL_RULES)[number];

export const DATA_SOURCES = ["gbm", "candles", "trades", "recorded"] as const;

/**
 * Every default of a venue file, in one place. `levelNotional` has none on purpose: it is in the
 * quote currency, so no one number suits both BTC/USDT and ETH/BTC.
 */
export const DEFAULTS = Object.freeze({
  seed: 42,
  start: "2024-01-01T00:00:00Z",
  fees: Object.freeze({ maker: "0.001", taker: "0.001" }),
  orderTypes: Object.freeze([...ORDER_TYPES]),
  timeInForce: Object.freeze([...TIMES_IN_FORCE]),
  selfTradePrevention: "expire_maker",
  /** A market without maxPrice accepts prices up to this many ticks. */
  maxPriceTicks: 1_000_000_000_000n,
  gbm: Object.freeze({ drift: 0, timeframe: "1m" }),
  latency: Object.freeze({ fixedMs: 20, jitterMs: 10 }),
  rateLimit: Object.freeze({ requests: 1200, windowMs: 60_000 }),
  faults: Object.freeze({
    rejectProbability: 0,
    lostReplies: Object.freeze({ probability: 0, as: "drop" as const }),
    streams: Object.freeze({
      skipDepthProbability: 0,
      duplicateProbability: 0,
      dropConnectionEvery: 0,
    }),
  }),
  liquidity: Object.freeze({
    spreadBps: 2,
    levels: 20,
    levelSpacingBps: 1,
    depthGrowth: 1.15,
    refreshMs: 1000,
    fillRule: "through",
    queuePosition: false,
  }),
  /** Binance's defaults: cross margin at 20x, 8-hour funding with 0.01 % interest per 8 hours. */
  derivatives: Object.freeze({
    leverage: 20,
    marginMode: "cross" as const,
    fundingIntervalHours: 8,
    interestRate: "0.0001",
  }),
} as const);

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const DAY_MS = 86_400_000;

function feeRate(minimum: string) {
  const min = parseDecimal(minimum, FEE_RATE_DECIMALS);
  return decimal(
    `a rate from "${minimum}" to below "1" with at most ${FEE_RATE_DECIMALS} decimals, like "0.001"`,
    (s) => {
      try {
        const ppb = parseDecimal(s, FEE_RATE_DECIMALS);
        return ppb >= min && ppb < PARTS_PER_BILLION;
      } catch {
        return false;
      }
    },
  );
}

const probability = num(0, 1);
const duration = (max: number) => int(0, max, `a whole number of milliseconds from 0 to ${max}`);

const fees = block("a mapping with maker and taker fee rates", {
  // No rebates (negative maker fees) yet: the fee account would have to pay them out.
  maker: feeRate("0").default(DEFAULTS.fees.maker),
  taker: feeRate("0").default(DEFAULTS.fees.taker),
});

const feesOverride = block("a mapping with maker and/or taker fee rates", {
  maker: feeRate("0").optional(),
  taker: feeRate("0").optional(),
});

const gbm = block("gbm data settings", {
  source: z.literal("gbm"),
  startPrice: positiveDecimal("42000"),
  volatility: num(0, 10),
  drift: num(-10, 10).default(DEFAULTS.gbm.drift),
  timeframe: timeframe.default(DEFAULTS.gbm.timeframe),
  jumps: block("a mapping with probability, meanPct and stdPct", {
    probability,
    meanPct: num(-100, 100),
    stdPct: num(0, 100),
  }).optional(),
  regimes: block("a mapping with volMultipliers and switchProbability", {
    volMultipliers: listOf("a list of positive numbers", num(0, 100, true)).min(1, {
      error: "expected at least one volatility multiplier",
    }),
    switchProbability: probability,
  }).optional(),
  volume: block("a mapping with mean and std (base units per candle)", {
    mean: num(0, 1e12, true),
    std: num(0, 1e12),
  }).optional(),
});

const dataFile = text('a path to a .csv or .csv.gz file, like "../data/btcusdt-1m.csv.gz"', (s) =>
  /\.csv(\.gz)?$/i.test(s),
);

const candles = block("candles data settings", {
  source: z.literal("candles"),
  file: dataFile,
  timeframe: timeframe.optional(),
});

const trades = block("trades data settings", {
  source: z.literal("trades"),
  file: dataFile,
});

/** A market recorded into PostgreSQL: its trades as the path, its L2 book as the liquidity. */
const recorded = block("recorded data settings (store, from, to)", {
  source: z.literal("recorded"),
  store: text(
    'a postgres:// URL, like "postgres://127.0.0.1/crypy?venue=binance&market=BTC/USDT"',
    (s) => /^postgres(ql)?:\/\//i.test(s),
  ),
  from: instant,
  to: instant,
});

const data = z.discriminatedUnion("source", [gbm, candles, trades, recorded], {
  error: (issue) =>
    issue.code === "invalid_union"
      ? `expected one of: ${DATA_SOURCES.join(", ")}`
      : `expected a mapping with source: ${DATA_SOURCES.join(" | ")}`,
});

const liquidityFields = {
  spreadBps: num(0, 10_000, true),
  levels: int(1, 1000),
  levelSpacingBps: num(0, 10_000, true),
  levelNotional: positiveDecimal("50000"),
  depthGrowth: num(0, 10, true),
  refreshMs: duration(DAY_MS),
  fillRule: oneOf(FILL_RULES),
  queuePosition: bool,
};

/** What one market may override; inventory is the market makers' account, so venue-wide only. */
const liquidityOverride = block("liquidity settings", {
  spreadBps: liquidityFields.spreadBps.optional(),
  levels: liquidityFields.levels.optional(),
  levelSpacingBps: liquidityFields.levelSpacingBps.optional(),
  levelNotional: liquidityFields.levelNotional.optional(),
  depthGrowth: liquidityFields.depthGrowth.optional(),
  refreshMs: liquidityFields.refreshMs.optional(),
  fillRule: liquidityFields.fillRule.optional(),
  queuePosition: liquidityFields.queuePosition.optional(),
});

const balances = (example: string) =>
  mapOf(`a mapping of asset to amount, like { ${example} }`, assetCode, nonNegativeDecimal("1000"));

// ---- derivatives (perpetual and delivery markets; see src/sim/perp/) ----

export const MARKET_TYPES = ["spot", "perpetual", "delivery"] as const;
export const MARGIN_MODES = ["cross", "isolated"] as const;

/** One leverage bracket, as Binance's GET /fapi/v1/leverageBracket lists it. */
const leverageBracket = block(
  "a bracket with notionalFloor, notionalCap, maxLeverage, maintMarginRatio (and maintAmount)",
  {
    notionalFloor: nonNegativeDecimal("0"),
    notionalCap: positiveDecimal("50000"),
    maxLeverage: int(1, 1000),
    maintMarginRatio: positiveDecimal("0.004"),
    maintAmount: nonNegativeDecimal("0").optional(),
  },
);

const funding = block("a mapping with intervalHours, interestRate, cap and rates", {
  intervalHours: int(1, 24).default(DEFAULTS.derivatives.fundingIntervalHours),
  interestRate: decimal('a rate per 8 hours, like "0.0001"', (s) =>
    /^-?\d+(\.\d+)?$/.test(s),
  ).default(DEFAULTS.derivatives.interestRate),
  /** The funding rate's bound either way; absent: 0.75 × the first bracket's maintenance ratio. */
  cap: positiveDecimal("0.02").optional(),
  /** A CSV of recorded funding rates to settle with (funding-rates.ts), relative to the file. */
  rates: z.string().min(1).optional(),
});

/** A perpetual's or delivery future's own fields; a spot market may have none of them. */
const contractFields = {
  type: oneOf(MARKET_TYPES).optional(),
  contractSize: positiveDecimal("1").optional(),
  index: venueMarketSymbol.optional(),
  expiry: instant.optional(),
  leverageBrackets: listOf("a list of leverage brackets, lowest notional first", leverageBracket)
    .min(1, { error: "expected at least one leverage bracket" })
    .optional(),
  funding: funding.optional(),
  liquidationFee: nonNegativeDecimal("0.0125").optional(),
};

/** Venue-wide derivatives settings: the insurance fund and each account's starting margin. */
const derivatives = block("a mapping with insuranceFund, leverage and marginMode", {
  insuranceFund: mapOf(
    'a mapping of settle asset to amount, like { USDT: "1000000" }',
    assetCode,
    nonNegativeDecimal("1000000"),
  ).default({}),
  leverage: int(1, 1000).default(DEFAULTS.derivatives.leverage),
  marginMode: oneOf(MARGIN_MODES).default(DEFAULTS.derivatives.marginMode),
});

const market = block("market settings", {
  ...contractFields,
  tickSize: positiveDecimal("0.01"),
  lotSize: positiveDecimal("0.00001"),
  minQty: positiveDecimal("0.00001"),
  maxQty: positiveDecimal("9000"),
  minNotional: nonNegativeDecimal("5"),
  maxPrice: positiveDecimal("1000000").optional(),
  fees: feesOverride.optional(),
  /** Required for spot; a contract without it follows its index market's path. */
  data: data.optional(),
  liquidity: liquidityOverride.optional(),
});

const faultWindow = block("a window with afterMs and durationMs", {
  afterMs: duration(MAX_SAFE),
  durationMs: int(1, MAX_SAFE, `a whole number of milliseconds from 1 to ${MAX_SAFE}`),
});

/** Binance's keys are 64 letters and digits; any 1-128 printable, space-free ASCII is accepted. */
const apiKeyText = text("1-128 printable characters without spaces", (s) =>
  /^[\x21-\x7e]{1,128}$/.test(s),
);

/**
 * An account: its balances, asset by asset, and optionally the API keys that act for it on the
 * venue server (lowercase `apiKeys` cannot be an asset code). Asset codes are checked against
 * `assets` in normalize.ts.
 */
const account = z
  .object(
    {
      apiKeys: listOf(
        "a list of { key, secret } API keys",
        block("an API key with key and secret", { key: apiKeyText, secret: apiKeyText }),
      ).optional(),
    },
    { error: expected('a mapping of asset to amount, like { USDT: "10000" }') },
  )
  .catchall(nonNegativeDecimal("1000"));

const seed = z.custom<number | string>(
  (v) =>
    (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff) ||
    (typeof v === "string" && v.length > 0 && v.length <= 256),
  { error: expected("an integer from 0 to 4294967295 or a non-empty string") },
);

export const venueFileSchema = block("a mapping of venue settings", {
  name: name("sim"),
  seed: seed.default(DEFAULTS.seed),
  start: instant.default(DEFAULTS.start),
  assets: mapOf(
    "a mapping of asset code to { decimals }",
    assetCode,
    block("a mapping with decimals", { decimals: int(0, 18) }),
  ),
  fees: fees.prefault({}),
  orderTypes: listOf(`a list of order types (${ORDER_TYPES.join(", ")})`, oneOf(ORDER_TYPES))
    .min(1, { error: "expected at least one order type" })
    .superRefine(unique)
    .default([...DEFAULTS.orderTypes]),
  timeInForce: listOf(
    `a list of times in force (${TIMES_IN_FORCE.join(", ")})`,
    oneOf(TIMES_IN_FORCE),
  )
    .min(1, { error: "expected at least one time in force" })
    .superRefine(unique)
    .default([...DEFAULTS.timeInForce]),
  selfTradePrevention: oneOf(SELF_TRADE_PREVENTION).default(DEFAULTS.selfTradePrevention),
  // Switches a capability off, so actors can be seen adapting (a Trader keeps a monitored stop).
  capabilities: block("a mapping with stopOrders, shorting and maxLeverage", {
    stopOrders: bool.default(true),
    shorting: bool.default(true),
    maxLeverage: int(1, 1000).optional(),
  }).prefault({}),
  markets: mapOf(
    'a mapping of market symbol (like "BTC/USDT" or "BTC/USDT:USDT") to its settings',
    venueMarketSymbol,
    market,
  ).refine((markets) => Object.keys(markets).length > 0, { error: "expected at least one market" }),
  derivatives: derivatives.prefault({}),
  accounts: mapOf(
    'a mapping of account name to balances, like { main: { USDT: "10000" } }',
    name("main"),
    account,
  ).refine((accounts) => Object.keys(accounts).length > 0, {
    error: "expected at least one account",
  }),
  latency: block("a mapping with fixedMs and jitterMs", {
    fixedMs: duration(60_000).default(DEFAULTS.latency.fixedMs),
    jitterMs: duration(60_000).default(DEFAULTS.latency.jitterMs),
  }).prefault({}),
  rateLimit: block("a mapping with requests and windowMs", {
    requests: int(1, 1_000_000_000).default(DEFAULTS.rateLimit.requests),
    windowMs: int(1, DAY_MS).default(DEFAULTS.rateLimit.windowMs),
  }).prefault({}),
  faults: block(
    "a mapping with rejectProbability, lostReplies, disconnects, staleData and streams",
    {
      rejectProbability: probability.default(DEFAULTS.faults.rejectProbability),
      lostReplies: block("a mapping with probability and as (drop or 5xx)", {
        probability: probability.default(DEFAULTS.faults.lostReplies.probability),
        as: oneOf(["drop", "5xx"]).default(DEFAULTS.faults.lostReplies.as),
      }).prefault({}),
      disconnects: listOf("a list of { afterMs, durationMs } windows", faultWindow).default([]),
      staleData: listOf("a list of { afterMs, durationMs } windows", faultWindow).default([]),
      // `crypy venue serve`'s market streams (wire-faults.ts): lost diff-depth events, messages
      // sent twice, connections cut after every N messages (0: never).
      streams: block(
        "a mapping with skipDepthProbability, duplicateProbability and dropConnectionEvery",
        {
          skipDepthProbability: probability.default(DEFAULTS.faults.streams.skipDepthProbability),
          duplicateProbability: probability.default(DEFAULTS.faults.streams.duplicateProbability),
          dropConnectionEvery: int(0, 1_000_000_000).default(
            DEFAULTS.faults.streams.dropConnectionEvery,
          ),
        },
      ).prefault({}),
    },
  ).prefault({}),
  liquidity: block("liquidity settings with the market makers' inventory", {
    spreadBps: liquidityFields.spreadBps.default(DEFAULTS.liquidity.spreadBps),
    levels: liquidityFields.levels.default(DEFAULTS.liquidity.levels),
    levelSpacingBps: liquidityFields.levelSpacingBps.default(DEFAULTS.liquidity.levelSpacingBps),
    levelNotional: liquidityFields.levelNotional.optional(),
    depthGrowth: liquidityFields.depthGrowth.default(DEFAULTS.liquidity.depthGrowth),
    refreshMs: liquidityFields.refreshMs.default(DEFAULTS.liquidity.refreshMs),
    fillRule: liquidityFields.fillRule.default(DEFAULTS.liquidity.fillRule),
    queuePosition: liquidityFields.queuePosition.default(DEFAULTS.liquidity.queuePosition),
    inventory: balances('BTC: "1000", USDT: "100000000"'),
  }),
});

/** A venue file that passed the shape check, defaults applied. */
export type VenueFile = z.output<typeof venueFileSchema>;
export type MarketFile = VenueFile["markets"][string];
export type LiquidityOverride = NonNullable<MarketFile["liquidity"]>;
