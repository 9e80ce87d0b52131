/**
 * The simulator: the markets' feeds replayed in time order into the exchange, market data served on
 * demand, and every change published as an event.
 *
 * Time: the simulator never reads a clock to decide what happens; a driver (driver.ts) moves the
 * clock to the next event's time and calls `processUntil(t)`. Market data served by queries is what
 * has happened up to the clock's now: closed candles only, the path visited so far.
 *
 * Cost model: replaying data with no order and no listener does only what a replay must (step the
 * feed, compare the path with the book's best prices). The makers' book is built only when an
 * order or a book query needs it.
 */
import type { Balances } from "../domain/balance.js";
import { InvalidInputError } from "../domain/errors.js";
import type { Fill } from "../domain/fill.js";
import type { LedgerEntry } from "../domain/ledger-entry.js";
import type { BookLevel, OHLCV, OrderBook, PublicTrade, Ticker } from "../domain/market-data.js";
import type { Order } from "../domain/order.js";
import type { Logger } from "../log/logger.js";
import type { CandleSeries } from "../store/candle-series.js";
import type { Clock } from "../time/clock.js";
import { BUY, SELL } from "./book/index.js";
import type { Exchange } from "./exchange.js";
import { CLOSE } from "./feed.js";
import { AccountMovements } from "./movements.js";
import { aggregateCandles, firstAtOrAfter, parseTimeframe } from "./ohlcv.js";
import type { OrderInput } from "./order-entry.js";
import { PerpEngine } from "./perp/engine.js";
import { loadExchange, type SavedExchange, saveExchange } from "./saved-state.js";
import type { Changes, PublicFill } from "./settlement.js";
import { referenceTicks, type SimMarket } from "./sim-market.js";
import { orderView, type SimFill, simFillView } from "./sim-order.js";

export type SimEvent =
  | { type: "candle"; time: number; symbol: string; candle: OHLCV }
  | { type: "order"; time: number; account: string; order: Order }
  | { type: "fill"; time: number; account: string; fill: Fill }
  | { type: "balance"; time: number; account: string; balances: Balances }
  | { type: "trade"; time: number; symbol: string; trade: PublicTrade };

export type SimListener = (event: SimEvent) => void;
/** A path point of one market: the market traded at `price` at `time`. */
export type TickListener = (symbol: string, time: number, price: number) => void;
/**
 * A candle of one market closed at `time`: row `index` of `candles`. The row itself, not a copy:
 * a backtest reads it at every close, and a candle event allocates two objects per candle.
 */
export type CloseListener = (
  symbol: string,
  time: number,
  candles: CandleSeries,
  index: number,
) => void;

const DAY_MS = 86_400_000;
/**
 * How many of an account's most recent fills `myTrades` can return. A venue keeps only recent
 * history too, and a max-speed run of weeks must not grow without bound.
 */
export const ACCOUNT_FILL_HISTORY = 5_000;
/** How many of a market's most recent user fills `trades` shows among the public trades. */
const USER_TRADE_HISTORY = 1_000;

export class Simulator {
  private readonly listeners = new Set<SimListener>();
  private readonly tickListeners = new Set<TickListener>();
  private readonly closeListeners = new Set<CloseListener>();
  private readonly list: SimMarket[];
  /** Recent fills of users' orders per market, as public trades (viewed when read). */
  private readonly userTrades = new Map<string, PublicFill[]>();
  /** Deposits and withdrawals, with their times: the accounts' ledger (movements.ts). */
  private readonly movements = new AccountMovements();
  /**
   * Order, fill, balance and trade events delivered to listeners so far (candle closes and path
   * points, the market data, are not counted): a driver lets the listeners react to these at once.
   */
  private delivered = 0;
  /** Mark price, funding, positions' views and margin settings of the contract markets. */
  readonly derivatives: PerpEngine;

  constructor(
    readonly venue: string,
    readonly exchange: Exchange,
    readonly clock: Clock,
    private readonly log: Logger,
    private readonly eventLog?: SimListener,
  ) {
    this.list = [...exchange.markets.values()];
    this.derivatives = new PerpEngine(exchange, clock.now());
    exchange.onChanges = (changes) => this.publish(changes);
  }

  /**
   * Order, fill, balance and trade events told to listeners so far: a driver that sees this grow
   * lets the code reacting to them run before time moves on (market data it may batch).
   */
  get tradingEventsDelivered(): number {
    return this.delivered;
  }

  get symbols(): string[] {
    return this.list.map((m) => m.instrument.symbol);
  }

  market(symbol: string): SimMarket {
    return this.exchange.market(symbol);
  }

  /** Time of the next market event over all feeds; Infinity when every feed is exhausted. */
  nextEventTime(): number {
    const list = this.list;
    let t = Number.POSITIVE_INFINITY;
    for (let i = 0; i < list.length; i++) {
      const next = list[i]!.feed.nextTime();
      if (next < t) t = next;
    }
    return t;
  }

  /**
   * Processes every market event due at or before `t`, in time order (ties: markets in venue-file
   * order). Returns true when a listener was told about something, so a driver knows to let the
   * listeners react before time moves on.
   */
  processUntil(t: number): boolean {
    const list = this.list;
    let told = false;
    for (;;) {
      let m: SimMarket | undefined;
      let next = Number.POSITIVE_INFINITY;
      for (let i = 0; i < list.length; i++) {
        const candidate = list[i]!;
        const at = candidate.feed.nextTime();
        if (at < next) {
          next = at;
          m = candidate;
        }
      }
      if (m === undefined || next > t) return told;
      told = this.stepMarket(m) || told;
    }
  }

  private stepMarket(m: SimMarket): boolean {
    const feed = m.feed;
    const kind = feed.step();
    m.lastTime = feed.time;
    if (kind === CLOSE) {
      const i = feed.closedCount - 1;
      const c = feed.candles;
      const closes = this.closeListeners.size > 0;
      if (closes) this.tellClose(m.instrument.symbol, feed.time, c, i);
      if (this.listeners.size === 0 && this.eventLog === undefined) return closes;
      const candle: OHLCV = [
        c.time[i]!,
        c.open[i]!,
        c.high[i]!,
        c.low[i]!,
        c.close[i]!,
        c.volume[i]!,
      ];
      this.emit({ type: "candle", time: feed.time, symbol: m.instrument.symbol, candle }, false);
      return closes || this.listeners.size > 0;
    }
    const before = this.delivered;
    const perp = this.derivatives;
    // A delivery contract past its expiry settles before the path can fill anything there.
    if (perp.deliveries.watching) this.tellBalances(perp.deliverDue(feed.time), feed.time);
    this.exchange.onPath(m, feed.price, feed.volume);
    if (m.terms !== undefined || perp.deliveries.watching) {
      this.tellBalances(perp.onPath(m, feed.time), feed.time);
    }
    // A resting order the path filled told its listeners: they must react before time moves on.
    const told = this.delivered !== before;
    if (this.tickListeners.size === 0) return told;
    for (const listener of this.tickListeners) {
      try {
        listener(m.instrument.symbol, feed.time, feed.price);
      } catch (err) {
        this.log.error({ err }, "a tick listener threw");
      }
    }
    return true;
  }

  private tellClose(symbol: string, time: number, candles: CandleSeries, index: number): void {
    for (const listener of this.closeListeners) {
      try {
        listener(symbol, time, candles, index);
      } catch (err) {
        this.log.error({ err }, "a close listener threw");
      }
    }
  }

  /** Accounts whose money the derivatives moved (funding, liquidation, delivery) are told. */
  private tellBalances(accounts: readonly string[], time: number): void {
    for (const account of accounts) {
      this.emit({ type: "balance", time, account, balances: this.balances(account) });
    }
  }

  // ---- commands (synchronous, at the matching engine; SimVenue adds latency and faults) ----

  placeOrder(account: string, input: OrderInput): Order {
    return orderView(this.exchange.place(account, input));
  }

  cancelOrder(account: string, ref: { id?: string; clientOrderId?: string }): Order {
    return orderView(this.exchange.cancel(account, ref));
  }

  cancelAllOrders(account: string, symbol?: string): Order[] {
    return this.exchange.cancelAll(account, symbol).map(orderView);
  }

  amendOrder(account: string, id: string, amount?: string, price?: string): Order {
    return orderView(this.exchange.amend(account, id, amount, price));
  }

  /**
   * Money arrives in `account` from outside the venue, now (a user's deposit): recorded in the
   * account's ledger and told as a balance change, as a venue's deposit is.
   */
  deposit(account: string, asset: string, amount: string): LedgerEntry {
    const units = this.positive(asset, amount, "deposit");
    this.exchange.ledger.deposit(account, asset, units);
    return this.booked(account, asset, units, "deposit");
  }

  /** Money leaves `account`'s free balance for outside the venue, now (a user's withdrawal). */
  withdraw(account: string, asset: string, amount: string): LedgerEntry {
    const units = this.positive(asset, amount, "withdrawal");
    this.exchange.ledger.withdraw(account, asset, units);
    return this.booked(account, asset, -units, "withdrawal");
  }

  // ---- a saved state (saved-state.ts) ----

  /**
   * The accounts' state now, as a JSON value: balances, open orders, counters, the clock. Ended
   * orders are kept only if `keep` names their client id (those someone may still look up).
   */
  save(keep: ReadonlySet<string> = new Set()): SavedExchange {
    return saveExchange(this.exchange, this.clock.now(), keep);
  }

  /**
   * Loads a saved state, before any order. The clock is the builder's to set: at `saved.time`
   * (Simulation's `resume`), or now for a live market (paper).
   */
  load(saved: SavedExchange): void {
    loadExchange(this.exchange, saved, this.venue);
  }

  // ---- queries ----

  /** `account`'s deposits and withdrawals booked at or after `since`, oldest first. */
  ledger(account: string, since?: number, currency?: string): LedgerEntry[] {
    return this.movements.since(account, since, currency);
  }

  order(account: string, ref: { id?: string; clientOrderId?: string }): Order {
    return orderView(this.exchange.findOrder(account, ref));
  }

  openOrders(account: string, symbol?: string): Order[] {
    if (symbol !== undefined) this.market(symbol);
    const out: Order[] = [];
    for (const o of this.exchange.orders.values()) {
      if (
        o.account === account &&
        o.status === "open" &&
        (symbol === undefined || o.instrument.symbol === symbol)
      ) {
        out.push(orderView(o));
      }
    }
    return out;
  }

  balances(account: string): Balances {
    return this.exchange.ledger.balances(account);
  }

  ticker(symbol: string): Ticker {
    const m = this.market(symbol);
    const now = this.clock.now();
    const ticker: Ticker = { symbol, timestamp: now };
    if (Number.isNaN(m.lastPrice)) return ticker;
    const inst = m.instrument;
    const [bid] = this.levels(m, BUY, 1);
    const [ask] = this.levels(m, SELL, 1);
    if (bid !== undefined) ticker.bid = bid[0];
    if (ask !== undefined) ticker.ask = ask[0];
    ticker.last = inst.ticksToPrice(referenceTicks(m));
    const c = m.feed.candles;
    let high = Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    let volume = 0;
    let open = Number.NaN;
    for (let i = m.feed.closedCount - 1; i >= 0 && c.time[i]! >= now - DAY_MS; i--) {
      high = Math.max(high, c.high[i]!);
      low = Math.min(low, c.low[i]!);
      volume += c.volume[i]!;
      open = c.open[i]!;
    }
    if (Number.isFinite(high)) {
      ticker.high = String(high);
      ticker.low = String(low);
      ticker.baseVolume = String(volume);
      ticker.percentage = ((m.lastPrice - open) / open) * 100;
    }
    return ticker;
  }

  /** Users' resting orders merged with the makers' quotes, best first, aggregated by price. */
  orderBook(symbol: string, limit = 20): OrderBook {
    const m = this.market(symbol);
    return {
      symbol,
      timestamp: this.clock.now(),
      bids: this.levels(m, BUY, limit),
      asks: this.levels(m, SELL, limit),
    };
  }

  ohlcv(symbol: string, timeframe = "1m", since?: number, limit = 500): OHLCV[] {
    const m = this.market(symbol);
    const c = m.feed.candles;
    const tf = parseTimeframe(timeframe);
    if (tf % c.intervalMs !== 0) {
      throw new InvalidInputError(
        `timeframe ${timeframe} is not a multiple of ${symbol}'s candle interval (${c.intervalMs / 60_000}m)`,
      );
    }
    const closed = m.feed.closedCount;
    if (closed === 0) return [];
    if (since === undefined) {
      // Only the tail a client asked for: bucket-aligned, one bucket of slack.
      const last = c.time[closed - 1]!;
      const start = last - (last % tf) - (limit - 1) * tf;
      const rows = aggregateCandles(c, firstAtOrAfter(c, closed, start), closed, tf);
      return rows.slice(-limit);
    }
    const start = since - (since % tf);
    const end = firstAtOrAfter(c, closed, start + (limit + 1) * tf);
    const rows = aggregateCandles(c, firstAtOrAfter(c, closed, start), end, tf);
    return rows.filter((r) => r[0] >= since).slice(0, limit);
  }

  trades(symbol: string, since?: number, limit = 100): PublicTrade[] {
    const m = this.market(symbol);
    const inst = m.instrument;
    const lot = Number(inst.spec.lotSize);
    const out: PublicTrade[] = [];
    let previous = Number.NaN;
    for (const p of m.feed.recentPath(limit)) {
      const lots = Math.round(p.volume / lot);
      const side = p.price < previous ? "sell" : "buy";
      previous = p.price;
      if (lots <= 0) continue;
      out.push({
        id: `${p.time}`,
        timestamp: p.time,
        symbol,
        side,
        price: inst.ticksToPrice(Math.max(1, Math.round(p.price / m.tickSize))),
        amount: inst.lotsToAmount(lots),
      });
    }
    const mine = this.userTrades.get(symbol) ?? [];
    for (let k = Math.max(0, mine.length - USER_TRADE_HISTORY); k < mine.length; k++)
      out.push(publicTrade(m, mine[k]!));
    out.sort((a, b) => a.timestamp - b.timestamp);
    const filtered = since === undefined ? out : out.filter((t) => t.timestamp >= since);
    return filtered.slice(-limit);
  }

  myTrades(account: string, symbol?: string, since?: number, limit = 500): Fill[] {
    const fills = (this.fills.get(account) ?? []).filter(
      (f) =>
        (symbol === undefined || f.order.instrument.symbol === symbol) &&
        (since === undefined || f.time >= since),
    );
    return fills.slice(-limit).map(simFillView);
  }

  // ---- events ----

  /** Order, fill, balance, candle and trade events. Returns a function that unsubscribes. */
  on(listener: SimListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every candle close of every market, as a row of its series (costs nothing when nobody listens). */
  onClose(listener: CloseListener): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Every path point of every market (costs nothing when nobody listens). */
  onTick(listener: TickListener): () => void {
    this.tickListeners.add(listener);
    return () => this.tickListeners.delete(listener);
  }

  /** Each account's recent fills, for myTrades; at most 2 × ACCOUNT_FILL_HISTORY are held. */
  private readonly fills = new Map<string, SimFill[]>();

  private positive(asset: string, amount: string, what: string): bigint {
    const units = this.exchange.ledger.units(asset, amount);
    if (units <= 0n) throw new InvalidInputError(`a ${what} must be positive, got ${amount}`);
    return units;
  }

  private booked(
    account: string,
    asset: string,
    units: bigint,
    kind: "deposit" | "withdrawal",
  ): LedgerEntry {
    const time = this.clock.now();
    const entry = this.movements.record(account, {
      timestamp: time,
      currency: asset,
      amount: this.exchange.ledger.format(asset, units),
      kind,
    });
    this.emit({ type: "balance", time, account, balances: this.balances(account) });
    return entry;
  }

  private levels(m: SimMarket, side: typeof BUY | typeof SELL, limit: number): BookLevel[] {
    const inst = m.instrument;
    const byPrice = new Map<number, number>();
    for (const [price, qty] of m.book.depth(side, limit)) byPrice.set(price, qty);
    if (!Number.isNaN(m.lastPrice)) {
      const clip = side === BUY ? m.book.bestAsk() : m.book.bestBid();
      const budget = Number.MAX_SAFE_INTEGER;
      for (const level of m.liquidity.levels(
        side,
        referenceTicks(m),
        this.clock.now(),
        clip,
        budget,
      )) {
        byPrice.set(level.price, (byPrice.get(level.price) ?? 0) + level.qty);
      }
    }
    const prices = [...byPrice.keys()]
      .sort((a, b) => (side === BUY ? b - a : a - b))
      .slice(0, limit);
    return prices.map((p) => [inst.ticksToPrice(p), inst.lotsToAmount(byPrice.get(p)!)]);
  }

  private publish(changes: Changes): void {
    const time = this.clock.now();
    for (const fill of changes.fills) {
      const account = fill.order.account;
      let list = this.fills.get(account);
      if (list === undefined) {
        list = [];
        this.fills.set(account, list);
      }
      list.push(fill);
      // Trim in batches so a long run stays bounded without a splice per fill.
      if (list.length > 2 * ACCOUNT_FILL_HISTORY)
        list.splice(0, list.length - ACCOUNT_FILL_HISTORY);
    }
    const listening = this.listeners.size > 0 || this.eventLog !== undefined;
    for (const f of changes.publicFills) {
      let list = this.userTrades.get(f.symbol);
      if (list === undefined) {
        list = [];
        this.userTrades.set(f.symbol, list);
      }
      list.push(f);
      if (list.length > 2 * USER_TRADE_HISTORY) list.splice(0, list.length - USER_TRADE_HISTORY);
      if (listening) {
        const trade = publicTrade(this.market(f.symbol), f);
        this.emit({ type: "trade", time, symbol: f.symbol, trade });
      }
    }
    if (!listening) return;
    for (const o of changes.orders) {
      this.emit({ type: "order", time, account: o.account, order: orderView(o) });
    }
    for (const f of changes.fills) {
      this.emit({ type: "fill", time, account: f.order.account, fill: simFillView(f) });
    }
    for (const account of changes.accounts) {
      this.emit({ type: "balance", time, account, balances: this.balances(account) });
    }
  }

  /** `trading`: an order, fill, balance or trade event, counted in `tradingEventsDelivered`. */
  private emit(event: SimEvent, trading = true): void {
    this.eventLog?.(event);
    if (trading && this.listeners.size > 0) this.delivered++;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, "a simulator listener threw");
      }
    }
  }
}

/** A user's fill as the market's public trade. */
function publicTrade(m: SimMarket, f: PublicFill): PublicTrade {
  return {
    id: `fill-${f.id}`,
    timestamp: f.time,
    symbol: f.symbol,
    side: f.side,
    price: m.instrument.ticksToPrice(f.ticks),
    amount: m.instrument.lotsToAmount(f.lots),
  };
}
