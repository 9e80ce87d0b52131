/**
 * The market streams: the simulator's trades, candles and books turned into Binance's stream
 * payloads, each delivered to whoever subscribed to its stream name.
 *
 * Sources: trades as they happen (the path's prints through `onTick`, users' fills through the
 * simulator's `trade` events), klines at each candle close (the simulator knows closed candles
 * only, so a kline updates once per candle of the market's data), and the book on a wall-clock
 * cadence as Binance's "update speed": every 100 ms the subscribed books are synced (depth-book.ts)
 * and `@depth@100ms` gets the updates since, `@depth` every 1000 ms (one event spanning U..u), and
 * `@bookTicker` whenever the best levels changed; `@ticker` and `@miniTicker` every 1000 ms when
 * they changed.
 *
 * Nothing listens to the simulator while nobody is subscribed: a venue server with no stream
 * client costs the replay nothing.
 */
import type { PublicTrade } from "../../domain/market-data.js";
import { parseTimeframe } from "../../sim/ohlcv.js";
import type { SimEvent, Simulator } from "../../sim/simulator.js";
import { marketId } from "../binance-spot.js";
import type { DepthBooks, DepthUpdate } from "./depth-book.js";
import {
  aggTradePayload,
  bookTickerPayload,
  depthUpdatePayload,
  klinePayload,
  miniTickerPayload,
  tickerPayload,
  tradePayload,
} from "./market-payloads.js";
import type { MarketStream, StreamNames } from "./stream-names.js";

/** Receives one stream's payloads. */
export type Sink = (payload: object) => void;

/** The wall-clock step of the book cadence: Binance's fastest update speed. */
export const CADENCE_MS = 100;
const SLOW_EVERY = 10;

interface Subscription {
  stream: MarketStream;
  sinks: Set<Sink>;
}

/** Depth updates gathered for one market and speed since its last event. */
interface Batch {
  first: number;
  last: number;
  bids: Map<string, string>;
  asks: Map<string, string>;
}

export class MarketStreams {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly batches = new Map<string, Batch>();
  private readonly lastSent = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private detach: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly books: DepthBooks,
    private readonly names: StreamNames,
  ) {
    for (const symbol of sim.symbols) this.ids.set(symbol, marketId(symbol).toLowerCase());
  }

  /** Sends stream `name`'s payloads to `sink`; undefined if `name` is no market stream. */
  subscribe(name: string, sink: Sink): (() => void) | undefined {
    const stream = this.names.parse(name);
    if (stream === undefined) return undefined;
    let sub = this.subscriptions.get(name);
    if (sub === undefined) {
      sub = { stream, sinks: new Set() };
      this.subscriptions.set(name, sub);
      if (stream.kind === "depth") this.books.sync(stream.symbol);
    }
    sub.sinks.add(sink);
    this.activate();
    return () => this.unsubscribe(name, sink);
  }

  close(): void {
    this.subscriptions.clear();
    this.deactivate();
  }

  private unsubscribe(name: string, sink: Sink): void {
    const sub = this.subscriptions.get(name);
    if (sub === undefined) return;
    sub.sinks.delete(sink);
    if (sub.sinks.size > 0) return;
    this.subscriptions.delete(name);
    this.batches.delete(name);
    this.lastSent.delete(name);
    if (this.subscriptions.size === 0) this.deactivate();
  }

  private activate(): void {
    if (this.timer !== undefined) return;
    this.detach = [
      this.sim.on((event) => this.onSimEvent(event)),
      this.sim.onTick((symbol, time) => this.onTick(symbol, time)),
      this.books.onUpdate((update) => this.onDepthUpdate(update)),
    ];
    this.beats = 0;
    this.timer = setInterval(() => this.beat(), CADENCE_MS);
  }

  private deactivate(): void {
    for (const stop of this.detach) stop();
    this.detach = [];
    clearInterval(this.timer);
    this.timer = undefined;
    this.batches.clear();
    this.lastSent.clear();
  }

  private send(name: string, payload: object): void {
    const sub = this.subscriptions.get(name);
    if (sub === undefined) return;
    for (const sink of sub.sinks) sink(payload);
  }

  private has(name: string): boolean {
    return this.subscriptions.has(name);
  }

  private onTick(symbol: string, time: number): void {
    const id = this.ids.get(symbol)!;
    if (!this.has(`${id}@trade`) && !this.has(`${id}@aggTrade`)) return;
    // The path's print at this time, as the REST trades list shows it (none for a zero volume).
    const print = this.sim.trades(symbol, time, 50).find((t) => t.id === String(time));
    if (print !== undefined) this.onTrade(id, print);
  }

  private onTrade(id: string, trade: PublicTrade): void {
    const now = this.sim.clock.now();
    if (this.has(`${id}@trade`)) this.send(`${id}@trade`, tradePayload(now, trade));
    if (this.has(`${id}@aggTrade`)) this.send(`${id}@aggTrade`, aggTradePayload(now, trade));
  }

  private onSimEvent(event: SimEvent): void {
    if (event.type === "trade") this.onTrade(this.ids.get(event.symbol)!, event.trade);
    else if (event.type === "candle") this.onCandle(event.symbol, event.candle[0]);
  }

  /** A candle of `symbol` opened at `openTime` closed: each subscribed kline containing it. */
  private onCandle(symbol: string, openTime: number): void {
    const baseMs = this.sim.market(symbol).feed.candles.intervalMs;
    for (const [name, { stream }] of this.subscriptions) {
      if (stream.kind !== "kline" || stream.symbol !== symbol) continue;
      const tf = parseTimeframe(stream.interval);
      const start = openTime - (openTime % tf);
      const row = this.sim.ohlcv(symbol, stream.interval, start, 1)[0];
      if (row === undefined) continue;
      const closed = openTime + baseMs >= start + tf;
      this.send(name, klinePayload(this.sim.clock.now(), symbol, stream.interval, tf, row, closed));
    }
  }

  private onDepthUpdate(update: DepthUpdate): void {
    const id = this.ids.get(update.symbol)!;
    for (const name of [`${id}@depth@100ms`, `${id}@depth`, `${id}@depth@1000ms`]) {
      if (!this.has(name)) continue;
      let batch = this.batches.get(name);
      if (batch === undefined) {
        batch = { first: update.id, last: update.id, bids: new Map(), asks: new Map() };
        this.batches.set(name, batch);
      }
      batch.last = update.id;
      for (const [price, qty] of update.bids) batch.bids.set(price, qty);
      for (const [price, qty] of update.asks) batch.asks.set(price, qty);
    }
  }

  /** One step of the wall-clock cadence. */
  private beat(): void {
    this.beats++;
    const slow = this.beats % SLOW_EVERY === 0;
    const synced = new Set<string>();
    for (const { stream } of this.subscriptions.values()) {
      if (stream.kind !== "depth" && stream.kind !== "bookTicker") continue;
      if (synced.has(stream.symbol)) continue;
      synced.add(stream.symbol);
      this.books.sync(stream.symbol);
    }
    const now = this.sim.clock.now();
    for (const [name, { stream }] of this.subscriptions) {
      if (stream.kind === "depth" && (stream.speedMs === 100 || slow)) this.flushDepth(name, now);
      else if (stream.kind === "bookTicker") this.sendIfChanged(name, stream.symbol, "bookTicker");
      else if ((stream.kind === "ticker" || stream.kind === "miniTicker") && slow) {
        this.sendIfChanged(name, stream.symbol, stream.kind);
      }
    }
  }

  private flushDepth(name: string, now: number): void {
    const batch = this.batches.get(name);
    const sub = this.subscriptions.get(name);
    if (batch === undefined || sub === undefined) return;
    this.batches.delete(name);
    this.send(
      name,
      depthUpdatePayload(
        now,
        sub.stream.symbol,
        batch.first,
        batch.last,
        [...batch.bids],
        [...batch.asks],
      ),
    );
  }

  /** Sends a bookTicker or ticker when its content (not its id or time) changed. */
  private sendIfChanged(
    name: string,
    symbol: string,
    kind: "bookTicker" | "ticker" | "miniTicker",
  ): void {
    let payload: object;
    let content: string;
    if (kind === "bookTicker") {
      const top = this.books.top(symbol);
      payload = bookTickerPayload(symbol, top.id, top.bid, top.ask);
      content = JSON.stringify([top.bid, top.ask]);
    } else {
      payload = (kind === "ticker" ? tickerPayload : miniTickerPayload)(this.sim, symbol);
      content = JSON.stringify({ ...payload, E: 0, O: 0, C: 0 });
    }
    if (this.lastSent.get(name) === content) return;
    this.lastSent.set(name, content);
    this.send(name, payload);
  }
}
