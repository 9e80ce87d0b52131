/**
 * A derivatives market, shaped like ccxt's market structure: `BTC/USDT:USDT` is a linear
 * perpetual settled in USDT, `BTC/USDT:USDT-250328` the delivery future expiring on 2025-03-28.
 *
 * Rules:
 * - The symbol is base/quote:settle, plus -YYMMDD for a delivery contract; the date must be the
 *   UTC day of `expiry`, and a perpetual has no expiry.
 * - Units: a price is an integer at the tick's scale, a quantity (contracts) at the lot's scale,
 *   money at the settle currency's minor units. Prices and quantities must sit on their grids.
 * - Linear contracts (settle = quote): one contract is `contractSize` of base, and its notional at
 *   price p is contracts × contractSize × p, in settle. The config is refused unless
 *   tick scale + lot scale + contractSize scale ≤ settleDecimals, so every notional is exact and
 *   no margin or PnL figure below has to round a notional.
 * - Inverse contracts (settle = base, contractSize in quote: notional = contracts × size / p) fit
 *   this shape but are not computed yet: asking for one is a NotSupportedError, not a wrong number.
 */
import { InvalidInputError, NotSupportedError } from "../../domain/errors.js";
import {
  formatDecimal,
  type Increment,
  parseDecimal,
  parseIncrement,
  toSteps,
} from "../../domain/fixed.js";
import { type BracketSpec, type LeverageBracket, parseBrackets } from "./brackets.js";

export type ContractKind = "perpetual" | "delivery";

/** The venue file's (or exchangeInfo's) description of one contract, decimals as strings. */
export interface DerivativeSpec {
  symbol: string;
  base: string;
  quote: string;
  settle: string;
  kind: ContractKind;
  /** true: margined and settled in quote (USDⓈ-M); false: inverse, settled in base (COIN-M). */
  linear: boolean;
  contractSize: string;
  tickSize: string;
  lotSize: string;
  settleDecimals: number;
  /** Delivery time, ms since the epoch (UTC); delivery contracts only. */
  expiry?: number;
  brackets: readonly BracketSpec[];
}

export interface DerivativeMarket {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly settle: string;
  readonly kind: ContractKind;
  readonly linear: boolean;
  readonly tick: Increment;
  readonly lot: Increment;
  /** contractSize as units at `contractScale`. */
  readonly contractSize: bigint;
  readonly contractScale: number;
  readonly settleDecimals: number;
  readonly expiry: number | undefined;
  readonly brackets: readonly LeverageBracket[];
}

const SYMBOL = /^([A-Z0-9]+)\/([A-Z0-9]+):([A-Z0-9]+)(?:-(\d{6}))?$/;

export function parseDerivativeMarket(spec: DerivativeSpec): DerivativeMarket {
  const where = `market ${JSON.stringify(spec.symbol)}`;
  const match = SYMBOL.exec(spec.symbol);
  if (match === null) {
    throw new InvalidInputError(`${where}: symbol must be BASE/QUOTE:SETTLE[-YYMMDD]`);
  }
  const [, base, quote, settle, date] = match;
  if (base !== spec.base || quote !== spec.quote || settle !== spec.settle) {
    throw new InvalidInputError(`${where}: symbol disagrees with base, quote or settle`);
  }
  if (spec.linear ? spec.settle !== spec.quote : spec.settle !== spec.base) {
    throw new InvalidInputError(
      spec.linear
        ? `${where}: a linear contract settles in its quote`
        : `${where}: an inverse contract settles in its base`,
    );
  }
  checkExpiry(spec, date, where);
  if (!Number.isInteger(spec.settleDecimals) || spec.settleDecimals < 0) {
    throw new InvalidInputError(`${where}: settleDecimals must be a whole number ≥ 0`);
  }
  const tick = increment(spec.tickSize, `${where} tickSize`);
  const lot = increment(spec.lotSize, `${where} lotSize`);
  const size = increment(spec.contractSize, `${where} contractSize`);
  if (spec.linear && tick.scale + lot.scale + size.scale > spec.settleDecimals) {
    throw new InvalidInputError(
      `${where}: tick, lot and contract size need ${tick.scale + lot.scale + size.scale} ` +
        `decimals for an exact notional, more than settleDecimals ${spec.settleDecimals}`,
    );
  }
  return Object.freeze({
    symbol: spec.symbol,
    base: spec.base,
    quote: spec.quote,
    settle: spec.settle,
    kind: spec.kind,
    linear: spec.linear,
    tick,
    lot,
    contractSize: size.step,
    contractScale: size.scale,
    settleDecimals: spec.settleDecimals,
    expiry: spec.expiry,
    brackets: parseBrackets(spec.brackets, spec.settleDecimals),
  });
}

/** ccxt's delivery symbol for an expiry: `BTC/USDT:USDT` + `-250328`. */
export function deliverySymbol(base: string, quote: string, settle: string, expiry: number) {
  return `${base}/${quote}:${settle}-${yymmdd(expiry)}`;
}

/** A price's text → integer units at the tick's scale; it must be on the tick grid. */
export function priceUnits(market: DerivativeMarket, text: string): bigint {
  return toSteps(text, market.tick) * market.tick.step;
}

/** A quantity's text (contracts) → units at the lot's scale; it must be on the lot grid. */
export function qtyUnits(market: DerivativeMarket, text: string): bigint {
  return toSteps(text, market.lot) * market.lot.step;
}

/** Settle-currency text → minor units (exact). */
export function moneyUnits(market: DerivativeMarket, text: string): bigint {
  return parseDecimal(text, market.settleDecimals);
}

export function formatMoney(market: DerivativeMarket, units: bigint): string {
  return formatDecimal(units, market.settleDecimals);
}

export function formatPrice(market: DerivativeMarket, units: bigint): string {
  return formatDecimal(units, market.tick.scale);
}

/**
 * Notional of |qty| contracts at `price`, in settle minor units: exact (see the header).
 * qty and price are units at the lot's and the tick's scale.
 */
export function notional(market: DerivativeMarket, qty: bigint, price: bigint): bigint {
  requireLinear(market);
  const magnitude = qty < 0n ? -qty : qty;
  return magnitude * price * notionalPerPriceUnit(market);
}

const perPriceUnit = new WeakMap<DerivativeMarket, bigint>();

/** Settle units per contract unit per price unit: notional = |qty| × price × this (exact). */
export function notionalPerPriceUnit(market: DerivativeMarket): bigint {
  let k = perPriceUnit.get(market);
  if (k === undefined) {
    const shift =
      market.settleDecimals - market.lot.scale - market.tick.scale - market.contractScale;
    k = market.contractSize * 10n ** BigInt(shift);
    perPriceUnit.set(market, k);
  }
  return k;
}

export function requireLinear(market: DerivativeMarket): void {
  if (!market.linear) {
    throw new NotSupportedError(`${market.symbol}: inverse contracts are not computed yet`);
  }
}

function checkExpiry(spec: DerivativeSpec, date: string | undefined, where: string): void {
  if (spec.kind === "perpetual") {
    if (date !== undefined || spec.expiry !== undefined) {
      throw new InvalidInputError(`${where}: a perpetual has no expiry`);
    }
    return;
  }
  if (spec.expiry === undefined || !Number.isSafeInteger(spec.expiry) || spec.expiry <= 0) {
    throw new InvalidInputError(`${where}: a delivery contract needs an expiry (ms since epoch)`);
  }
  if (date !== yymmdd(spec.expiry)) {
    throw new InvalidInputError(
      `${where}: symbol date ${date ?? "(none)"} is not the expiry's UTC day ` +
        yymmdd(spec.expiry),
    );
  }
}

function yymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(2, 10).replaceAll("-", "");
}

function increment(text: string, what: string): Increment {
  try {
    return parseIncrement(text);
  } catch (cause) {
    throw new InvalidInputError(`${what}: ${JSON.stringify(text)} is not a step > 0`, { cause });
  }
}
