/**
 * One paper-traded market's live inputs: the data venue's L2 book and public trades, watched in two
 * loops from the first time the market is needed until the paper venue closes.
 *
 * Rules:
 * - Every book the data venue gives (its watch, or a fetch) goes to the market's BookLiquidity,
 *   which keeps it only if it is newer than the one it has (see src/sim/book-liquidity.ts).
 * - Every public trade becomes a path point of the market's LiveFeed and is replayed at once, so
 *   resting orders meet the tape by the simulator's rules (queue position at a touched price).
 * - The reference price is the last live trade; before the first trade, the first book's mid.
 * - A watch that fails with anything but ClosedError drops the book (stale depth is worse than
 *   none; the next order fetches a fresh one) and is watched again after `retryMs`.
 * - What arrives is handed on to the paper venue's own book and trade watchers, unchanged.
 */
import { ClosedError } from "../../domain/errors.js";
import type { OrderBook, PublicTrade } from "../../domain/market-data.js";
import type { Logger } from "../../log/logger.js";
import { BUY, SELL } from "../../sim/book/index.js";
import type { BookLiquidity } from "../../sim/book-liquidity.js";
import type { LiveFeed } from "../../sim/live-feed.js";
import type { SimMarket } from "../../sim/sim-market.js";
import type { Simulator } from "../../sim/simulator.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { BufferedWatch, LatestWatch } from "../sim/watch.js";
import type { Venue } from "../venue.js";

export interface LiveInputs {
  readonly data: Venue;
  readonly sim: Simulator;
  readonly clock: Clock;
  readonly depth: number;
  readonly retryMs: number;
  readonly log: Logger;
}

export class LiveMarket {
  readonly bookWatch = new LatestWatch<OrderBook>();
  readonly tradeWatch = new BufferedWatch<PublicTrade>();
  private started = false;
  private closed = false;
  private readonly timers = new Set<TimerHandle>();
  private readonly market: SimMarket;

  constructor(
    readonly symbol: string,
    private readonly liquidity: BookLiquidity,
    private readonly feed: LiveFeed,
    private readonly inputs: LiveInputs,
  ) {
    this.market = inputs.sim.market(symbol);
  }

  /** Starts watching (once), and fetches a book when there is none to trade against. */
  async ready(): Promise<void> {
    this.start();
    if (!this.liquidity.hasBook) {
      this.applyBook(await this.inputs.data.fetchOrderBook(this.symbol, this.inputs.depth));
    }
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    const { data, depth } = this.inputs;
    void this.loop(
      () => data.watchOrderBook(this.symbol, depth),
      (book) => {
        this.applyBook(book);
        this.bookWatch.push(book);
      },
    );
    void this.loop(
      () => data.watchTrades(this.symbol),
      (trades) => this.applyTrades(trades),
    );
  }

  applyBook(book: OrderBook): void {
    if (this.closed || !this.liquidity.update(book)) return;
    const m = this.market;
    if (Number.isNaN(m.lastPrice)) {
      const bid = this.liquidity.best(BUY);
      const ask = this.liquidity.best(SELL);
      const mid = Number.isNaN(bid) ? ask : Number.isNaN(ask) ? bid : (bid + ask) / 2;
      if (!Number.isNaN(mid)) m.lastPrice = mid * m.tickSize;
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) this.inputs.clock.clearTimeout(t);
    this.timers.clear();
    this.bookWatch.close();
    this.tradeWatch.close();
  }

  private applyTrades(trades: readonly PublicTrade[]): void {
    let pushed = false;
    for (const t of trades) {
      if (t.symbol !== this.symbol) continue;
      const price = Number(t.price);
      const volume = Number(t.amount);
      if (!(price > 0 && volume > 0 && Number.isFinite(price))) continue;
      this.feed.push(t.timestamp, price, volume);
      pushed = true;
    }
    if (pushed) this.inputs.sim.processUntil(Number.POSITIVE_INFINITY);
    this.tradeWatch.push([...trades]);
  }

  private async loop<T>(watch: () => Promise<T>, apply: (value: T) => void): Promise<void> {
    while (!this.closed) {
      try {
        const value = await watch();
        if (this.closed) return;
        apply(value);
      } catch (err) {
        if (this.closed || err instanceof ClosedError) return;
        this.inputs.log.warn({ err, symbol: this.symbol }, "a live market-data watch failed");
        this.liquidity.clear();
        const error = err instanceof Error ? err : new Error(String(err));
        this.bookWatch.fail(error);
        this.tradeWatch.fail(error);
        await this.sleep(this.inputs.retryMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.inputs.clock.setTimeout(() => {
        this.timers.delete(handle);
        resolve();
      }, ms);
      this.timers.add(handle);
    });
  }
}
