/**
 * The Desk's risk gate: limits every order must pass before it reaches the venue, whatever its
 * mandate allows. One gate per quote currency (amounts are minor units at `quoteDecimals`).
 *
 * Invariants:
 * - A value exactly at its limit passes; only a value beyond it is denied.
 * - Every order is held to `maxOrderNotional` and `maxOrdersPerSecond`.
 * - `maxPositionNotional` (per market) and `maxDailyLoss` hold back only exposure an order adds: a
 *   sell of an existing long is a reduction and passes even when the position is already beyond
 *   the limit or the day's loss is. The part of a sell beyond the long opens exposure the other
 *   way, and is held to both limits.
 * - Position notional is the running sum of filled notional per market: buys add, sells subtract.
 *   On spot it never goes below 0; on a contract market (a ccxt symbol with a settle currency) it
 *   is signed, a short below 0, and an order toward the position's side adds to it either way.
 * - Margin usage (contract markets, `maxMarginUsage`): margin in use after the order, over the
 *   settle currency's balance, must not be above the limit; an order that adds margin with no
 *   balance known is refused.
 * - The day's loss is -(realised PnL recorded for the current UTC day + the latest marked PnL of
 *   open positions); realised PnL starts from 0 each UTC day.
 * - The rate window slides: an order is denied when `maxOrdersPerSecond` orders were recorded in
 *   the 1000 ms before it.
 * - Denials are RiskDeniedError naming the limit, the value and the limit; the gate keeps no state
 *   from a denied check.
 */

import { InvalidInputError, RiskDeniedError } from "../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import { parseMarket } from "../../domain/market.js";
import { isSide, type Side } from "../../domain/order.js";

/** Decimal strings in the quote currency, as in the Desk template. */
export interface RiskLimits {
  maxOrderNotional: string;
  /** Per market. */
  maxPositionNotional: string;
  /** Realised + marked, per UTC day. */
  maxDailyLoss: string;
  maxOrdersPerSecond: number;
  /**
   * How far through the touch a market order may fill, a fraction ("0.01" = 1 %): it goes to the
   * venue as an IOC limit at that price. Not a RiskGate limit: the order gateway applies it.
   */
  maxSlippage?: string;
  /**
   * Contract markets: the most margin (positions' initial margin at their leverage, plus what open
   * orders reserve, plus the new order's) as a fraction of the settle currency's balance ("0.5").
   * Absent: the venue's own margin check is the only one.
   */
  maxMarginUsage?: string;
}

export interface RiskOrder {
  market: string;
  side: Side;
  /** Quote minor units. */
  notional: bigint;
}

const DAY_MS = 86_400_000;
const WINDOW_MS = 1000;

/**
 * The UTC day index of an epoch-ms instant, the `day` argument of `recordPnl`.
 *
 * @example
 * utcDay(Date.UTC(1970, 0, 2, 23, 59)); // 1
 */
/** A risk gate's state in text (JSON has no bigint). */
export interface SavedRiskGate {
  positions: [string, string][];
  day: number | undefined;
  realised: string;
}

export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export class RiskGate {
  readonly #decimals: number;
  #limits: RiskLimits;
  #maxOrder: bigint;
  #maxPosition: bigint;
  #maxLoss: bigint;
  #maxRate: number;
  readonly #positions = new Map<string, bigint>();
  readonly #marks = new Map<string, bigint>();
  /** Times of recorded orders within the last window, oldest first. */
  #recent: number[] = [];
  #day = Number.NEGATIVE_INFINITY;
  #realised = 0n;

  /**
   * @example
   * const gate = new RiskGate(
   *   { maxOrderNotional: "1000", maxPositionNotional: "5000", maxDailyLoss: "500",
   *     maxOrdersPerSecond: 5 },
   *   2,
   * );
   */
  constructor(limits: RiskLimits, quoteDecimals: number) {
    if (!Number.isInteger(quoteDecimals) || quoteDecimals < 0 || quoteDecimals > 36) {
      throw new InvalidInputError(`quote decimals ${quoteDecimals} must be an integer in 0..36`);
    }
    this.#decimals = quoteDecimals;
    this.#limits = limits;
    this.#maxOrder = readLimit(limits, "maxOrderNotional", quoteDecimals, 1n);
    this.#maxPosition = readLimit(limits, "maxPositionNotional", quoteDecimals, 1n);
    this.#maxLoss = readLimit(limits, "maxDailyLoss", quoteDecimals, 0n);
    this.#maxRate = readRate(limits);
    checkUsage(limits);
  }

  /** The limits in force, as given. */
  get limits(): Readonly<RiskLimits> {
    return this.#limits;
  }

  /**
   * Replaces the limits (an operator's `set`); all are checked before any applies, so a bad value
   * leaves the old limits in force. Positions, the day's PnL and the rate window are kept.
   */
  setLimits(limits: RiskLimits): void {
    const maxOrder = readLimit(limits, "maxOrderNotional", this.#decimals, 1n);
    const maxPosition = readLimit(limits, "maxPositionNotional", this.#decimals, 1n);
    const maxLoss = readLimit(limits, "maxDailyLoss", this.#decimals, 0n);
    const maxRate = readRate(limits);
    checkUsage(limits);
    this.#limits = { ...limits };
    this.#maxOrder = maxOrder;
    this.#maxPosition = maxPosition;
    this.#maxLoss = maxLoss;
    this.#maxRate = maxRate;
  }

  /** Throws RiskDeniedError if `order` at time `now` (ms) would break a limit; records nothing. */
  check(order: RiskOrder, now: number): void {
    checkOrder(order);
    const money = (n: bigint) => this.#money(n, order.market);
    if (order.notional > this.#maxOrder) {
      deny(
        `order notional ${money(order.notional)} is above the desk's limit of` +
          ` ${money(this.#maxOrder)} per order`,
      );
    }
    const recent = this.#ordersInWindow(now);
    if (recent >= this.#maxRate) {
      deny(
        `${recent} orders in the last second already reach the desk's limit of` +
          ` ${this.#maxRate} orders per second`,
      );
    }
    const position = this.positionOf(order.market);
    // The part of the order beyond closing what is held on the other side adds exposure.
    const against = order.side === "buy" ? position < 0n : position > 0n;
    const held = position < 0n ? -position : position;
    const beyond = order.notional > held ? order.notional - held : 0n;
    const added = against ? beyond : order.notional;
    if (added === 0n) return;
    const after = against ? added : held + added;
    if (after > this.#maxPosition) {
      const direction = order.side === "buy" ? "long" : "short";
      deny(
        `${order.market} ${direction} position would be ${money(after)}, above the desk's limit` +
          ` of ${money(this.#maxPosition)} per market`,
      );
    }
    const loss = this.lossOn(now);
    if (loss > this.#maxLoss) {
      deny(
        `today's loss of ${money(loss)} is above the desk's limit of ${money(this.#maxLoss)}` +
          " per day; only orders that reduce a position are allowed",
      );
    }
  }

  /** Counts an accepted order in the rate window. */
  recordOrder(now: number): void {
    this.#ordersInWindow(now);
    this.#recent.push(now);
  }

  /** Moves a market's position notional by a fill; it never goes below 0. */
  recordFill(market: string, side: Side, notional: bigint): void {
    if (!isSide(side)) throw new InvalidInputError(`fill side ${String(side)} is unknown`);
    if (typeof notional !== "bigint" || notional < 0n) {
      throw new InvalidInputError(`fill notional must be a bigint of at least 0, got ${notional}`);
    }
    const position = this.positionOf(market) + (side === "buy" ? notional : -notional);
    if (position > 0n || (position < 0n && isContract(market)))
      this.#positions.set(market, position);
    else this.#positions.delete(market);
  }

  /**
   * Throws RiskDeniedError when `used` (settle minor units of margin in use once the order is in)
   * is above `maxMarginUsage` × `balance`; without the limit, passes.
   */
  checkMargin(market: string, used: bigint, balance: bigint | undefined): void {
    const limit = this.#limits.maxMarginUsage;
    if (limit === undefined) return;
    const money = (n: bigint) => this.#money(n, market);
    if (balance === undefined || balance <= 0n) {
      deny(
        `no ${quoteOf(market) ?? "settle"} balance is known yet: margin usage on ${market} cannot be bounded`,
      );
    }
    const allowed = (balance * parseDecimal(limit, 18)) / 10n ** 18n;
    if (used > allowed) {
      deny(
        `margin in use would be ${money(used)}, above the desk's limit of ${limit} of the` +
          ` ${money(balance)} balance (${money(allowed)})`,
      );
    }
  }

  /**
   * Adds realised PnL (negative is a loss) to UTC day `day` (see `utcDay`). A later day starts
   * from 0; PnL for a day already past is ignored, as that day's limit no longer applies.
   */
  /** Positions by market and the day's realised PnL, as text: what a snapshot keeps. */
  saved(): SavedRiskGate {
    return {
      positions: [...this.#positions].map(([market, n]) => [market, String(n)]),
      day: Number.isFinite(this.#day) ? this.#day : undefined,
      realised: String(this.#realised),
    };
  }

  /** The state `saved()` wrote, into a fresh gate. */
  restore(saved: SavedRiskGate): void {
    for (const [market, notional] of saved.positions) {
      const n = BigInt(notional);
      this.recordFill(market, n < 0n ? "sell" : "buy", n < 0n ? -n : n);
    }
    if (saved.day !== undefined) this.recordPnl(BigInt(saved.realised), saved.day);
  }

  recordPnl(realised: bigint, day: number): void {
    if (typeof realised !== "bigint") throw new InvalidInputError("realised PnL must be a bigint");
    if (!Number.isSafeInteger(day)) throw new InvalidInputError(`day ${day} is not a day index`);
    this.#rollTo(day);
    if (day === this.#day) this.#realised += realised;
  }

  /** Sets the latest marked (unrealised) PnL of a market's open position; 0n when flat. */
  markPnl(market: string, unrealised: bigint): void {
    if (typeof unrealised !== "bigint") throw new InvalidInputError("marked PnL must be a bigint");
    if (unrealised === 0n) this.#marks.delete(market);
    else this.#marks.set(market, unrealised);
  }

  /** Markets whose marked PnL is not 0. */
  markedMarkets(): string[] {
    return [...this.#marks.keys()];
  }

  /** Position notional of a market, quote minor units; 0n when flat. */
  positionOf(market: string): bigint {
    return this.#positions.get(market) ?? 0n;
  }

  /** The day's loss at `now` (0n when in profit): -(realised today + marked). */
  lossOn(now: number): bigint {
    this.#rollTo(utcDay(now));
    let pnl = this.#realised;
    for (const marked of this.#marks.values()) pnl += marked;
    return pnl < 0n ? -pnl : 0n;
  }

  #rollTo(day: number): void {
    if (day <= this.#day) return;
    this.#day = day;
    this.#realised = 0n;
  }

  #ordersInWindow(now: number): number {
    let expired = 0;
    while (expired < this.#recent.length && this.#recent[expired]! <= now - WINDOW_MS) expired++;
    if (expired > 0) this.#recent = this.#recent.slice(expired);
    return this.#recent.length;
  }

  #money(units: bigint, market: string): string {
    const amount = formatDecimal(units, this.#decimals);
    const unit = quoteOf(market);
    return unit === undefined ? amount : `${amount} ${unit}`;
  }
}

function deny(message: string): never {
  throw new RiskDeniedError(message);
}

function checkOrder(order: RiskOrder): void {
  if (typeof order.notional !== "bigint" || order.notional <= 0n) {
    throw new InvalidInputError(`order notional must be a bigint above 0, got ${order.notional}`);
  }
  if (!isSide(order.side))
    throw new InvalidInputError(`order side ${String(order.side)} is unknown`);
}

function readLimit(
  limits: RiskLimits,
  field: "maxOrderNotional" | "maxPositionNotional" | "maxDailyLoss",
  decimals: number,
  least: bigint,
): bigint {
  const text = limits[field];
  let units: bigint;
  try {
    units = parseDecimal(text, decimals);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidInputError(`risk limit '${field}': ${why}`, { cause });
  }
  if (units < least) {
    const bound = least === 0n ? "0 or more" : "above 0";
    throw new InvalidInputError(`risk limit '${field}' must be ${bound}, got ${text}`);
  }
  return units;
}

function readRate(limits: RiskLimits): number {
  const rate = limits.maxOrdersPerSecond;
  if (!Number.isSafeInteger(rate) || rate < 1) {
    throw new InvalidInputError(
      `risk limit 'maxOrdersPerSecond' must be a whole number of at least 1, got ${rate}`,
    );
  }
  return rate;
}

function quoteOf(market: string): string | undefined {
  try {
    return parseMarket(market).quote;
  } catch {
    return undefined;
  }
}

/** `maxMarginUsage`, when given, is a fraction above 0 and at most 1. */
function checkUsage(limits: RiskLimits): void {
  const usage = limits.maxMarginUsage;
  if (usage === undefined) return;
  let units: bigint | undefined;
  try {
    units = typeof usage === "string" ? parseDecimal(usage, 18) : undefined;
  } catch {
    units = undefined;
  }
  if (units === undefined || units <= 0n || units > 10n ** 18n) {
    throw new InvalidInputError(
      `risk limit 'maxMarginUsage' must be a fraction above 0 and at most 1, like "0.5", got ${JSON.stringify(usage)}`,
    );
  }
}

/** A contract market's symbol names its settle currency (`BTC/USDT:USDT`). */
function isContract(market: string): boolean {
  return market.includes(":");
}
