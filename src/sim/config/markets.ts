/**
 * One market's second validation pass: the relations between its fields, and the exact values the
 * matching engine works in (see the guarantees at the top of types.ts). Every problem is added to
 * `issues` with the field that holds it; the result is only used when there were none.
 */

import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Issue, PathSegment } from "../../config/issues.js";
import { parseInstant, parseTimeframe } from "../../config/time-text.js";
import { InvalidInputError } from "../../domain/errors.js";
import {
  formatDecimal,
  fromSteps,
  type Increment,
  parseDecimal,
  parseIncrement,
  rescale,
  toSteps,
} from "../../domain/fixed.js";
import { parseMarket } from "../../domain/market.js";
import { normalizeContract } from "./contracts.js";
import { FEE_RATE_DECIMALS } from "./fee-units.js";
import { DEFAULTS, type MarketFile, type VenueFile } from "./schema.js";
import type { FeeSchedule, LiquidityConfig, MarketConfig, MarketDataConfig } from "./types.js";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export interface MarketContext {
  readonly assets: VenueFile["assets"];
  readonly fees: VenueFile["fees"];
  readonly liquidity: VenueFile["liquidity"];
  /** Data file paths are relative to this directory (the venue file's). */
  readonly baseDir: string;
  readonly issues: Issue[];
}

/** Fee rates as written plus parts per billion. The schema already bounded them. */
export function feeSchedule(maker: string, taker: string): FeeSchedule {
  return {
    maker,
    taker,
    makerPpb: parseDecimal(maker, FEE_RATE_DECIMALS),
    takerPpb: parseDecimal(taker, FEE_RATE_DECIMALS),
  };
}

/** One market's place in the file, and how to report a problem there. */
interface MarketScope {
  readonly symbol: string;
  readonly ctx: MarketContext;
  /** The path of a field of this market. */
  path(...rest: PathSegment[]): PathSegment[];
  report(at: readonly PathSegment[], message: string, target?: "key"): void;
  /** The value of `fn`, or undefined after reporting `message` at `at` if fixed.ts refuses it. */
  exact<T>(at: readonly PathSegment[], message: string, fn: () => T): T | undefined;
}

function marketScope(symbol: string, ctx: MarketContext): MarketScope {
  const scope: MarketScope = {
    symbol,
    ctx,
    path: (...rest) => ["markets", symbol, ...rest],
    report: (at, message, target) =>
      ctx.issues.push(
        target === undefined ? { path: at, message } : { path: at, message, at: target },
      ),
    exact: (at, message, fn) => {
      try {
        return fn();
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        scope.report(at, message);
        return undefined;
      }
    },
  };
  return scope;
}

export function normalizeMarket(
  symbol: string,
  market: MarketFile,
  ctx: MarketContext,
): MarketConfig | undefined {
  const scope = marketScope(symbol, ctx);
  const { path, report, exact } = scope;

  const id = parseMarket(symbol);
  const { base, quote } = id;
  for (const [role, asset] of Object.entries({ base, quote })) {
    if (ctx.assets[asset] === undefined) {
      report(path(), `${role} asset "${asset}" is not declared in assets`, "key");
    }
  }
  const baseDecimals = ctx.assets[base]?.decimals;
  const quoteDecimals = ctx.assets[quote]?.decimals;
  if (baseDecimals === undefined || quoteDecimals === undefined) return undefined;

  const { tickSize, lotSize, minQty, maxQty, minNotional } = market;
  const tick = parseIncrement(tickSize);
  const lot = parseIncrement(lotSize);
  const baseUnitsPerLot = exact(
    path("lotSize"),
    `expected a whole number of ${base} minor units (${baseDecimals} decimals), got "${lotSize}"`,
    () => parseDecimal(lotSize, baseDecimals),
  );
  const tickLot = tick.step * lot.step;
  const tickLotScale = tick.scale + lot.scale;
  const quoteUnitsPerTickLot = exact(
    path("tickSize"),
    `tickSize × lotSize = ${formatDecimal(tickLot, tickLotScale)} ${quote} is not a whole number ` +
      `of ${quote} minor units (${quoteDecimals} decimals), so costs would not be exact; ` +
      "use a coarser tickSize or lotSize",
    () => rescale(tickLot, tickLotScale, quoteDecimals),
  );

  const lots = (field: "minQty" | "maxQty", text: string) =>
    exact(path(field), `expected a multiple of lotSize "${lotSize}", got "${text}"`, () =>
      toSteps(text, lot),
    );
  const minQtyLots = lots("minQty", minQty);
  const maxQtyLots = lots("maxQty", maxQty);
  if (minQtyLots !== undefined && maxQtyLots !== undefined && minQtyLots > maxQtyLots) {
    report(path("minQty"), `must not exceed maxQty "${maxQty}", got "${minQty}"`);
  }
  if (maxQtyLots !== undefined && maxQtyLots > MAX_SAFE) {
    report(
      path("maxQty"),
      `maxQty is ${maxQtyLots} lots, above 2^53 - 1 (lots must be exact JS numbers)`,
    );
  }
  const minNotionalUnits = exact(
    path("minNotional"),
    `expected at most ${quoteDecimals} decimals (${quote} minor units), got "${minNotional}"`,
    () => parseDecimal(minNotional, quoteDecimals),
  );

  let maxPriceTicks: bigint | undefined = DEFAULTS.maxPriceTicks;
  if (market.maxPrice !== undefined) {
    const text = market.maxPrice;
    maxPriceTicks = exact(
      path("maxPrice"),
      `expected a multiple of tickSize "${tickSize}", got "${text}"`,
      () => toSteps(text, tick),
    );
    if (maxPriceTicks !== undefined && maxPriceTicks > MAX_SAFE) {
      report(
        path("maxPrice"),
        `maxPrice is ${maxPriceTicks} ticks, above 2^53 - 1 (ticks must be exact JS numbers)`,
      );
    }
  }

  const fees = feeSchedule(
    market.fees?.maker ?? ctx.fees.maker,
    market.fees?.taker ?? ctx.fees.taker,
  );
  const contract = normalizeContract(id, market, ctx.assets, ctx.issues, ctx.baseDir);
  if (id.kind !== "spot" && contract === undefined) return undefined;
  let data: MarketDataConfig | undefined;
  if (market.data !== undefined)
    data = normalizeData(market.data, market, tick, maxPriceTicks, scope);
  else if (id.kind === "spot") report(path("data"), "missing: a spot market needs its data source");
  // A contract without data: normalize.ts gives it its index market's data (same path).
  else data = PENDING_INDEX_DATA;
  const liquidity = mergeLiquidity(market, quote, quoteDecimals, scope);

  if (
    baseUnitsPerLot === undefined ||
    quoteUnitsPerTickLot === undefined ||
    minQtyLots === undefined ||
    maxQtyLots === undefined ||
    minNotionalUnits === undefined ||
    maxPriceTicks === undefined ||
    data === undefined ||
    liquidity === undefined
  ) {
    return undefined;
  }
  return {
    symbol,
    kind: id.kind,
    ...(contract === undefined ? {} : { contract }),
    base,
    quote,
    tickSize,
    lotSize,
    minQty,
    maxQty,
    minNotional,
    maxPrice: market.maxPrice ?? fromSteps(maxPriceTicks, tick),
    tick,
    lot,
    minQtyLots,
    maxQtyLots,
    maxPriceTicks,
    minNotionalUnits,
    baseUnitsPerLot,
    quoteUnitsPerTickLot,
    fees,
    data,
    liquidity,
  };
}

/** Stands for "the index market's data" until normalize.ts has every market. */
export const PENDING_INDEX_DATA: MarketDataConfig = Object.freeze({
  source: "trades",
  file: "",
  path: "",
});

function normalizeData(
  data: NonNullable<MarketFile["data"]>,
  market: MarketFile,
  tick: Increment,
  maxPriceTicks: bigint | undefined,
  { path, report, exact, ctx }: MarketScope,
): MarketDataConfig | undefined {
  if (data.source === "gbm") {
    const { jumps, regimes, volume } = data;
    const at = path("data", "startPrice");
    const startPriceTicks = exact(
      at,
      `expected a multiple of tickSize "${market.tickSize}", got "${data.startPrice}"`,
      () => toSteps(data.startPrice, tick),
    );
    if (startPriceTicks === undefined) return undefined;
    if (maxPriceTicks !== undefined && startPriceTicks > maxPriceTicks) {
      report(at, `must not exceed maxPrice, got "${data.startPrice}"`);
      return undefined;
    }
    return {
      source: "gbm",
      startPrice: data.startPrice,
      startPriceTicks,
      volatility: data.volatility,
      drift: data.drift,
      timeframe: data.timeframe,
      timeframeMs: parseTimeframe(data.timeframe) ?? 0,
      ...(jumps === undefined ? {} : { jumps }),
      ...(regimes === undefined ? {} : { regimes }),
      ...(volume === undefined ? {} : { volume }),
    };
  }
  if (data.source === "recorded") {
    const fromMs = parseInstant(data.from)!;
    const toMs = parseInstant(data.to)!;
    if (fromMs >= toMs) {
      report(path("data", "to"), `must be after from (${data.from}), got "${data.to}"`);
      return undefined;
    }
    return { source: "recorded", store: data.store, fromMs, toMs };
  }
  const file = resolve(ctx.baseDir, data.file);
  const problem = fileProblem(file);
  if (problem !== undefined) {
    report(path("data", "file"), `${problem}: ${file}`);
    return undefined;
  }
  if (data.source === "trades") return { source: "trades", file: data.file, path: file };
  const timeframe = data.timeframe;
  return {
    source: "candles",
    file: data.file,
    path: file,
    ...(timeframe === undefined ? {} : { timeframe, timeframeMs: parseTimeframe(timeframe) ?? 0 }),
  };
}

function fileProblem(file: string): string | undefined {
  try {
    return statSync(file).isFile() ? undefined : "not a regular file";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR"
      ? "file not found"
      : `cannot read file (${code})`;
  }
}

/** The venue's liquidity block with this market's overrides, each value checked where it was set. */
function mergeLiquidity(
  market: MarketFile,
  quote: string,
  quoteDecimals: number,
  { symbol, path, report, ctx }: MarketScope,
): LiquidityConfig | undefined {
  const own = market.liquidity ?? {};
  const venue = ctx.liquidity;
  const origin = (field: keyof typeof own): PathSegment[] =>
    own[field] === undefined ? ["liquidity", field] : path("liquidity", field);
  const fillRule = own.fillRule ?? venue.fillRule;
  const queuePosition = own.queuePosition ?? venue.queuePosition;
  if (queuePosition && fillRule !== "touch") {
    report(origin("queuePosition"), `needs fillRule "touch" (${symbol} has "${fillRule}")`);
  }
  const levelNotional = own.levelNotional ?? venue.levelNotional;
  if (levelNotional === undefined) {
    report(
      path("liquidity", "levelNotional"),
      `missing, set it here or as liquidity.levelNotional (the ${quote} notional at the best level)`,
    );
    return undefined;
  }
  let levelNotionalUnits: bigint;
  try {
    levelNotionalUnits = parseDecimal(levelNotional, quoteDecimals);
  } catch {
    report(
      origin("levelNotional"),
      `expected at most ${quoteDecimals} decimals (${quote} minor units) for ${symbol}, got "${levelNotional}"`,
    );
    return undefined;
  }
  return {
    spreadBps: own.spreadBps ?? venue.spreadBps,
    levels: own.levels ?? venue.levels,
    levelSpacingBps: own.levelSpacingBps ?? venue.levelSpacingBps,
    levelNotional,
    levelNotionalUnits,
    depthGrowth: own.depthGrowth ?? venue.depthGrowth,
    refreshMs: own.refreshMs ?? venue.refreshMs,
    fillRule,
    queuePosition,
  };
}
