/**
 * The three template files' shapes: the first validation pass (load.ts runs the second, which
 * needs the file system: referenced files, strategies and their parameters, the venue).
 *
 * - Strict everywhere: an unknown key is an error listing the keys allowed there.
 * - Money is a decimal string; ratios, counts and percentages are numbers.
 * - Defaults live in TEMPLATE_DEFAULTS and nowhere else.
 * - `learned:` may be absent or empty; its entries are checked like the rest, since a human may
 *   edit them too.
 */

import { z } from "zod";
import {
  assetCode,
  block,
  bool,
  decimal,
  duration,
  expected,
  filePath,
  instant,
  int,
  listOf,
  mapOf,
  marketSymbol,
  name,
  num,
  oneOf,
  positiveDecimal,
  text,
  timeframe,
  unique,
} from "../../config/fields.js";
import { OBJECTIVES } from "../../strategy/search/sweep.js";
import type { ParamBound } from "./types.js";

export const TEMPLATE_DEFAULTS = Object.freeze({
  candleTimeframe: "1m",
  tickerEveryMs: 1000,
  inSampleFraction: 0.7,
  explore: 0.25,
  stopLossPct: 0,
  takeProfitPct: 0,
  approval: "auto",
  reviewWindow: "30m",
  mayShort: false,
  mayLeverage: 1,
  maxSlippage: "0.01",
  maxMarginUsage: "0.5",
  exchangeMode: "paper",
  // Kept equal to DEFAULT_BALANCE_TOLERANCE (desk/journal/balance-check.ts).
  balanceRelative: "0.0001",
  balanceAbsolute: "0.00000001",
} as const);

/**
 * How a Desk meets a real exchange: `paper` (its live market data, fills from crypy's matching
 * engine, balances kept by crypy), `sandbox` (the exchange's testnet or demo), `live` (real money).
 */
export const EXCHANGE_MODES = ["paper", "sandbox", "live"] as const;
export type ExchangeMode = (typeof EXCHANGE_MODES)[number];

const DAY_MS = 86_400_000;
const MAX_COUNT = 1_000_000_000;

/** A section that may be left out or left empty (`learned:`). */
function section<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => value ?? {}, schema);
}

const signedDecimal = decimal('a decimal string like "-12.5"', () => true);
const tradeCount = int(0, MAX_COUNT);
const strategyRef = text('a strategy name like "sma-cross" or a path to a strategy file', (s) => {
  return s.trim() !== "";
});
const paramName = text("a parameter name", (s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s));

const losingAsset = block("a mapping with asset, trades, pnl and since", {
  asset: assetCode,
  trades: tradeCount,
  pnl: signedDecimal,
  since: instant,
});

/** ccxt exchange ids are lower-case letters and digits (binance, kraken, bybit, bitget, upbit). */
const ccxtId = text('a ccxt exchange id like "binance"', (s) => /^[a-z][a-z0-9]{1,31}$/.test(s));
/** ccxt's `urls` and `options` overrides: mappings passed through as written. */
const ccxtMapping = z.record(z.string(), z.unknown(), {
  error: expected("a mapping passed to ccxt as written"),
});
const assetAmounts = mapOf(
  'a mapping of asset amounts like { USDT: "10000" }',
  assetCode,
  positiveDecimal("10000"),
);

/** A real exchange through ccxt, instead of a simulated `venue`. */
/** The venue's request-weight limit, in ccxt's cost units, where ccxt's own figure is wrong. */
const requestWeight = block("a mapping with weight and windowMs", {
  weight: num(0, 1_000_000_000, true),
  windowMs: int(1, DAY_MS),
});

export const exchangeSchema = block(
  "a mapping with id, mode, credentials, urls, options, requestWeight and paperBalances",
  {
    id: ccxtId,
    mode: oneOf(EXCHANGE_MODES).default(TEMPLATE_DEFAULTS.exchangeMode),
    credentials: filePath("~/.config/crypy/binance-keys.yaml").optional(),
    urls: ccxtMapping.optional(),
    options: ccxtMapping.optional(),
    requestWeight: requestWeight.optional(),
    paperBalances: assetAmounts.optional(),
  },
);

export const deskTemplateSchema = block("a mapping of desk settings", {
  name: name("sim"),
  venue: text('a shipped venue like "sim", or a path to a venue file', (s) => {
    return s.trim() !== "" && !s.includes("\0");
  }).optional(),
  exchange: exchangeSchema.optional(),
  account: name("main"),
  watch: listOf("a list of market symbols, like [BTC/USDT, ETH/USDT]", marketSymbol)
    .min(1, { error: "expected at least one market" })
    .superRefine(unique),
  marketData: section(
    block("a mapping with candleTimeframe and tickerEveryMs", {
      candleTimeframe: timeframe.default(TEMPLATE_DEFAULTS.candleTimeframe),
      tickerEveryMs: int(
        100,
        DAY_MS,
        `a whole number of milliseconds from 100 to ${DAY_MS}`,
      ).default(TEMPLATE_DEFAULTS.tickerEveryMs),
    }),
  ),
  assets: listOf("a list of asset codes, like [USDT]", assetCode)
    .min(1, { error: "expected at least one asset" })
    .superRefine(unique),
  risk: block(
    "a mapping with maxOrderNotional, maxPositionNotional, maxDailyLoss and maxOrdersPerSecond",
    {
      maxOrderNotional: positiveDecimal("2500"),
      maxPositionNotional: positiveDecimal("5000"),
      maxDailyLoss: positiveDecimal("500"),
      maxOrdersPerSecond: num(0, 10_000, true),
      maxSlippage: decimal('a fraction from 0 to below 1 like "0.01"', (s) =>
        /^0(\.\d+)?$/.test(s),
      ).default(TEMPLATE_DEFAULTS.maxSlippage),
      maxMarginUsage: decimal('a fraction above 0 and at most 1 like "0.5"', (s) =>
        /^(0\.\d*[1-9]\d*|1(\.0+)?)$/.test(s),
      ).default(TEMPLATE_DEFAULTS.maxMarginUsage),
    },
  ),
  /**
   * How far a balance at restart may differ from what the journal, the fills and the deposits
   * since explain before the Desk starts HALTED: the larger of `relative` × the balance and
   * `absolute` (in each asset's own units).
   */
  balanceTolerance: section(
    block("a mapping with relative and absolute", {
      relative: decimal('a fraction from 0 to below 1 like "0.0001"', (s) =>
        /^0(\.\d+)?$/.test(s),
      ).default(TEMPLATE_DEFAULTS.balanceRelative),
      absolute: decimal('a decimal of at least 0 like "0.00000001"', (s) =>
        /^\d+(\.\d+)?$/.test(s),
      ).default(TEMPLATE_DEFAULTS.balanceAbsolute),
    }),
  ),
  holderTemplate: filePath("../holder/default.yaml"),
  learned: section(
    block("the learned section (written by crypy), with losingAssets", {
      losingAssets: listOf("a list of { asset, trades, pnl, since }", losingAsset).default([]),
    }),
  ),
});

const failedStrategy = block("a mapping with strategy, pairs, trades and pnl", {
  strategy: strategyRef,
  pairs: listOf("a list of market symbols", marketSymbol),
  trades: tradeCount,
  pnl: signedDecimal,
});

export const holderTemplateSchema = block("a mapping of holder settings", {
  criteria: block("a mapping with minSharpe, maxDrawdown, minTrades and minReturnOverBuyAndHold", {
    // Annualised from minute bars, a Sharpe ratio of a short backtest can pass ±100: the bound
    // only catches typing mistakes.
    minSharpe: num(-1_000_000, 1_000_000),
    maxDrawdown: num(0, 1),
    minTrades: int(0, MAX_COUNT),
    minReturnOverBuyAndHold: num(-1, 1000),
  }),
  allocation: block("a mapping with fraction and maxTraders", {
    fraction: num(0, 1, true),
    maxTraders: int(1, 1000),
  }),
  approval: oneOf(["auto", "review", "manual"]).default(TEMPLATE_DEFAULTS.approval),
  // What the Holder's Traders may do beyond long spot; never more than the venue allows.
  may: section(
    block("a mapping with short and leverage", {
      short: bool.default(TEMPLATE_DEFAULTS.mayShort),
      leverage: num(1, 1000).default(TEMPLATE_DEFAULTS.mayLeverage),
    }),
  ),
  reviewWindow: duration("30m", 1000, 30 * DAY_MS).default(TEMPLATE_DEFAULTS.reviewWindow),
  mandateTtl: duration("1h", 1000, 30 * DAY_MS),
  traderTemplates: listOf(
    'a list of trader template paths, like ["../trader/moving-average.yaml"]',
    filePath("../trader/moving-average.yaml"),
  )
    .min(1, { error: "expected at least one trader template" })
    .superRefine(unique),
  pairs: listOf("a list of market symbols, like [BTC/USDT]", marketSymbol)
    .min(1, { error: "expected at least one market (or leave pairs out for all of them)" })
    .superRefine(unique)
    .optional(),
  learned: section(
    block("the learned section (written by crypy), with failedStrategies", {
      failedStrategies: listOf(
        "a list of { strategy, pairs, trades, pnl }",
        failedStrategy,
      ).default([]),
    }),
  ),
});

const RANGE = "a value, or a range like { min: 5, max: 50, step: 5 }";

const range = block("a range like { min: 5, max: 50, step: 5 }", {
  min: z.number({ error: expected("a number") }),
  max: z.number({ error: expected("a number") }),
  step: num(0, Number.MAX_VALUE, true).optional(),
}).superRefine((r, ctx) => {
  if (r.min > r.max) {
    ctx.addIssue({ code: "custom", message: `min (${r.min}) is above max (${r.max})` });
  }
});

/**
 * A mapping is read as a range, so its errors name its own keys (`step: expected …`); anything
 * else must be one value (number or text), checked against the strategy in the second pass.
 */
const paramBound = z.unknown().transform((value, ctx): ParamBound => {
  if (typeof value === "number" || typeof value === "string") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const parsed = range.safeParse(value);
    if (parsed.success) {
      const { min, max, step } = parsed.data;
      return step === undefined ? { min, max } : { min, max, step };
    }
    for (const issue of parsed.error.issues)
      ctx.issues.push({ ...issue, input: issue.input } as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  ctx.addIssue({ code: "custom", message: `expected ${RANGE}`, input: value });
  return z.NEVER;
});

const traderStrategy = block("a mapping with name and params", {
  name: strategyRef,
  params: mapOf("a mapping of parameter name to a value or a range", paramName, paramBound).default(
    {},
  ),
});

const paramValue = z.union([z.number(), z.string()], { error: expected("a number or a text") });

const outcome = block("a mapping with strategy, params, trades, pnl, returnPct and at", {
  strategy: strategyRef,
  params: mapOf("a mapping of parameter name to value", paramName, paramValue),
  trades: tradeCount,
  pnl: signedDecimal,
  returnPct: num(-100, 1_000_000),
  at: instant,
});

export const traderTemplateSchema = block("a mapping of trader settings", {
  strategies: listOf("a list of { name, params }", traderStrategy).min(1, {
    error: "expected at least one strategy",
  }),
  warmup: block("a mapping with candles and timeframe", {
    candles: int(10, 1_000_000),
    timeframe,
  }),
  evaluation: block("a mapping with inSampleFraction, folds, candidates and objective", {
    inSampleFraction: num(0, 1, true)
      .refine((f) => f < 1, { error: expected("a number above 0 and below 1") })
      .default(TEMPLATE_DEFAULTS.inSampleFraction),
    folds: int(1, 100),
    candidates: int(1, 10_000),
    objective: oneOf(OBJECTIVES),
    explore: num(0, 1).default(TEMPLATE_DEFAULTS.explore),
  }),
  exits: section(
    block("a mapping with stopLossPct and takeProfitPct (percent, 0 = none)", {
      stopLossPct: num(0, 100).default(TEMPLATE_DEFAULTS.stopLossPct),
      takeProfitPct: num(0, 10_000).default(TEMPLATE_DEFAULTS.takeProfitPct),
    }),
  ),
  learned: section(
    block("the learned section (written by crypy), with outcomes", {
      outcomes: mapOf(
        "a mapping of market symbol to a list of outcomes",
        marketSymbol,
        listOf("a list of { strategy, params, trades, pnl, returnPct, at }", outcome),
      ).default({}),
    }),
  ),
});

export type DeskFile = z.output<typeof deskTemplateSchema>;
export type HolderFile = z.output<typeof holderTemplateSchema>;
export type TraderFile = z.output<typeof traderTemplateSchema>;
