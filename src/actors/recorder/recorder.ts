/**
 * The Recorder: follows market data at one or more venues through their `watch*` methods (ccxt
 * pro's on a real venue) and publishes it, normalised, on `crypy.md.<source>.<market>.<kind>`
 * with a per-stream sequence number, for any actor, a store or a replay to take.
 *
 * Rules:
 * - Each (source, market, kind) is one RecordedStream (stream.ts): numbered from 1, resubscribed
 *   when silent past three expected intervals (feed.stale), reconnected with a jittered backoff on
 *   errors (feed.reconnect); its status says how it fares.
 * - Kinds: trade (each public trade, once: a repeat of an id is left out, new-trades.ts),
 *   candle-1m (closed candles only, `{ market, candle, seq }`, each once in time order and
 *   numbered one by one, as the Desk publishes them: closed-candle-feed.ts), ticker, book, and
 *   on contract markets mark and funding (read from the funding rate structure once a second, as
 *   the Desk does), and liquidations (a Binance USDⓈ-M contract's liquidation orders, read from
 *   its raw @forceOrder stream).
 * - Books: a Binance-speaking venue's (binance spot, USDⓈ-M) are read as raw diffs with the
 *   exchange's update ids, published as a snapshot and the diffs after it (raw-book.ts,
 *   depth-feed.ts), gaps told. Any other venue's come from ccxt pro's watchOrderBook, whose
 *   resynchronisation hides the update ids: whole books of `bookDepth` levels, each a snapshot a
 *   replay can take as it is.
 * - A market the venue does not list is refused by name; a kind a venue cannot stream is skipped
 *   and said (recorder.kind_unsupported).
 * - `track <market>` and `untrack <market>` change the markets at run time; with a sink that keeps
 *   them (store/record-sink/sink.ts), they are stored, and a Recorder started without markets takes the stored ones,
 *   or DEFAULT_MARKETS (those no source lists are skipped and said: recorder.market_unlisted).
 * - Trades and 1m candles missed while a stream was disconnected are fetched over REST once it is
 *   back and published once, before its next live value (backfill.ts: feed.backfilled).
 * - Each published value also goes to the sink, if any (the local store or PostgreSQL), which
 *   may continue a stream's numbering and hold a seq back until it can account for it.
 */
import { marketData } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import { parseMarket } from "../../domain/market.js";
import type { RecordSink } from "../../store/record-sink/sink.js";
import { pollEvery } from "../../time/poll.js";
import type { Market, Venue } from "../../venues/venue.js";
import type { CommandSpec } from "../commands/types.js";
import { MARK_EVERY_MS } from "../desk/market-feeds.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import { candlesWithBackfill, tradesWithBackfill } from "./backfill.js";
import {
  binanceDepthEndpoints,
  binanceForceOrderUrl,
  parseForceOrder,
} from "./binance-depth-wire.js";
import { booksInto } from "./books-into.js";
import { closedCandleFeed } from "./closed-candle-feed.js";
import { DepthFeed } from "./depth-feed.js";
import { newTrades } from "./new-trades.js";
import { type RecordedBooks, startRawBook } from "./raw-book.js";
import { rawWatch } from "./raw-messages.js";
import { RecordedStream } from "./stream.js";

export const RECORD_KINDS = [
  "trades",
  "candles",
  "ticker",
  "book",
  "mark",
  "funding",
  "liquidations",
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The markets a Recorder started without markets follows when its store holds none. */
export const DEFAULT_MARKETS = ["ETH/USDT", "SOL/USDT"] as const;

/** The usual interval between values of each kind, for the staleness watchdog. */
const EXPECTED_MS: Record<RecordKind, number> = {
  // A quiet market may not trade for a while.
  trades: 60_000,
  candles: 60_000,
  // Binance streams them each second; a simulated venue on 1-minute candles every 15 s.
  ticker: 15_000,
  book: 15_000,
  mark: 1_000,
  funding: 1_000,
  // Liquidations are rare: an hour without one is no sign of a dead stream.
  liquidations: 3_600_000,
};

/** A raw book is silent while nothing changes (a simulated market moves each candle). */
const RAW_BOOK_EXPECTED_MS = 60_000;

export interface RecorderSource {
  /** The subject token of the source: a venue id ("binance", "sim"). */
  name: string;
  venue: Venue;
}

export interface RecorderOptions {
  id: string;
  sources: RecorderSource[];
  /** None: the sink's stored markets, or DEFAULT_MARKETS. */
  markets?: string[];
  kinds: RecordKind[];
  /** Levels of each published book (default 20). */
  bookDepth?: number;
  /** Where published values are stored besides the bus (the local store, PostgreSQL). */
  sink?: RecordSink;
  /** Where raw books (snapshots, diffs, gaps) go besides the bus; default: into the sink. */
  books?: RecordedBooks;
}

export class Recorder extends Actor {
  readonly #o: RecorderOptions;
  readonly #streams = new Map<string, RecordedStream<unknown> | DepthFeed>();
  readonly #markets = new Set<string>();
  #state = "starting";

  constructor(options: RecorderOptions, env: ActorEnv) {
    super(options.id, "recorder", env);
    this.#o = options;
  }

  get state(): string {
    return this.#state;
  }

  async start(): Promise<void> {
    this.startActor();
    const sink = this.#o.sink;
    await sink?.start((event, fields) => this.emit(event, fields));
    const given = this.#o.markets;
    const markets = given ?? (await sink?.markets?.load()) ?? [...DEFAULT_MARKETS];
    for (const market of markets) {
      if (given !== undefined) {
        await this.#track(market);
        continue;
      }
      try {
        await this.#track(market);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        this.emit("recorder.market_unlisted", { market, error: err.message });
      }
    }
    await sink?.markets?.save([...this.#markets]);
    this.#state = "recording";
    this.emit("recorder.recording", {
      sources: this.#o.sources.map((s) => s.name),
      markets: [...this.#markets],
      kinds: this.#o.kinds,
    });
  }

  async stop(): Promise<void> {
    for (const s of this.#streams.values()) s.stop();
    this.#streams.clear();
    await this.#o.sink?.stop();
    this.#state = "stopped";
    this.emit("actor.stopped");
    this.stopActor();
  }

  /** Follows `market` at every source that lists it; a market none lists is refused by name. */
  async track(market: string): Promise<{ tracking: string[] }> {
    const tracking = await this.#track(market);
    await this.#o.sink?.markets?.save(tracking.tracking);
    return tracking;
  }

  async #track(market: string): Promise<{ tracking: string[] }> {
    const id = parseMarket(market);
    let listed = 0;
    for (const source of this.#o.sources) {
      const markets = await source.venue.loadMarkets();
      if (markets[market] === undefined) continue;
      listed++;
      for (const kind of this.#o.kinds) {
        if (kind === "book" && (await this.#followRaw(source, market, markets[market]))) continue;
        if (kind === "liquidations") {
          this.#followLiquidations(source, market, markets[market]);
          continue;
        }
        await this.#follow(source, market, kind, id.kind !== "spot");
      }
    }
    if (listed === 0) {
      throw new InvalidInputError(
        `no source lists ${market} (sources: ${this.#o.sources.map((s) => s.name).join(", ")})`,
      );
    }
    this.#markets.add(market);
    return { tracking: [...this.#markets] };
  }

  async untrack(market: string): Promise<{ tracking: string[] }> {
    if (!this.#markets.delete(market)) throw new InvalidInputError(`${market} is not tracked`);
    for (const [key, stream] of this.#streams) {
      if (key.split("\u0000")[1] === market) {
        stream.stop();
        this.#streams.delete(key);
      }
    }
    await this.#o.sink?.markets?.save([...this.#markets]);
    return { tracking: [...this.#markets] };
  }

  async #follow(
    source: RecorderSource,
    market: string,
    kind: RecordKind,
    contract: boolean,
  ): Promise<void> {
    const key = `${source.name}\u0000${market}\u0000${kind}`;
    if (this.#streams.has(key)) return;
    const name = `${source.name} ${market} ${kind}`;
    const watch = this.#watchOf(source.venue, market, kind, contract, name);
    if (watch === undefined) {
      this.emit("recorder.kind_unsupported", { source: source.name, market, kind });
      return;
    }
    const opened = await this.#o.sink?.open({ source: source.name, market, kind });
    if (this.#streams.has(key)) return;
    const stream = new RecordedStream<unknown>({
      ...(opened === undefined ? {} : opened),
      name,
      watch,
      onValue: (value, seq) => this.#publish(source.name, market, kind, value, seq),
      onEvent: (event, fields) => this.emit(event, fields),
      clock: this.clock,
      expectedMs: EXPECTED_MS[kind],
    });
    this.#streams.set(key, stream);
    stream.start();
  }

  /** A Binance-speaking venue's book, from its raw diffs; false where the venue is not one. */
  async #followRaw(source: RecorderSource, market: string, info: Market): Promise<boolean> {
    const key = `${source.name}\u0000${market}\u0000book`;
    if (this.#streams.has(key)) return true;
    if (binanceDepthEndpoints(source.venue, info) === undefined) return false;
    // One numbering for the snapshots and diffs of the book, leased as the stream `book`.
    const opened = await this.#o.sink?.open({ source: source.name, market, kind: "book" });
    if (this.#streams.has(key)) return true;
    const feed = startRawBook({
      ...(opened === undefined ? {} : { opened }),
      source: source.name,
      venue: source.venue,
      market,
      info,
      bus: this.bus,
      clock: this.clock,
      books: this.#o.books ?? (this.#o.sink === undefined ? undefined : booksInto(this.#o.sink)),
      emit: (event, fields) => this.emit(event, fields),
      expectedMs: RAW_BOOK_EXPECTED_MS,
    });
    if (feed !== undefined) this.#streams.set(key, feed);
    return feed !== undefined;
  }

  /** A Binance USDⓈ-M contract's liquidation orders (raw @forceOrder); elsewhere unsupported. */
  #followLiquidations(source: RecorderSource, market: string, info: Market): void {
    const key = `${source.name}\u0000${market}\u0000liquidations`;
    if (this.#streams.has(key)) return;
    const url = binanceForceOrderUrl(source.venue, info);
    if (url === undefined) {
      this.emit("recorder.kind_unsupported", { source: source.name, market, kind: "liquidations" });
      return;
    }
    const raw = rawWatch(url, parseForceOrder);
    const stream = new RecordedStream<unknown>({
      name: `${source.name} ${market} liquidations`,
      watch: raw.watch,
      close: raw.close,
      onValue: (value, seq) => this.#publish(source.name, market, "liquidations", value, seq),
      onEvent: (event, fields) => this.emit(event, fields),
      clock: this.clock,
      expectedMs: EXPECTED_MS.liquidations,
    });
    this.#streams.set(key, stream);
    stream.start();
  }

  #watchOf(
    venue: Venue,
    market: string,
    kind: RecordKind,
    contract: boolean,
    name: string,
  ): (() => Promise<unknown>) | undefined {
    const has = venue.has;
    const emit = (event: string, fields: Record<string, unknown>) => this.emit(event, fields);
    switch (kind) {
      case "trades":
        return has.watchTrades
          ? newTrades(tradesWithBackfill(venue, market, name, emit))
          : undefined;
      case "candles":
        return has.watchOHLCV
          ? closedCandleFeed(
              candlesWithBackfill(venue, market, name, emit),
              venue.streamsFormingCandles === true,
            )
          : undefined;
      case "ticker":
        return has.watchTicker ? () => venue.watchTicker(market) : undefined;
      case "book": {
        const depth = this.#o.bookDepth ?? 20;
        return has.watchOrderBook ? () => venue.watchOrderBook(market, depth) : undefined;
      }
      case "mark":
      case "funding": {
        const fetch = venue.fetchFundingRate?.bind(venue);
        if (!contract || !has.fetchFundingRate || fetch === undefined) return undefined;
        return pollEvery(this.clock, MARK_EVERY_MS, () => fetch(market));
      }
      case "liquidations":
        return undefined;
    }
  }

  #publish(source: string, market: string, kind: RecordKind, value: unknown, seq: number): void {
    this.#toBus(source, market, kind, value, seq);
    this.#o.sink?.take({ source, market, kind }, value, seq);
  }

  #toBus(source: string, market: string, kind: RecordKind, value: unknown, seq: number): void {
    switch (kind) {
      case "trades":
        this.bus.publish(marketData(source, market, "trade"), { market, trades: value, seq });
        return;
      case "candles":
        this.bus.publish(marketData(source, market, "candle-1m"), { market, candle: value, seq });
        return;
      case "ticker":
        this.bus.publish(marketData(source, market, "ticker"), { market, ticker: value, seq });
        return;
      case "book":
        this.bus.publish(marketData(source, market, "book"), { market, book: value, seq });
        return;
      case "mark": {
        const r = value as { markPrice: string; indexPrice: string; timestamp: number };
        const mark = { markPrice: r.markPrice, indexPrice: r.indexPrice, timestamp: r.timestamp };
        this.bus.publish(marketData(source, market, "mark"), { market, mark, seq });
        return;
      }
      case "funding":
        this.bus.publish(marketData(source, market, "funding"), { market, funding: value, seq });
        return;
      case "liquidations":
        this.bus.publish(marketData(source, market, "liquidation"), {
          market,
          liquidation: value,
          seq,
        });
        return;
    }
  }

  protected status(): Record<string, unknown> {
    return {
      sources: this.#o.sources.map((s) => s.name),
      kinds: this.#o.kinds,
      tracking: [...this.#markets],
      ...(this.#o.sink === undefined ? {} : { store: this.#o.sink.status() }),
      streams: [...this.#streams].map(([key, s]) => {
        const [source, market, kind] = key.split("\u0000");
        return {
          source,
          market,
          kind,
          seq: s.seq,
          ...(s.lastValueAt === undefined ? {} : { lastValueAt: s.lastValueAt }),
          stale: s.stale,
          reconnects: s.reconnects,
          // A raw book's lost update ranges, and updates it already held (repeats).
          ...(s instanceof DepthFeed ? { gaps: s.gaps, ignored: s.ignored } : {}),
        };
      }),
    };
  }

  protected override commands(): CommandSpec[] {
    return [
      {
        name: "track",
        usage: "track <market>",
        summary: "record a market too, at every source that lists it",
        mutating: true,
        run: (args) => this.track(oneMarket("track", args)),
      },
      {
        name: "untrack",
        usage: "untrack <market>",
        summary: "stop recording a market",
        mutating: true,
        complete: (i) => (i === 0 ? [...this.#markets] : []),
        run: (args) => this.untrack(oneMarket("untrack", args)),
      },
    ];
  }
}

function oneMarket(command: string, args: readonly string[]): string {
  const market = args[0];
  if (args.length !== 1 || market === undefined)
    throw new InvalidInputError(`usage: ${command} <market>, e.g. ${command} BTC/USDT`);
  return market;
}
