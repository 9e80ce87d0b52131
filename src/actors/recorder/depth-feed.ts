/**
 * The Recorder's order book of a Binance-speaking market, read from the exchange's raw diff depth
 * stream (over `ws`) and REST depth snapshots, kept by Binance's documented rules (book-sync.ts:
 * spot U/u against lastUpdateId, USDⓈ-M pu), and handed on as a snapshot followed by the diffs
 * applied to it, so any consumer, a store or a replay rebuilds the exchange's book exactly.
 *
 * Why raw diffs: ccxt pro's watchOrderBook resynchronises internally and hides the exchange's
 * update ids, so a book recorded from it cannot be checked or replayed diff by diff. For Binance
 * (real, testnet, or `crypy venue serve`) the Recorder therefore reads the raw stream itself;
 * every other venue keeps ccxt's book (whole books, recorder.ts).
 *
 * Rules:
 * - The stream opens first; its events are buffered; the REST snapshot is fetched once the first
 *   event is in (as Binance's "manage a local order book" says), joined to the buffer, and handed
 *   on as a snapshot: `sequence` is the update id the joined book is at, its levels the whole
 *   book. Each diff applied after it is handed on as it came (first U, last u, prev pu).
 * - A snapshot older than the buffer is fetched again after RETRY_MS, until one joins.
 * - A diff that does not follow the book (U past id + 1; futures: pu not the last u) is a gap:
 *   the missing ids `from`..`to` are told (`feed.gap` and onGap), the book is dropped and a fresh
 *   snapshot joins the diffs from there on.
 * - A diff at or below the book's id (a message delivered twice) is ignored and counted, no gap.
 * - A dropped connection or a failed snapshot reconnects after a Backoff delay (feed.reconnect)
 *   and starts over: buffer, snapshot, diffs. A stream silent past `expectedMs` × `graceFactor` is
 *   stale (feed.stale) and reconnects the same way. A synced snapshot resets the backoff.
 * - Sequence numbers (`seq`) are per feed, from 1, one per message handed on, never reused.
 * - `stop` ends it: nothing is handed on after it, the socket is closed.
 */
import WebSocket from "ws";
import { type BookLevel, BookSync } from "../../domain/book-sync.js";
import { Backoff, type BackoffOptions } from "../../time/backoff.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { type DepthEndpoints, parseDepthEvent, parseDepthSnapshot } from "./binance-depth-wire.js";

/** The whole book at `sequence` (the exchange's update id). */
export interface BookSnapshotEvent {
  sequence: number;
  bids: BookLevel[];
  asks: BookLevel[];
  /** The exchange's time of the snapshot; spot REST gives none: the last diff's, else the clock's. */
  time: number;
}

/** The exchange's diff: ids `first`..`last` (U, u), `prev` the previous diff's u (futures pu). */
export interface BookDiffEvent {
  first: number;
  last: number;
  prev?: number;
  bids: BookLevel[];
  asks: BookLevel[];
  time: number;
}

/** Exchange update ids missing from the stream, `from` to `to` inclusive. */
export interface BookGap {
  from: number;
  to: number;
  reason: string;
}

export type DepthFeedEvent = "feed.gap" | "feed.reconnect" | "feed.stale" | "feed.bad_value";

export interface DepthFeedOptions {
  /** e.g. "binance BTC/USDT book": named in events. */
  name: string;
  endpoints: DepthEndpoints;
  clock: Clock;
  onSnapshot: (snapshot: BookSnapshotEvent, seq: number) => void;
  onDiff: (diff: BookDiffEvent, seq: number) => void;
  onGap: (gap: BookGap) => void;
  onEvent: (event: DepthFeedEvent, fields: Record<string, unknown>) => void;
  expectedMs: number;
  graceFactor?: number;
  backoff?: BackoffOptions;
  /** GET a JSON document (default: fetch, 10 s timeout). */
  fetchJson?: (url: string) => Promise<unknown>;
  /** The first seq handed on (default 1): a store's lease continues an earlier run's numbering. */
  firstSeq?: number;
  /**
   * A store's durable lease of `seq`: undefined when it may go at once, else the promise to await.
   * Events wait for it in order, so seqs still reach the bus one by one, numbered without a hole.
   */
  reserve?: (seq: number) => Promise<void> | undefined;
}

/** Wait before asking again for a snapshot the buffer had outrun. */
const RETRY_MS = 250;
/** Snapshots tried before the feed reconnects instead. */
const SNAPSHOT_TRIES = 20;

export class DepthFeed {
  readonly #o: DepthFeedOptions;
  readonly #backoff: Backoff;
  readonly #fetch: (url: string) => Promise<unknown>;
  #seq: number;
  /** Events waiting for their seq's lease, in order (undefined: none). */
  #waiting: Promise<void> | undefined;
  /** Bumped on each connection and at stop: events of an older one are dropped. */
  #generation = 0;
  #running = false;
  #ws: WebSocket | undefined;
  #sync: BookSync;
  #snapshotting = false;
  #watchdog: TimerHandle | undefined;
  #lastValueAt: number | undefined;
  /** The exchange's time of the last diff seen (Binance's E). */
  #exchangeTime: number | undefined;
  stale = 0;
  reconnects = 0;
  gaps = 0;
  /** Diffs at or below the book's id: delivered twice, or already in the snapshot. */
  ignored = 0;

  constructor(options: DepthFeedOptions) {
    this.#o = options;
    this.#backoff = new Backoff(options.backoff ?? { baseMs: 1_000, capMs: 60_000 });
    this.#fetch = options.fetchJson ?? fetchJson;
    this.#sync = new BookSync(options.endpoints.rule);
    this.#seq = (options.firstSeq ?? 1) - 1;
  }

  /** The last sequence number handed on (0: none yet). */
  get seq(): number {
    return this.#seq;
  }

  get lastValueAt(): number | undefined {
    return this.#lastValueAt;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    this.#disarm();
    this.#ws?.terminate();
    this.#ws = undefined;
  }

  #connect(): void {
    const generation = ++this.#generation;
    this.#sync = new BookSync(this.#o.endpoints.rule);
    this.#snapshotting = false;
    const ws = new WebSocket(this.#o.endpoints.streamUrl);
    this.#ws = ws;
    ws.on("open", () => {
      if (generation === this.#generation) this.#arm(generation);
    });
    ws.on("message", (data) => {
      if (generation === this.#generation) this.#onMessage(generation, String(data));
    });
    // A failed dial or a broken connection: "close" follows and reconnects.
    ws.on("error", () => {});
    ws.on("close", () => {
      if (this.#running && generation === this.#generation) this.#reconnect("connection lost");
    });
  }

  #reconnect(why: string): void {
    const waiting = ++this.#generation;
    this.#disarm();
    this.#ws?.terminate();
    this.#ws = undefined;
    const delay = this.#backoff.next();
    this.reconnects++;
    this.#o.onEvent("feed.reconnect", {
      stream: this.#o.name,
      attempt: this.#backoff.attempt,
      delayMs: delay,
      error: why,
    });
    this.#o.clock.setTimeout(() => {
      if (this.#running && waiting === this.#generation) this.#connect();
    }, delay);
  }

  #onMessage(generation: number, text: string): void {
    let diff: ReturnType<typeof parseDepthEvent>;
    try {
      diff = parseDepthEvent(JSON.parse(text));
    } catch (err) {
      this.#o.onEvent("feed.bad_value", { stream: this.#o.name, error: String(err) });
      return;
    }
    if (diff === undefined) return;
    this.#lastValueAt = this.#o.clock.now();
    this.#exchangeTime = diff.time;
    this.#arm(generation);
    const before = this.#sync.id;
    const step = this.#sync.onDiff(diff);
    switch (step.kind) {
      case "buffered":
        void this.#snapshot(generation);
        return;
      case "ignored":
        this.ignored++;
        return;
      case "applied": {
        const { first, last, previous, bids, asks, time } = diff;
        const event: BookDiffEvent = { first, last, bids: [...bids], asks: [...asks], time };
        if (previous !== undefined) event.prev = previous;
        this.#handOn((seq) => this.#o.onDiff(event, seq));
        return;
      }
      case "gap": {
        const from = (before ?? 0) + 1;
        const to = diff.previous ?? diff.first - 1;
        this.gaps++;
        this.#o.onGap({ from, to, reason: step.why });
        this.#o.onEvent("feed.gap", { stream: this.#o.name, from, to, reason: step.why });
        // The diff that showed the gap starts the new buffer; a fresh snapshot joins it.
        this.#sync.onDiff(diff);
        void this.#snapshot(generation);
        return;
      }
      default:
        return;
    }
  }

  /** Fetches snapshots until one joins the buffered diffs, then hands it on. */
  async #snapshot(generation: number): Promise<void> {
    if (this.#snapshotting) return;
    this.#snapshotting = true;
    try {
      for (let tries = 0; tries < SNAPSHOT_TRIES; tries++) {
        await this.#o.endpoints.weigh?.();
        const body = await this.#fetch(this.#o.endpoints.snapshotUrl);
        if (generation !== this.#generation) return;
        const snapshot = parseDepthSnapshot(body);
        const step = this.#sync.onSnapshot(snapshot);
        if (step.kind === "synced") {
          this.#backoff.reset();
          const event: BookSnapshotEvent = {
            sequence: step.id,
            bids: this.#sync.levels("bids"),
            asks: this.#sync.levels("asks"),
            // Spot's REST snapshot has no time: that of the last diff seen, in the exchange's
            // time as every stored diff is, so a store orders them alike.
            time: snapshot.time ?? this.#exchangeTime ?? Math.floor(this.#o.clock.now()),
          };
          this.#handOn((seq) => this.#o.onSnapshot(event, seq));
          return;
        }
        // Older than the buffer, or the buffer itself broken: the stream runs on; ask again.
        await new Promise<void>((resolve) => this.#o.clock.setTimeout(resolve, RETRY_MS));
        if (generation !== this.#generation) return;
      }
      throw new Error(`no snapshot joined the stream in ${SNAPSHOT_TRIES} tries`);
    } catch (err) {
      if (this.#running && generation === this.#generation) this.#reconnect(String(err));
    } finally {
      if (generation === this.#generation) this.#snapshotting = false;
    }
  }

  /**
   * Numbers an event and hands it on: at once while its seq is leased (or no store leases), else
   * after the lease and after every event waiting before it.
   */
  #handOn(publish: (seq: number) => void): void {
    const seq = ++this.#seq;
    if (this.#waiting === undefined) {
      const lease = this.#o.reserve?.(seq);
      if (lease === undefined) {
        publish(seq);
        return;
      }
      this.#waiting = lease;
    } else {
      const before = this.#waiting;
      this.#waiting = before.then(() => this.#o.reserve?.(seq));
    }
    const mine = this.#waiting.then(
      () => publish(seq),
      (err: unknown) =>
        this.#o.onEvent("feed.bad_value", { stream: this.#o.name, seq, error: String(err) }),
    );
    this.#waiting = mine;
    void mine.then(() => {
      if (this.#waiting === mine) this.#waiting = undefined;
    });
  }

  /** The watchdog: silent past the limit, the feed is stale and reconnects. */
  #arm(generation: number): void {
    const clock = this.#o.clock;
    this.#disarm();
    const limit = this.#o.expectedMs * (this.#o.graceFactor ?? 3);
    this.#watchdog = clock.setTimeout(() => {
      if (!this.#running || generation !== this.#generation) return;
      this.stale++;
      this.#o.onEvent("feed.stale", { stream: this.#o.name, silentMs: limit });
      this.#reconnect("stale");
    }, limit);
  }

  #disarm(): void {
    if (this.#watchdog !== undefined) this.#o.clock.clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${new URL(url).pathname}: HTTP ${response.status}`);
  return response.json();
}
