/**
 * A Recorder's `book` stream of a Binance-speaking market (depth-feed.ts), onto the bus and to
 * whoever stores books. On `crypy.md.<source>.<market>.book`, in `seq` order:
 *
 *   { market, seq, snapshot: { sequence, bids, asks, time } }   the whole book at update id
 *                                                                `sequence`: replace yours
 *   { market, seq, diff: { first, last, prev?, bids, asks, time } }
 *                                                                the exchange's update ids
 *                                                                first..last (prev: futures pu);
 *                                                                set each [price, qty], "0" removes
 *
 * A gap (update ids lost on the way) is the actor event `feed.gap` { source, market, kind,
 * from, to, reason } and RecordedBooks.gap; a fresh snapshot follows it on the subject. Levels
 * are decimal strings as the exchange sent them.
 */
import type { Bus } from "../../bus/bus.js";
import { marketData } from "../../bus/subjects.js";
import type { Clock } from "../../time/clock.js";
import type { Market, Venue } from "../../venues/venue.js";
import { binanceDepthEndpoints } from "./binance-depth-wire.js";
import {
  type BookDiffEvent,
  type BookSnapshotEvent,
  DepthFeed,
  type DepthFeedEvent,
} from "./depth-feed.js";

/**
 * Where recorded books go besides the bus (a store). Ids are the exchange's update ids; `seq` the
 * bus message's sequence number.
 */
export interface RecordedBooks {
  snapshot(venue: string, market: string, snapshot: BookSnapshotEvent, seq: number): void;
  diff(venue: string, market: string, diff: BookDiffEvent, seq: number): void;
  /** Update ids `fromSeq`..`toSeq` (inclusive) never arrived; a snapshot past them follows. */
  gap(
    venue: string,
    market: string,
    kind: "book",
    fromSeq: number,
    toSeq: number,
    reason: string,
  ): void;
}

export interface RawBookOptions {
  source: string;
  venue: Venue;
  market: string;
  /** The market as the venue lists it (its id, spot or contract). */
  info: Market;
  bus: Bus;
  clock: Clock;
  books: RecordedBooks | undefined;
  emit: (event: DepthFeedEvent, fields: Record<string, unknown>) => void;
  expectedMs: number;
  /** A store's lease of the stream's seqs (sink.ts OpenedStream), so a restart numbers on. */
  opened?: { firstSeq: number; reserve?: (seq: number) => Promise<void> | undefined };
}

/** The raw book feed of the market, started; undefined where the venue is not Binance-speaking. */
export function startRawBook(o: RawBookOptions): DepthFeed | undefined {
  const endpoints = binanceDepthEndpoints(o.venue, o.info);
  if (endpoints === undefined) return undefined;
  const subject = marketData(o.source, o.market, "book");
  const { market, source } = o;
  const feed = new DepthFeed({
    name: `${source} ${market} book`,
    endpoints,
    clock: o.clock,
    expectedMs: o.expectedMs,
    ...(o.opened === undefined ? {} : o.opened),
    onSnapshot: (snapshot, seq) => {
      o.bus.publish(subject, { market, seq, snapshot });
      o.books?.snapshot(source, market, snapshot, seq);
    },
    onDiff: (diff, seq) => {
      o.bus.publish(subject, { market, seq, diff });
      o.books?.diff(source, market, diff, seq);
    },
    onGap: (gap) => o.books?.gap(source, market, "book", gap.from, gap.to, gap.reason),
    onEvent: (event, fields) =>
      o.emit(event, event === "feed.gap" ? { source, market, kind: "book", ...fields } : fields),
  });
  feed.start();
  return feed;
}
