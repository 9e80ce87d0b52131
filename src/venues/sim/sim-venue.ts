/**
 * SimVenue: the Venue interface over the simulator, as one account's connection. Every request goes
 * through the gate (latency both ways, rate limit, faults) on the simulator's clock, so a backtest
 * on a VirtualClock and a live simulation on a WallClock see the same venue.
 *
 * Watches deliver in order (TCP-like: a later update never overtakes an earlier one) after one-way
 * latency; during a stale-data window market-data watches get nothing and fetches return data as
 * of the window's start; a disconnect window fails requests and pending watches with NetworkError.
 */
import type { Balances } from "../../domain/balance.js";
import type {
  FundingRate,
  FundingRateHistory,
  MarginMode,
  Position,
} from "../../domain/derivatives.js";
import { ClosedError, InvalidInputError, NetworkError } from "../../domain/errors.js";
import type { Fill } from "../../domain/fill.js";
import type { BalancesAt, LedgerEntry } from "../../domain/ledger-entry.js";
import type { OHLCV, OrderBook, PublicTrade, Ticker } from "../../domain/market-data.js";
import type { Order, OrderType, Side } from "../../domain/order.js";
import type { Simulator } from "../../sim/simulator.js";
import {
  type CreateOrderParams,
  type FetchOrderParams,
  type Market,
  type Num,
  numToString,
  type Venue,
  type VenueHas,
} from "../venue.js";
import type { RequestKind, SimGate } from "./gate.js";
import { marketView } from "./market-view.js";
import { orderInput } from "./order-input.js";
import { BufferedWatch, LatestWatch } from "./watch.js";

const SUPPORTED: VenueHas = Object.freeze({
  loadMarkets: true,
  fetchTicker: true,
  fetchOrderBook: true,
  fetchOHLCV: true,
  fetchTrades: true,
  fetchBalance: true,
  createOrder: true,
  editOrder: true,
  cancelOrder: true,
  cancelAllOrders: true,
  fetchOrder: true,
  fetchOpenOrders: true,
  fetchMyTrades: true,
  fetchLedger: true,
  watchTicker: true,
  watchTrades: true,
  watchOrderBook: true,
  watchOHLCV: true,
  watchOrders: true,
  watchBalance: true,
  fetchPositions: true,
  setLeverage: true,
  setMarginMode: true,
  fetchFundingRate: true,
  fetchFundingRateHistory: true,
  fetchMarkOHLCV: true,
});

export class SimVenue implements Venue {
  readonly has = SUPPORTED;
  private closed = false;
  private lastDelivery = Number.NEGATIVE_INFINITY;
  private readonly frozen = new Map<string, unknown>();
  private readonly tickers = new Map<string, LatestWatch<Ticker>>();
  private readonly books = new Map<string, { watch: LatestWatch<OrderBook>; limit: number }>();
  private readonly tradeWatches = new Map<string, BufferedWatch<PublicTrade>>();
  private readonly candleWatches = new Map<string, BufferedWatch<OHLCV>>();
  private readonly orderWatch = new BufferedWatch<Order>();
  private readonly balanceWatch = new LatestWatch<BalancesAt>();
  private readonly unsubscribe: Array<() => void> = [];
  private subscribed = false;

  constructor(
    private readonly sim: Simulator,
    private readonly gate: SimGate,
    readonly account: string,
  ) {
    if (!sim.exchange.ledger.accounts().includes(account)) {
      throw new InvalidInputError(
        `${sim.venue} has no account ${JSON.stringify(account)} (accounts: ${sim.exchange.ledger
          .accounts()
          .filter((a) => !a.startsWith("__"))
          .join(", ")})`,
      );
    }
  }

  get id(): string {
    return this.sim.venue;
  }

  // ---- market data ----

  loadMarkets(): Promise<Record<string, Market>> {
    return this.request("market-data", () => {
      const out: Record<string, Market> = {};
      for (const symbol of this.sim.symbols) out[symbol] = marketView(this.sim, symbol);
      return out;
    });
  }

  fetchTicker(symbol: string): Promise<Ticker> {
    return this.marketData(`ticker:${symbol}`, () => this.sim.ticker(symbol));
  }

  fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
    return this.marketData(`book:${symbol}:${limit}`, () => this.sim.orderBook(symbol, limit));
  }

  fetchOHLCV(symbol: string, timeframe = "1m", since?: number, limit?: number): Promise<OHLCV[]> {
    return this.marketData(`ohlcv:${symbol}:${timeframe}:${since}:${limit}`, () =>
      this.sim.ohlcv(symbol, timeframe, since, limit),
    );
  }

  fetchTrades(symbol: string, since?: number, limit?: number): Promise<PublicTrade[]> {
    return this.marketData(`trades:${symbol}:${since}:${limit}`, () =>
      this.sim.trades(symbol, since, limit),
    );
  }

  // ---- account ----

  fetchBalance(): Promise<Balances> {
    return this.request("account", () => this.sim.balances(this.account));
  }

  /** The balances and the simulated time they were read at. */
  fetchBalanceAt(): Promise<BalancesAt> {
    return this.request("account", () => ({
      balances: this.sim.balances(this.account),
      timestamp: this.sim.clock.now(),
    }));
  }

  /** The account's deposits and withdrawals (Simulator.deposit / withdraw) since `since`. */
  fetchLedger(code?: string, since?: number, limit?: number): Promise<LedgerEntry[]> {
    return this.request("account", () => {
      const entries = this.sim.ledger(this.account, since, code);
      return limit === undefined ? entries : entries.slice(0, limit);
    });
  }

  fetchOrder(id: string, _symbol?: string, params: FetchOrderParams = {}): Promise<Order> {
    const ref =
      params.clientOrderId !== undefined ? { clientOrderId: params.clientOrderId } : { id };
    return this.request("account", () => this.sim.order(this.account, ref));
  }

  fetchOpenOrders(symbol?: string, since?: number, limit?: number): Promise<Order[]> {
    return this.request("account", () => {
      const open = this.sim
        .openOrders(this.account, symbol)
        .filter((o) => since === undefined || o.timestamp >= since);
      return limit === undefined ? open : open.slice(-limit);
    });
  }

  fetchMyTrades(symbol?: string, since?: number, limit?: number): Promise<Fill[]> {
    return this.request("account", () => this.sim.myTrades(this.account, symbol, since, limit));
  }

  // ---- orders ----

  createOrder(
    symbol: string,
    type: OrderType,
    side: Side,
    amount: Num,
    price?: Num,
    params: CreateOrderParams = {},
  ): Promise<Order> {
    return this.request("order", () =>
      this.sim.placeOrder(this.account, orderInput(symbol, type, side, amount, price, params)),
    );
  }

  editOrder(
    id: string,
    _symbol: string,
    _type: OrderType,
    _side: Side,
    amount?: Num,
    price?: Num,
  ): Promise<Order> {
    return this.request("order", () =>
      this.sim.amendOrder(
        this.account,
        id,
        amount === undefined ? undefined : numToString(amount),
        price === undefined ? undefined : numToString(price),
      ),
    );
  }

  cancelOrder(id: string): Promise<Order> {
    return this.request("order", () => this.sim.cancelOrder(this.account, { id }));
  }

  cancelAllOrders(symbol?: string): Promise<Order[]> {
    return this.request("order", () => this.sim.cancelAllOrders(this.account, symbol));
  }

  // ---- derivatives ----

  fetchPositions(symbols?: string[]): Promise<Position[]> {
    return this.request("account", () => this.sim.derivatives.positions(this.account, symbols));
  }

  setLeverage(leverage: number, symbol: string): Promise<{ symbol: string; leverage: number }> {
    return this.request("order", () => {
      this.sim.derivatives.setLeverage(this.account, symbol, leverage);
      return { symbol, leverage };
    });
  }

  setMarginMode(
    marginMode: MarginMode,
    symbol: string,
  ): Promise<{ symbol: string; marginMode: MarginMode }> {
    return this.request("order", () => {
      this.sim.derivatives.setMarginMode(this.account, symbol, marginMode);
      return { symbol, marginMode };
    });
  }

  fetchFundingRate(symbol: string): Promise<FundingRate> {
    return this.request("market-data", () =>
      this.sim.derivatives.fundingRate(symbol, this.sim.clock.now()),
    );
  }

  fetchFundingRateHistory(
    symbol: string,
    since?: number,
    limit?: number,
  ): Promise<FundingRateHistory[]> {
    return this.request("market-data", () =>
      this.sim.derivatives.fundingHistory(symbol, since, limit),
    );
  }

  fetchMarkOHLCV(
    symbol: string,
    timeframe = "1m",
    since?: number,
    limit?: number,
  ): Promise<OHLCV[]> {
    return this.request("market-data", () =>
      this.sim.derivatives.markOHLCV(symbol, timeframe, since, limit),
    );
  }

  // ---- watches ----

  watchTicker(symbol: string): Promise<Ticker> {
    this.sim.market(symbol);
    return this.watchOf(this.tickers, symbol, () => new LatestWatch<Ticker>()).next();
  }

  watchOrderBook(symbol: string, limit = 20): Promise<OrderBook> {
    this.sim.market(symbol);
    let entry = this.books.get(symbol);
    if (entry === undefined) {
      entry = { watch: new LatestWatch<OrderBook>(), limit };
      this.books.set(symbol, entry);
    }
    entry.limit = limit;
    this.subscribe();
    return entry.watch.next();
  }

  watchTrades(symbol: string): Promise<PublicTrade[]> {
    this.sim.market(symbol);
    return this.watchOf(this.tradeWatches, symbol, () => new BufferedWatch<PublicTrade>()).next();
  }

  watchOHLCV(symbol: string, timeframe = "1m"): Promise<OHLCV[]> {
    this.sim.ohlcv(symbol, timeframe, undefined, 1); // validates symbol and timeframe now
    const key = `${symbol}\u0000${timeframe}`;
    return this.watchOf(this.candleWatches, key, () => new BufferedWatch<OHLCV>()).next();
  }

  watchOrders(symbol?: string): Promise<Order[]> {
    this.subscribe();
    if (symbol === undefined) return this.orderWatch.next();
    return this.orderWatch.next().then((orders) => orders.filter((o) => o.symbol === symbol));
  }

  watchBalance(): Promise<Balances> {
    this.subscribe();
    return this.balanceWatch.next().then((update) => update.balances);
  }

  watchBalanceAt(): Promise<BalancesAt> {
    this.subscribe();
    return this.balanceWatch.next();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribe) off();
    for (const w of this.tickers.values()) w.close();
    for (const { watch } of this.books.values()) watch.close();
    for (const w of this.tradeWatches.values()) w.close();
    for (const w of this.candleWatches.values()) w.close();
    this.orderWatch.close();
    this.balanceWatch.close();
  }

  // ---- plumbing ----

  private request<T>(kind: RequestKind, op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError(`the ${this.id} connection is closed`));
    const clock = this.sim.clock;
    return new Promise<T>((resolve, reject) => {
      clock.setTimeout(() => {
        let settle: () => void;
        try {
          this.gate.admit(this.account, kind, clock.now());
          const value = op();
          settle = () => resolve(value);
        } catch (err) {
          settle = () => reject(err);
        }
        clock.setTimeout(settle, this.gate.oneWay());
      }, this.gate.oneWay());
    });
  }

  /** Market data fetches: frozen at the start of a stale-data window. */
  private marketData<T>(key: string, read: () => T): Promise<T> {
    return this.request("market-data", () => {
      if (this.gate.staleSince(this.sim.clock.now()) === undefined) {
        const value = read();
        this.frozen.set(key, value);
        return value;
      }
      return (this.frozen.get(key) as T | undefined) ?? read();
    });
  }

  private watchOf<W>(map: Map<string, W>, key: string, make: () => W): W {
    let w = map.get(key);
    if (w === undefined) {
      w = make();
      map.set(key, w);
    }
    this.subscribe();
    return w;
  }

  /** Delivers after one-way latency, never before an earlier delivery (in-order stream). */
  private deliver(fn: () => void): void {
    const clock = this.sim.clock;
    const at = Math.max(clock.now() + this.gate.oneWay(), this.lastDelivery);
    this.lastDelivery = at;
    clock.setTimeout(fn, at - clock.now());
  }

  private subscribe(): void {
    if (this.subscribed || this.closed) return;
    this.subscribed = true;
    this.unsubscribe.push(
      this.sim.onTick((symbol, time) => this.onTick(symbol, time)),
      this.sim.on((event) => {
        const now = this.sim.clock.now();
        if (this.gate.isDisconnected(now)) {
          this.failAll(now);
          return;
        }
        switch (event.type) {
          case "candle": {
            if (this.gate.staleSince(now) !== undefined) return;
            for (const [key, watch] of this.candleWatches) {
              const [symbol, timeframe] = key.split("\u0000") as [string, string];
              if (symbol !== event.symbol) continue;
              const [latest] = this.sim.ohlcv(symbol, timeframe, undefined, 1);
              if (latest !== undefined) this.deliver(() => watch.push([latest]));
            }
            return;
          }
          case "trade": {
            const watch = this.tradeWatches.get(event.symbol);
            if (watch !== undefined) this.deliver(() => watch.push([event.trade]));
            return;
          }
          case "order":
            if (event.account === this.account)
              this.deliver(() => this.orderWatch.push([event.order]));
            return;
          case "balance":
            if (event.account === this.account) {
              const update = { balances: event.balances, timestamp: event.time };
              this.deliver(() => this.balanceWatch.push(update));
            }
            return;
          default:
            return;
        }
      }),
    );
  }

  private onTick(symbol: string, time: number): void {
    if (this.gate.isDisconnected(time)) {
      this.failAll(time);
      return;
    }
    if (this.gate.staleSince(time) !== undefined) return;
    const ticker = this.tickers.get(symbol);
    if (ticker?.waiting) {
      const value = this.sim.ticker(symbol);
      this.deliver(() => ticker.push(value));
    }
    const book = this.books.get(symbol);
    if (book?.watch.waiting) {
      const value = this.sim.orderBook(symbol, book.limit);
      this.deliver(() => book.watch.push(value));
    }
    const trades = this.tradeWatches.get(symbol);
    if (trades !== undefined) {
      const [trade] = this.sim.trades(symbol, time, 1);
      if (trade !== undefined && trade.timestamp === time) this.deliver(() => trades.push([trade]));
    }
  }

  private failAll(now: number): void {
    const err = new NetworkError(`${this.id}: connection lost (simulated disconnect at ${now})`);
    for (const w of this.tickers.values()) w.fail(err);
    for (const { watch } of this.books.values()) watch.fail(err);
    for (const w of this.tradeWatches.values()) w.fail(err);
    for (const w of this.candleWatches.values()) w.fail(err);
    this.orderWatch.fail(err);
    this.balanceWatch.fail(err);
  }
}
