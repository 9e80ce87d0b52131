/**
 * A data venue whose order book and trades a test sets exactly: the market-data half of a Venue
 * (loadMarkets, fetchOrderBook, watchOrderBook, watchTrades, watchTicker) over one market,
 * BTC/USDT with tick 0.01, lot 0.001, min notional 1, maker 0.1 %, taker 0.2 %.
 */
import { NotSupportedError } from "../../../src/domain/errors.js";
import type { BookLevel, OrderBook, PublicTrade, Ticker } from "../../../src/domain/market-data.js";
import { BufferedWatch, LatestWatch } from "../../../src/venues/sim/watch.js";
import {
  type Market,
  NOTHING_SUPPORTED,
  type Venue,
  type VenueHas,
} from "../../../src/venues/venue.js";

export const BTC = "BTC/USDT";

export const MARKET: Market = {
  id: "BTCUSDT",
  symbol: BTC,
  base: "BTC",
  quote: "USDT",
  type: "spot",
  spot: true,
  active: true,
  precision: { price: "0.01", amount: "0.001" },
  limits: { amount: { min: "0.001", max: "1000" }, cost: { min: "1" } },
  maker: "0.001",
  taker: "0.002",
};

const unsupported = (what: string) => () =>
  Promise.reject(new NotSupportedError(`the scripted venue has no ${what}`));

export class ScriptedVenue implements Venue {
  readonly id = "scripted";
  readonly has: VenueHas = Object.freeze({
    ...NOTHING_SUPPORTED,
    loadMarkets: true,
    fetchOrderBook: true,
    watchOrderBook: true,
    watchTrades: true,
    watchTicker: true,
  });
  closed = false;
  /** How many times fetchOrderBook was called. */
  fetches = 0;
  private book: OrderBook = { symbol: BTC, timestamp: 0, bids: [], asks: [] };
  private readonly bookWatch = new LatestWatch<OrderBook>();
  private readonly tradeWatch = new BufferedWatch<PublicTrade>();
  private readonly tickerWatch = new LatestWatch<Ticker>();
  private nextTrade = 1;

  /** Publishes a new book (a newer timestamp unless given), best levels first. */
  setBook(bids: BookLevel[], asks: BookLevel[], timestamp = this.book.timestamp + 1): OrderBook {
    this.book = { symbol: BTC, timestamp, bids, asks };
    this.bookWatch.push(this.book);
    return this.book;
  }

  /** A public trade on the tape. */
  trade(price: string, amount: string, side: "buy" | "sell" = "sell"): void {
    const id = this.nextTrade++;
    this.tradeWatch.push([{ id: String(id), timestamp: id, symbol: BTC, side, price, amount }]);
  }

  /** The connection drops: pending book and trade watches fail with `err`. */
  fail(err: Error): void {
    this.bookWatch.fail(err);
    this.tradeWatch.fail(err);
  }

  loadMarkets(): Promise<Record<string, Market>> {
    return Promise.resolve({ [BTC]: MARKET });
  }

  fetchOrderBook(): Promise<OrderBook> {
    this.fetches++;
    return Promise.resolve(this.book);
  }

  watchOrderBook(): Promise<OrderBook> {
    return this.bookWatch.next();
  }

  watchTrades(): Promise<PublicTrade[]> {
    return this.tradeWatch.next();
  }

  watchTicker(): Promise<Ticker> {
    return this.tickerWatch.next();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bookWatch.close();
    this.tradeWatch.close();
    this.tickerWatch.close();
  }

  fetchTicker = unsupported("fetchTicker");
  fetchOHLCV = unsupported("fetchOHLCV");
  fetchTrades = unsupported("fetchTrades");
  watchOHLCV = unsupported("watchOHLCV");
  fetchBalance = unsupported("account");
  createOrder = unsupported("account");
  editOrder = unsupported("account");
  cancelOrder = unsupported("account");
  cancelAllOrders = unsupported("account");
  fetchOrder = unsupported("account");
  fetchOpenOrders = unsupported("account");
  fetchMyTrades = unsupported("account");
  watchOrders = unsupported("account");
  watchBalance = unsupported("account");
}

/** Lets the paper venue's feed loops take what was just published. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
