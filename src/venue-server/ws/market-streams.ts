/**
 * The market streams: the simulator's trades, candles and books turned into Binance's stream
 * payloads (in a dialect: spot or USDⓈ-M, stream-dialects.ts), each delivered to whoever
 * subscribed to its stream name.
 *
 * Sources: trades as they happen (the path's prints through `onTick`, users' fills through the
 * simulator's `trade` events), klines at each candle close (the simulator knows closed candles
 * only, so a kline updates once per candle of the market's data, then the next candle opens at
 * the close price with no volume, as Binance's first update of a candle looks), and the book on a wall-clock
 * cadence as Binance's "update speed": every 100 ms the subscribed books are synced (depth-book.ts)
 * and `@depth@100ms` gets the updates since, the slower speeds every 250, 500 or 1000 ms (one
 * event spanning U..u), and `@bookTicker` whenever the best levels changed; `@ticker` and
 * `@miniTicker` every 1000 ms when they changed. USDⓈ-M's `@markPrice@1s` (and `@markPrice`,
 * 3 s) go on the same cadence; `@forceOrder` tells each liquidation the perpetual engine made
 * since the last step.
 *
 * The venue file's stream faults (wire-faults.ts) act here: a diff depth event drawn as lost is
 * never sent (its ids are missing from the stream), and a message drawn as duplicated is sent
 * twice to every subscriber.
 *
 * Nothing listens to the simulator while nobody is subscribed: a venue server with no stream
 * client costs the replay nothing.
 */
import type { OHLCV, PublicTrade } from "../../domain/market-data.js";
import { parseTimeframe } from "../../sim/ohlcv.js";
import type { LiquidationRecord } from "../../sim/perp/liquidation.js";
import type { SimEvent, Simulator } from "../../sim/simulator.js";
import type { DepthBooks, DepthUpdate } from "./depth-book.js";
import { miniTickerPayload, tickerPayload } from "./market-payloads.js";
import type { StreamDialect } from "./stream-dialects.js";
import { type MarketStream, StreamNames } from "./stream-names.js";

/** Receives one stream's payloads. */
export type Sink = (payload: object) => void;

/** The wall-clock step of the book cadence: Binance's fastest update speed. */
export const CADENCE_MS = 100;
const SLOW_EVERY = 10;

/** The venue file's stream faults, drawn per message (wire-faults.ts). */
export interface MarketFaults {
  skipsDepth(): boolean;
  duplicates(): boolean;
}

const NO_FAULTS: MarketFaults = { skipsDepth: () => false, duplicates: () => false };

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
  private readonly names: StreamNames;
  private detach: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  /** The newest liquidation already told on @forceOrder. */
  private lastLiquidation: LiquidationRecord | undefined;

  constructor(
    private readonly sim: Simulator,
    private readonly books: DepthBooks,
    private readonly dialect: StreamDialect,
    private readonly faults: MarketFaults = NO_FAULTS,
  ) {
    this.names = new StreamNames(sim, dialect.symbols, dialect.futures);
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
    this.lastLiquidation = this.sim.derivatives.liquidations.at(-1);
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
    const twice = this.faults.duplicates();
    for (const sink of sub.sinks) {
      sink(payload);
      if (twice) sink(payload);
    }
  }

  private has(name: string): boolean {
    return this.subscriptions.has(name);
  }

  private onTick(symbol: string, time: number): void {
    const id = this.dialect.idOf(symbol);
    if (id === undefined) return;
    if (!this.has(`${id}@trade`) && !this.has(`${id}@aggTrade`)) return;
    // The path's print at this time, as the REST trades list shows it (none for a zero volume).
    const print = this.sim.trades(symbol, time, 50).find((t) => t.id === String(time));
    if (print !== undefined) this.onTrade(id, print);
  }

  private onTrade(id: string | undefined, trade: PublicTrade): void {
    if (id === undefined) return;
    const now = this.sim.clock.now();
    if (this.has(`${id}@trade`)) this.send(`${id}@trade`, this.dialect.trade(now, trade));
    if (this.has(`${id}@aggTrade`)) this.send(`${id}@aggTrade`, this.dialect.aggTrade(now, trade));
  }

  private onSimEvent(event: SimEvent): void {
    if (event.type === "trade") this.onTrade(this.dialect.idOf(event.symbol), event.trade);
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
      const now = this.sim.clock.now();
      this.send(name, this.dialect.kline(now, symbol, stream.interval, tf, row, closed));
      // Binance then opens the next candle (at the last price, no volume yet): a client that
      // knows a candle closed by the next one opening (ccxt's rows carry no closed flag) learns
      // it at the close, not a candle later.
      if (closed) {
        const close = row[4];
        const opening: OHLCV = [start + tf, close, close, close, close, 0];
        this.send(name, this.dialect.kline(now, symbol, stream.interval, tf, opening, false));
      }
    }
  }

  private onDepthUpdate(update: DepthUpdate): void {
    const id = this.dialect.idOf(update.symbol);
    if (id === undefined) return;
    for (const speed of ["@100ms", "", "@250ms", "@500ms", "@1000ms"]) {
      const name = `${id}@depth${speed}`;
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
    const due = (everyMs: number) => this.beats % (everyMs / CADENCE_MS) === 0;
    for (const [name, { stream }] of this.subscriptions) {
      if (stream.kind === "depth" && due(stream.speedMs)) this.flushDepth(name, now);
      else if (stream.kind === "bookTicker") this.sendIfChanged(name, stream.symbol, "bookTicker");
      else if ((stream.kind === "ticker" || stream.kind === "miniTicker") && slow) {
        this.sendIfChanged(name, stream.symbol, stream.kind);
      } else if (stream.kind === "markPrice" && due(stream.speedMs)) {
        const payload = this.dialect.markPrice(now, stream.symbol);
        if (payload !== undefined) this.send(name, payload);
      }
    }
    this.tellLiquidations(now);
  }

  /** Each liquidation since the last step, on its market's @forceOrder. */
  private tellLiquidations(now: number): void {
    const list = this.sim.derivatives.liquidations;
    const newest = list.at(-1);
    if (newest === this.lastLiquidation) return;
    const seen = this.lastLiquidation;
    this.lastLiquidation = newest;
    const from = seen === undefined ? 0 : list.lastIndexOf(seen) + 1;
    // The engine trims its list: a record no longer in it leaves the ones after its time.
    const fresh =
      from > 0 || seen === undefined ? list.slice(from) : list.filter((l) => l.time > seen.time);
    for (const l of fresh) {
      const id = this.dialect.idOf(l.symbol);
      if (id === undefined || !this.has(`${id}@forceOrder`)) continue;
      const payload = this.dialect.forceOrder(now, l);
      if (payload !== undefined) this.send(`${id}@forceOrder`, payload);
    }
  }

  private flushDepth(name: string, now: number): void {
    const batch = this.batches.get(name);
    const sub = this.subscriptions.get(name);
    if (batch === undefined || sub === undefined) return;
    this.batches.delete(name);
    // A lost packet: the event's ids never reach the client.
    if (this.faults.skipsDepth()) return;
    const { symbol } = sub.stream;
    const bids = [...batch.bids];
    const asks = [...batch.asks];
    this.send(name, this.dialect.depth(now, symbol, batch.first, batch.last, bids, asks));
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
      payload = this.dialect.bookTicker(symbol, top.id, top.bid, top.ask);
      content = JSON.stringify([top.bid, top.ask]);
    } else {
      payload = (kind === "ticker" ? tickerPayload : miniTickerPayload)(this.sim, symbol);
      if (this.dialect.futures)
        payload = { ...payload, s: this.dialect.idOf(symbol)!.toUpperCase() };
      content = JSON.stringify({ ...payload, E: 0, O: 0, C: 0 });
    }
    if (this.lastSent.get(name) === content) return;
    this.lastSent.set(name, content);
    this.send(name, payload);
  }
}
