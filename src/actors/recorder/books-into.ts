import type { RecordSink } from "../../store/record-sink/sink.js";
import type { RecordedBooks } from "./raw-book.js";

/**
 * A raw book feed's snapshots, diffs and gaps (raw-book.ts) into a sink: snapshots and diffs as
 * the kinds `book.snapshot` and `book.diff` ({ sequence, timestamp, bids, asks }: a diff's
 * sequence is its last update id, with its first and, futures, prev beside it), gaps in the
 * exchange's update ids as the sink's book gaps.
 */
export function booksInto(sink: RecordSink): RecordedBooks {
  return {
    snapshot: (source, market, s, seq) =>
      sink.take(
        { source, market, kind: "book.snapshot" },
        { sequence: s.sequence, timestamp: s.time, bids: s.bids, asks: s.asks },
        seq,
      ),
    diff: (source, market, d, seq) =>
      sink.take(
        { source, market, kind: "book.diff" },
        {
          sequence: d.last,
          first: d.first,
          ...(d.prev === undefined ? {} : { prev: d.prev }),
          timestamp: d.time,
          bids: d.bids,
          asks: d.asks,
        },
        seq,
      ),
    gap: (source, market, _kind, from, to, reason) =>
      sink.bookGap?.(source, market, from, to, reason),
  };
}
