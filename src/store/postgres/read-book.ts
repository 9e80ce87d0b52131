/**
 * Recorded L2 books out of PostgreSQL, rebuilt exactly: one market, a range of times [from, to].
 *
 * Rules:
 * - The book at `from` is the latest snapshot at or before `from` (or, when none is, the first
 *   one after it) with every diff past its sequence up to `from` applied; it is yielded first as
 *   a `snapshot` event. The diffs after it, up to `to`, follow in sequence order as `diff` events.
 * - Levels follow Binance's rule (domain/book-sync.ts): a level's amount is absolute, 0 removes it.
 * - A `gaps` row of kind `book` whose from_sequence falls after the last applied id and at or
 *   before the next diff's (or, with no sequence, whose from_time falls after the last applied
 *   diff's time and at or before the next one's) breaks the chain: the reader yields a `gap` event
 *   naming it and restarts from the first snapshot past it (as a `snapshot` event), or ends when
 *   none is within the range.
 * - A diff stored with its first (and, futures, prev) update id must follow the book by Binance's
 *   rules (diff-chain.ts); one that does not, with no gaps row covering it, breaks the chain the
 *   same way: a `gap` event saying so, then the first snapshot at or past the last lost id. It is
 *   never applied. A diff stored before migration 4 has only its last id (`sequence`): it is
 *   assumed to follow, as the Recorder stores the diffs it applied in sequence.
 * - A diff event's `first` is the book's id + 1: the update ids it takes the book through.
 * - Diffs at or below the book's sequence are already in it and skipped, as on the live stream.
 * - Rows are read in pages (`pageSize`), never the whole range at once.
 */

import { type BookLevel, BookSync } from "../../domain/book-sync.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { Sql } from "./connect.js";
import { isoTime } from "./copy-text.js";
import { chainBreak, lostThrough, type StoredDiffIds } from "./diff-chain.js";

export interface BookSnapshotEvent {
  kind: "snapshot";
  /** The last update id the book holds. */
  sequence: number;
  /** Epoch ms: the stored snapshot's time, or the last diff applied to it. */
  time: number;
  /** Best first. */
  bids: BookLevel[];
  asks: BookLevel[];
}

export interface BookDiffEvent {
  kind: "diff";
  first: number;
  last: number;
  /** Epoch ms. */
  time: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

export interface BookGapEvent {
  kind: "gap";
  /** The last update id applied before the gap. */
  after: number;
  /** Epoch ms of the last update applied. */
  time: number;
  reason: string;
}

export type BookEvent = BookSnapshotEvent | BookDiffEvent | BookGapEvent;

export interface BookQuery {
  venue: string;
  market: string;
  /** Epoch ms: the book's state at this time comes first. */
  from: number;
  /** Epoch ms, inclusive: the last diff's time at most. */
  to: number;
  /** Diff rows per query (default 5000). */
  pageSize?: number;
  /**
   * Go on after an earlier read's last event: no book at `from`, only what follows update id
   * `sequence` (of time `time`, epoch ms) — gaps told and snapshots after them as usual.
   */
  resume?: { sequence: number; time: number };
}

interface SnapshotRow {
  /** Text: a bigint past 2^53 would not survive a float. Aliased so ORDER BY sorts the bigint. */
  seq: string;
  t: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

interface DiffRow extends SnapshotRow {
  /** Text, as `seq`; NULL for rows stored before migration 4 (and `prev_seq` for spot). */
  first_seq: string | null;
  prev_seq: string | null;
}

/** A gap of the book's update ids: a gaps-table row's, or a break the stored diffs show. */
interface BookGap {
  fromSequence: number | undefined;
  toSequence: number | undefined;
  fromTime: number | undefined;
  reason: string;
}

const idOf = (text: string | null): number | undefined =>
  text === null ? undefined : Number(text);

interface GapRowRead {
  from_seq: string | null;
  to_seq: string | null;
  t: number | null;
  reason: string;
}

/**
 * Gaps in a Recorder's own message numbers (record-sink/leases.ts: a full queue, a restart), not
 * in the exchange's update ids: they say nothing of the book's chain, which the stored rows show.
 */
const RECORDER_SEQ_GAPS = ["queue full", "recorder restarted"];

/** The book's events over [from, to]; see the module's rules. */
export async function* readBook(sql: Sql, query: BookQuery): AsyncGenerator<BookEvent> {
  const { venue, market } = query;
  if (!(Number.isFinite(query.from) && Number.isFinite(query.to) && query.from <= query.to))
    throw new InvalidInputError(
      `a book read needs from <= to (epoch ms), got from ${query.from} to ${query.to}`,
    );
  const pageSize = query.pageSize ?? 5_000;
  const to = isoTime(query.to);
  const gaps: BookGap[] = (
    await sql<GapRowRead[]>`
      SELECT from_sequence::text AS from_seq, to_sequence::text AS to_seq,
        (extract(epoch FROM from_time) * 1000)::float8 AS t, reason
      FROM gaps WHERE venue = ${venue} AND market = ${market} AND kind = 'book'
        AND reason NOT IN ${sql(RECORDER_SEQ_GAPS)}
        AND (from_time IS NULL OR from_time <= ${to}::text::timestamptz)
      ORDER BY from_sequence NULLS LAST, from_time`
  ).map((g) => ({
    fromSequence: g.from_seq === null ? undefined : Number(g.from_seq),
    toSequence: g.to_seq === null ? undefined : Number(g.to_seq),
    fromTime: g.t ?? undefined,
    reason: g.reason,
  }));

  let book: BookSync | undefined;
  let id = query.resume?.sequence ?? 0;
  let lastTime = query.resume?.time ?? 0;
  /** Held back until `from` is passed: the book at `from` goes out as one snapshot. */
  let pending = query.resume === undefined;
  /**
   * The next diff joins a snapshot (or a resumed read, which may have ended on one: the joining
   * rule accepts a chained diff too) rather than chaining to a diff.
   */
  let joining = true;

  const start = (row: SnapshotRow) => {
    book = new BookSync("spot");
    id = Number(row.seq);
    lastTime = row.t;
    book.onSnapshot({ id, bids: row.bids, asks: row.asks });
    joining = true;
  };
  const broken = (ids: StoredDiffIds): BookGap | undefined => {
    const why = chainBreak(id, joining, ids);
    if (why === undefined) return undefined;
    return {
      fromSequence: id + 1,
      toSequence: lostThrough(id, ids),
      fromTime: undefined,
      reason: `stored diffs break with no gap recorded: ${why}`,
    };
  };
  const snapshotEvent = (): BookSnapshotEvent => ({
    kind: "snapshot",
    sequence: id,
    time: lastTime,
    bids: book!.levels("bids"),
    asks: book!.levels("asks"),
  });

  if (query.resume === undefined) {
    const snapshot =
      (await snapshotAtOrBefore(sql, venue, market, query.from)) ??
      (await firstSnapshotFrom(sql, venue, market, { time: query.from }, to));
    if (snapshot === undefined) return;
    start(snapshot);
  }
  for (;;) {
    const page = await sql<DiffRow[]>`
      SELECT sequence::text AS seq, (extract(epoch FROM time) * 1000)::float8 AS t, bids, asks,
        first_sequence::text AS first_seq, prev_sequence::text AS prev_seq
      FROM book_diffs
      WHERE venue = ${venue} AND market = ${market} AND sequence > ${id}
        AND time <= ${to}::text::timestamptz
      ORDER BY sequence LIMIT ${pageSize}`;
    let restarted = false;
    for (const row of page) {
      const last = Number(row.seq);
      const gap =
        gaps.find((g) =>
          g.fromSequence !== undefined
            ? g.fromSequence > id && g.fromSequence <= last
            : g.fromTime !== undefined && g.fromTime > lastTime && g.fromTime <= row.t,
        ) ?? broken({ first: idOf(row.first_seq), last, prev: idOf(row.prev_seq) });
      if (gap !== undefined) {
        const past = gap.toSequence ?? gap.fromSequence;
        const next = await firstSnapshotFrom(
          sql,
          venue,
          market,
          past === undefined ? { time: gap.fromTime ?? lastTime } : { sequence: past },
          to,
        );
        // A gap mended before `from` changes nothing the reader hands out: the book at `from`
        // is built from the snapshot past it.
        const unseen = pending && next !== undefined && next.t <= query.from;
        if (!unseen) yield { kind: "gap", after: id, time: lastTime, reason: gap.reason };
        if (next === undefined) return;
        start(next);
        if (!unseen) {
          yield snapshotEvent();
          pending = false;
        }
        restarted = true;
        break;
      }
      if (pending && row.t > query.from) {
        yield snapshotEvent();
        pending = false;
      }
      const first = id + 1;
      // The book is needed only for the snapshot at `from`: past it, diffs are handed on as read.
      if (pending) book?.onDiff({ first, last, bids: row.bids, asks: row.asks });
      id = last;
      lastTime = row.t;
      joining = false;
      if (!pending)
        yield { kind: "diff", first, last, time: row.t, bids: row.bids, asks: row.asks };
    }
    if (restarted) continue;
    if (page.length < pageSize) break;
  }
  if (pending) yield snapshotEvent();
}

async function snapshotAtOrBefore(
  sql: Sql,
  venue: string,
  market: string,
  at: number,
): Promise<SnapshotRow | undefined> {
  const [row] = await sql<SnapshotRow[]>`
    SELECT sequence::text AS seq, (extract(epoch FROM time) * 1000)::float8 AS t, bids, asks
    FROM book_snapshots
    WHERE venue = ${venue} AND market = ${market} AND time <= ${isoTime(at)}::text::timestamptz
    ORDER BY time DESC, sequence DESC LIMIT 1`;
  return row;
}

/** The first snapshot at or past a sequence (or a time), no later than `to`. */
async function firstSnapshotFrom(
  sql: Sql,
  venue: string,
  market: string,
  past: { sequence: number } | { time: number },
  to: string,
): Promise<SnapshotRow | undefined> {
  const [row] = await sql<SnapshotRow[]>`
    SELECT sequence::text AS seq, (extract(epoch FROM time) * 1000)::float8 AS t, bids, asks
    FROM book_snapshots
    WHERE venue = ${venue} AND market = ${market} AND time <= ${to}::text::timestamptz
      AND ${
        "sequence" in past
          ? sql`sequence >= ${past.sequence}`
          : sql`time >= ${isoTime(past.time)}::text::timestamptz`
      }
    ORDER BY ${"sequence" in past ? sql`sequence` : sql`time`}, sequence LIMIT 1`;
  return row;
}

/** A book event as it crosses the bus (history replies, replay): one key naming its kind. */
export type BookEventWire =
  | { snapshot: { sequence: number; time: number; bids: BookLevel[]; asks: BookLevel[] } }
  | { diff: { first: number; last: number; time: number; bids: BookLevel[]; asks: BookLevel[] } }
  | { gap: { after: number; time: number; reason: string } };

export function bookEventWire(event: BookEvent): BookEventWire {
  switch (event.kind) {
    case "snapshot": {
      const { sequence, time, bids, asks } = event;
      return { snapshot: { sequence, time, bids, asks } };
    }
    case "diff": {
      const { first, last, time, bids, asks } = event;
      return { diff: { first, last, time, bids, asks } };
    }
    case "gap": {
      const { after, time, reason } = event;
      return { gap: { after, time, reason } };
    }
  }
}
