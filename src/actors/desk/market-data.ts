/**
 * The Desk's market data: what it publishes for each watched market (closed candles and tickers,
 * each message with a per-subject sequence number so a subscriber can see a gap) and the cache it
 * answers from, so a Trader warms up without touching the venue.
 *
 * Contract markets also carry, from the venue's funding rate structure:
 * - `mark`: the mark and index price at each reading ({market, mark: {markPrice, indexPrice,
 *   timestamp}, seq}); unrealised PnL and liquidation are measured at the mark, not the last trade.
 * - `funding`: the funding rate structure ({market, funding, seq}) whenever the rate, the next
 *   funding time or the last settled funding changed, so a subscriber sees each settlement once.
 */
import type { Bus } from "../../bus/bus.js";
import { deskBalance, marketData } from "../../bus/subjects.js";
import type { Balances } from "../../domain/balance.js";
import type { FundingRate } from "../../domain/derivatives.js";
import { InvalidInputError } from "../../domain/errors.js";
import { mulDiv, parseDecimal, rescale } from "../../domain/fixed.js";
import type { OHLCV, OrderBook, Ticker } from "../../domain/market-data.js";

/** Decimals balances and prices are read at for equity: beyond any asset's minor unit. */
const PRICE_SCALE = 18;

export type CacheRequest =
  | { op: "candles"; market: string; limit?: number }
  | { op: "ticker"; market: string }
  | { op: "book"; market: string; limit?: number }
  | { op: "funding"; market: string }
  | { op: "balance" };

export class DeskMarketData {
  private readonly candles = new Map<string, OHLCV[]>();
  private readonly tickers = new Map<string, Ticker>();
  private readonly funding = new Map<string, FundingRate>();
  private readonly seqs = new Map<string, number>();
  private balances: Balances | undefined;

  /**
   * `publishLater` sends what nobody waits on (balance updates) after the turn's hot work, e.g. a
   * reply to an order; candles and tickers go out at once on `bus`.
   */
  constructor(
    private readonly bus: Bus,
    private readonly desk: string,
    private readonly watch: readonly string[],
    private readonly cacheCandles: number,
    private readonly publishLater: (subject: string, payload: unknown) => void,
    /** The venue's order book of a market, fetched when asked. */
    private readonly book: (market: string, limit: number) => Promise<OrderBook>,
  ) {}

  /** History fetched at start: the cache begins with it, nothing is published for it. */
  seed(market: string, history: OHLCV[]): void {
    this.candles.set(market, history.slice(-this.cacheCandles));
  }

  /** New closed candles: cached and published, each once, in time order. */
  onCandles(market: string, candles: OHLCV[]): void {
    const cache = this.candles.get(market) ?? [];
    for (const candle of candles) {
      if (cache.length > 0 && cache[cache.length - 1]![0] >= candle[0]) continue;
      cache.push(candle);
      this.bus.publish(marketData(this.desk, market, "candle-1m"), {
        market,
        candle,
        seq: this.nextSeq(market, "candle"),
      });
    }
    if (cache.length > this.cacheCandles) cache.splice(0, cache.length - this.cacheCandles);
    this.candles.set(market, cache);
  }

  onTicker(market: string, ticker: Ticker): void {
    this.tickers.set(market, ticker);
    this.bus.publish(marketData(this.desk, market, "ticker"), {
      market,
      ticker,
      seq: this.nextSeq(market, "ticker"),
    });
  }

  /** A reading of a contract market's funding rate structure: its mark, and funding if it moved. */
  onFunding(market: string, rate: FundingRate): void {
    const before = this.funding.get(market);
    this.funding.set(market, rate);
    const { markPrice, indexPrice, timestamp } = rate;
    this.bus.publish(marketData(this.desk, market, "mark"), {
      market,
      mark: { markPrice, indexPrice, timestamp },
      seq: this.nextSeq(market, "mark"),
    });
    if (
      before === undefined ||
      before.fundingRate !== rate.fundingRate ||
      before.fundingTimestamp !== rate.fundingTimestamp ||
      before.previousFundingTimestamp !== rate.previousFundingTimestamp
    ) {
      this.bus.publish(marketData(this.desk, market, "funding"), {
        market,
        funding: rate,
        seq: this.nextSeq(market, "funding"),
      });
    }
  }

  onBalances(balances: Balances): void {
    this.balances = balances;
    this.publishLater(deskBalance(this.desk), { balances });
  }

  /** The account's last known balances. */
  balance(): Balances | undefined {
    return this.balances;
  }

  /**
   * The balances marked at the last prices, in `quote` minor units at `decimals`; undefined until
   * every held asset has a price. Exact: amount × price in integers, rounded half-even once.
   */
  equityIn(quote: string, decimals: number): bigint | undefined {
    if (this.balances === undefined) return undefined;
    let total = 0n;
    for (const [asset, b] of Object.entries(this.balances)) {
      const amount = parseDecimal(b?.total ?? "0", PRICE_SCALE, "half-even");
      if (amount === 0n) continue;
      if (asset === quote) {
        total += rescale(amount, PRICE_SCALE, decimals, "half-even");
        continue;
      }
      const last = this.tickers.get(`${asset}/${quote}`)?.last;
      if (last === undefined) return undefined;
      const price = parseDecimal(last, PRICE_SCALE, "half-even");
      total += mulDiv(amount, price, 10n ** BigInt(2 * PRICE_SCALE - decimals), "half-even");
    }
    return total;
  }

  ticker(market: string): Ticker | undefined {
    return this.tickers.get(market);
  }

  /** Answers `crypy.desk.<desk>.cache`: recent candles, the last ticker, the balance, the book. */
  answer(r: CacheRequest): unknown {
    if (r !== null && typeof r === "object" && r.op === "balance") return this.balances ?? null;
    if (r === null || typeof r !== "object" || typeof r.market !== "string") {
      throw new InvalidInputError("a cache request needs an op and a market");
    }
    if (!this.watch.includes(r.market))
      throw new InvalidInputError(`${this.desk} does not watch ${r.market}`);
    if (r.op === "ticker") return this.tickers.get(r.market) ?? null;
    if (r.op === "funding") return this.funding.get(r.market) ?? null;
    // The book is not cached: it is fresh from the venue.
    if (r.op === "book") return this.book(r.market, typeof r.limit === "number" ? r.limit : 20);
    if (r.op === "candles") {
      const cache = this.candles.get(r.market) ?? [];
      const limit = typeof r.limit === "number" && r.limit > 0 ? Math.floor(r.limit) : cache.length;
      return cache.slice(-limit);
    }
    throw new InvalidInputError(`unknown cache op ${JSON.stringify((r as { op?: unknown }).op)}`);
  }

  private nextSeq(market: string, kind: string): number {
    const key = `${market}\u0000${kind}`;
    const n = (this.seqs.get(key) ?? 0) + 1;
    this.seqs.set(key, n);
    return n;
  }
}
