/**
 * PaperVenue: a real venue's live market data, crypy's own fills and balances (DESIGN.md, Venues:
 * CcxtVenue's `paper` mode). Built by createPaperVenue (create.ts).
 *
 * - Market data (loadMarkets, fetchTicker, fetchOrderBook, fetchOHLCV, fetchTrades, watchTicker,
 *   watchOHLCV) passes through to the data venue. watchOrderBook and watchTrades of a paper-traded
 *   market hand on what the paper venue's own watch of the data venue received (one consumer of the
 *   data venue's streams, so no update is split between two readers).
 * - Orders, balances, my trades, open orders, watchOrders and watchBalance are crypy's: the
 *   simulator's matching engine (src/sim) runs each market against the live L2 book and tape:
 *   1. A taker order (market, or a limit priced through the book) walks the levels of the latest
 *      book the data venue gave, at exactly their prices and sizes; what it takes stays taken until
 *      the data venue sends a newer book.
 *   2. A resting limit order joins the queue behind the size displayed at its price when placed; it
 *      fills, as maker at its own price, only from live trades: volume traded at its price first
 *      uses up the queue ahead, what is left fills it (partly, if less than its size); a trade
 *      through its price fills it in full. The book alone never fills a resting order, nor does a
 *      last price.
 *   3. Fees at the market's maker/taker rates, charged in the asset received, rounded up; balances
 *      in exact minor units; money is conserved (see create.ts).
 * - Client order ids are honoured, unique per account (a duplicate is refused with
 *   InvalidOrderError), and fetchOrder finds an order by { clientOrderId }.
 * - Time is the injected clock's; `close()` stops the feeds and rejects pending watches with
 *   ClosedError.
 */
import type { Balances } from "../../domain/balance.js";
import { ClosedError } from "../../domain/errors.js";
import type { Fill } from "../../domain/fill.js";
import type { OHLCV, OrderBook, PublicTrade, Ticker } from "../../domain/market-data.js";
import type { Order, OrderType, Side } from "../../domain/order.js";
import { FEE_ACCOUNT, MARKET_MAKER_ACCOUNT } from "../../sim/ledger.js";
import type { SavedExchange } from "../../sim/saved-state.js";
import type { Simulator } from "../../sim/simulator.js";
import { orderInput } from "../sim/order-input.js";
import { BufferedWatch, LatestWatch } from "../sim/watch.js";
import {
  type CreateOrderParams,
  type FetchOrderParams,
  type Market,
  type Num,
  numToString,
  type Venue,
  type VenueHas,
} from "../venue.js";
import type { LiveMarket } from "./live-market.js";

/** The paper account's name in the ledger. */
export const PAPER_ACCOUNT = "paper";

/** Every asset's balance in each place money can be: for conservation checks. */
export interface PaperLedger {
  /** The paper account. */
  account: Balances;
  /** Fees paid, per asset. */
  fees: Record<string, string>;
  /** The live market's net position per asset: what it received minus what it gave. */
  market: Record<string, string>;
}

export class PaperVenue implements Venue {
  readonly has: VenueHas;
  readonly streamsFormingCandles: boolean;
  private closed = false;
  private readonly orderWatch = new BufferedWatch<Order>();
  private readonly balanceWatch = new LatestWatch<Balances>();
  private readonly pending = new Set<(err: Error) => void>();
  private readonly unsubscribe: () => void;
  /** The live market's inventory at setup, per asset. */
  private readonly depth: Map<string, bigint>;

  constructor(
    readonly id: string,
    private readonly data: Venue,
    private readonly sim: Simulator,
    private readonly live: ReadonlyMap<string, LiveMarket>,
    private readonly closeData: boolean,
  ) {
    const d = data.has;
    this.streamsFormingCandles = data.streamsFormingCandles === true;
    this.has = Object.freeze({
      loadMarkets: d.loadMarkets,
      fetchTicker: d.fetchTicker,
      fetchOrderBook: d.fetchOrderBook,
      fetchOHLCV: d.fetchOHLCV,
      fetchTrades: d.fetchTrades,
      fetchBalance: true,
      createOrder: true,
      editOrder: true,
      cancelOrder: true,
      cancelAllOrders: true,
      fetchOrder: true,
      fetchOpenOrders: true,
      fetchMyTrades: true,
      // Paper money moves only by paper trades: nothing is deposited or withdrawn.
      fetchLedger: false,
      watchTicker: d.watchTicker,
      watchTrades: d.watchTrades,
      watchOrderBook: d.watchOrderBook,
      watchOHLCV: d.watchOHLCV,
      watchOrders: true,
      watchBalance: true,
      // Paper trading is spot only: the live venue's contracts are not simulated yet.
      fetchPositions: false,
      setLeverage: false,
      setMarginMode: false,
      fetchFundingRate: false,
      fetchFundingRateHistory: false,
      fetchMarkOHLCV: false,
    });
    const ledger = sim.exchange.ledger;
    this.depth = new Map(ledger.assets().map((a) => [a, ledger.free(MARKET_MAKER_ACCOUNT, a)]));
    this.unsubscribe = sim.on((event) => {
      if (event.type === "order" && event.account === PAPER_ACCOUNT) {
        this.orderWatch.push([event.order]);
      } else if (event.type === "balance" && event.account === PAPER_ACCOUNT) {
        this.balanceWatch.push(event.balances);
      }
    });
  }

  // ---- market data: the data venue's ----

  loadMarkets(reload?: boolean): Promise<Record<string, Market>> {
    return this.pass(() => this.data.loadMarkets(reload));
  }

  fetchTicker(symbol: string): Promise<Ticker> {
    return this.pass(() => this.data.fetchTicker(symbol));
  }

  async fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
    const book = await this.pass(() => this.data.fetchOrderBook(symbol, limit));
    this.live.get(symbol)?.applyBook(book);
    return book;
  }

  fetchOHLCV(symbol: string, timeframe?: string, since?: number, limit?: number): Promise<OHLCV[]> {
    return this.pass(() => this.data.fetchOHLCV(symbol, timeframe, since, limit));
  }

  fetchTrades(symbol: string, since?: number, limit?: number): Promise<PublicTrade[]> {
    return this.pass(() => this.data.fetchTrades(symbol, since, limit));
  }

  watchTicker(symbol: string): Promise<Ticker> {
    return this.pass(() => this.data.watchTicker(symbol));
  }

  watchOHLCV(symbol: string, timeframe?: string): Promise<OHLCV[]> {
    return this.pass(() => this.data.watchOHLCV(symbol, timeframe));
  }

  watchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
    const live = this.live.get(symbol);
    if (live === undefined) return this.pass(() => this.data.watchOrderBook(symbol, limit));
    if (this.closed) return this.closedError();
    live.start();
    return live.bookWatch.next();
  }

  watchTrades(symbol: string): Promise<PublicTrade[]> {
    const live = this.live.get(symbol);
    if (live === undefined) return this.pass(() => this.data.watchTrades(symbol));
    if (this.closed) return this.closedError();
    live.start();
    return live.tradeWatch.next();
  }

  // ---- the account: crypy's ----

  fetchBalance(): Promise<Balances> {
    return this.account(() => this.sim.balances(PAPER_ACCOUNT));
  }

  fetchOrder(id: string, _symbol?: string, params: FetchOrderParams = {}): Promise<Order> {
    const ref =
      params.clientOrderId !== undefined ? { clientOrderId: params.clientOrderId } : { id };
    return this.account(() => this.sim.order(PAPER_ACCOUNT, ref));
  }

  fetchOpenOrders(symbol?: string, since?: number, limit?: number): Promise<Order[]> {
    return this.account(() => {
      const open = this.sim
        .openOrders(PAPER_ACCOUNT, symbol)
        .filter((o) => since === undefined || o.timestamp >= since);
      return limit === undefined ? open : open.slice(-limit);
    });
  }

  fetchMyTrades(symbol?: string, since?: number, limit?: number): Promise<Fill[]> {
    return this.account(() => this.sim.myTrades(PAPER_ACCOUNT, symbol, since, limit));
  }

  async createOrder(
    symbol: string,
    type: OrderType,
    side: Side,
    amount: Num,
    price?: Num,
    params: CreateOrderParams = {},
  ): Promise<Order> {
    if (this.closed) return this.closedError();
    const live = this.liveMarket(symbol);
    await live.ready();
    return this.account(() =>
      this.sim.placeOrder(PAPER_ACCOUNT, orderInput(symbol, type, side, amount, price, params)),
    );
  }

  async editOrder(
    id: string,
    symbol: string,
    _type: OrderType,
    _side: Side,
    amount?: Num,
    price?: Num,
  ): Promise<Order> {
    if (this.closed) return this.closedError();
    await this.liveMarket(symbol).ready();
    return this.account(() =>
      this.sim.amendOrder(
        PAPER_ACCOUNT,
        id,
        amount === undefined ? undefined : numToString(amount),
        price === undefined ? undefined : numToString(price),
      ),
    );
  }

  cancelOrder(id: string): Promise<Order> {
    return this.account(() => this.sim.cancelOrder(PAPER_ACCOUNT, { id }));
  }

  cancelAllOrders(symbol?: string): Promise<Order[]> {
    return this.account(() => this.sim.cancelAllOrders(PAPER_ACCOUNT, symbol));
  }

  watchOrders(symbol?: string): Promise<Order[]> {
    if (this.closed) return this.closedError();
    if (symbol === undefined) return this.orderWatch.next();
    return this.orderWatch.next().then((orders) => orders.filter((o) => o.symbol === symbol));
  }

  watchBalance(): Promise<Balances> {
    if (this.closed) return this.closedError();
    return this.balanceWatch.next();
  }

  /** Where every unit of every asset is: the paper account, the fees, the live market's net. */
  ledger(): PaperLedger {
    const ledger = this.sim.exchange.ledger;
    const fees: Record<string, string> = {};
    const market: Record<string, string> = {};
    for (const asset of ledger.assets()) {
      fees[asset] = ledger.format(asset, ledger.free(FEE_ACCOUNT, asset));
      const net = ledger.free(MARKET_MAKER_ACCOUNT, asset) - this.depth.get(asset)!;
      market[asset] = (net < 0n ? "-" : "") + ledger.format(asset, net < 0n ? -net : net);
    }
    return { account: this.sim.balances(PAPER_ACCOUNT), fees, market };
  }

  /**
   * The paper account's state as a JSON value (src/sim/saved-state.ts): balances, open orders,
   * counters. Ended orders only if `keep` names their client id. The live market is not saved:
   * it is the exchange's, and goes on without crypy.
   */
  save(keep: ReadonlySet<string> = new Set()): SavedExchange {
    return this.sim.save(keep);
  }

  /** Loads what `save` gave an earlier run, before this venue takes an order. */
  load(saved: SavedExchange): void {
    this.sim.load(saved);
    // A resting order fills only from the tape: its market is watched from now on, as when placed.
    for (const order of this.sim.openOrders(PAPER_ACCOUNT)) this.live.get(order.symbol)?.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const live of this.live.values()) live.close();
    this.orderWatch.close();
    this.balanceWatch.close();
    const err = new ClosedError(`the ${this.id} connection is closed`);
    for (const reject of this.pending) reject(err);
    this.pending.clear();
    if (this.closeData) await this.data.close();
  }

  // ---- plumbing ----

  private liveMarket(symbol: string): LiveMarket {
    const live = this.live.get(symbol);
    if (live === undefined) this.sim.market(symbol); // throws UnknownMarketError naming the markets
    return live!;
  }

  private account<T>(op: () => T): Promise<T> {
    if (this.closed) return this.closedError();
    try {
      return Promise.resolve(op());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** A call to the data venue that a close rejects with ClosedError at once. */
  private pass<T>(call: () => Promise<T>): Promise<T> {
    if (this.closed) return this.closedError();
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      call()
        .then(resolve, reject)
        .finally(() => this.pending.delete(reject));
    });
  }

  private closedError<T>(): Promise<T> {
    return Promise.reject(new ClosedError(`the ${this.id} connection is closed`));
  }
}
