/**
 * Sequence leases (hi/lo) in `recorder_streams`: a stream publishes a seq only once it is at or
 * below the stream's durable `leased_to`, so after a crash every seq it may have published is at
 * or below `leased_to`, and the seqs above what the store holds are known to be missing.
 *
 * Rules:
 * - Opening a stream with a lease on record: the seqs above the highest the store accounts for
 *   (a stored row's seq, or the end of a gap in seqs: QUEUE_FULL or RESTARTED) up to `leased_to`
 *   are recorded as a gap ('recorder restarted'), and numbering continues at `leased_to + 1`
 *   with a fresh block. A stream's rows are written in order, so only its highest stored seq can
 *   be incomplete (a message of several rows cut between batches): for trades that seq is in the
 *   gap too.
 * - Renewal runs ahead of need (at half a block left), off the publishing path; a stream waits
 *   only if it reaches the end of its lease before the renewal is durable.
 * - A block is sized to about LEASE_SECONDS of the stream's publishing at its last rate (never
 *   below the configured block, at most MAX_BLOCKS of it): each renewal is a commit, and a busy
 *   stream renewing every thousand seqs waited on one every few milliseconds. A crash's gap is
 *   then at most a few seconds of seqs, published or not.
 * - A clean stop releases the unused rest of a lease (`leased_to` back to the last published
 *   seq), so a clean restart records no gap.
 * - The highest stored seq is the stream's table's (venue, market) seq — for a book, the highest
 *   of its snapshots' and diffs' (a raw feed numbers both) — one Recorder per stream and store.
 */

import type { Sql } from "../postgres/connect.js";
import type { SinkTable } from "./rows.js";

/**
 * The reasons of the gaps in the Recorder's own seqs. Other gaps (an exchange's book sequence
 * gap, a candle series' missing minutes) count in other numbers and never cover a seq.
 */
export const QUEUE_FULL = "queue full";
export const RESTARTED = "recorder restarted";

/** A busy stream's block lasts about this long at its last rate. */
const LEASE_SECONDS = 2;
/** A block grows to at most this many times the configured one. */
const MAX_BLOCKS = 1_000;

/** Tables where one published message may be many rows (a candle message is one closed candle). */
const MULTI_ROW: ReadonlySet<SinkTable> = new Set(["trades"]);

export interface StreamKeyed {
  recorder: string;
  venue: string;
  market: string;
  kind: string;
  table: SinkTable;
}

export interface OpenedLease {
  firstSeq: number;
  leasedTo: number;
  /** The seqs recorded as lost to the previous run's end, if any. */
  restartGap?: { from: number; to: number };
}

export async function openLease(sql: Sql, s: StreamKeyed, block: number): Promise<OpenedLease> {
  return sql.begin(async (tx) => {
    const [held] = await tx<{ leased_to: string }[]>`
      SELECT leased_to FROM recorder_streams
      WHERE recorder = ${s.recorder} AND venue = ${s.venue} AND market = ${s.market} AND kind = ${s.kind}
      FOR UPDATE`;
    if (held === undefined) {
      await tx`INSERT INTO recorder_streams (recorder, venue, market, kind, leased_to)
        VALUES (${s.recorder}, ${s.venue}, ${s.market}, ${s.kind}, ${block})`;
      return { firstSeq: 1, leasedTo: block };
    }
    const leased = Number(held.leased_to);
    const timeframe = s.table === "candles" ? "AND timeframe = '1m'" : "";
    // A book stream's seqs number its snapshots and its diffs (a raw feed's) together.
    const tables = s.kind === "book" ? ["book_snapshots", "book_diffs"] : [s.table];
    const [stored] = await tx.unsafe<{ seq: string | null }[]>(
      `SELECT max(seq) AS seq FROM (${tables
        .map(
          (t) => `SELECT max(seq) AS seq FROM ${t} WHERE venue = $1 AND market = $2 ${timeframe}`,
        )
        .join(" UNION ALL ")}) AS stored`,
      [s.venue, s.market],
    );
    // A raw book's dropped rows are gapped under their own kinds (book.snapshot, book.diff): the
    // kind `book` with a seq range is the exchange's update ids, which the history reader reads.
    const kinds = s.kind === "book" ? ["book", "book.snapshot", "book.diff"] : [s.kind];
    const [gapped] = await tx<{ seq: string | null }[]>`
      SELECT max(to_sequence) AS seq FROM gaps
      WHERE venue = ${s.venue} AND market = ${s.market} AND kind IN ${tx(kinds)}
        AND reason IN (${QUEUE_FULL}, ${RESTARTED})`;
    const storedTo = Number(stored?.seq ?? 0);
    const gappedTo = Number(gapped?.seq ?? 0);
    const covered = Math.max(storedTo, gappedTo);
    let restartGap: OpenedLease["restartGap"];
    if (covered < leased) {
      // A message of several rows (trades) may have been cut between two batches: its
      // seq, the highest stored, is then counted in the gap too, as possibly incomplete.
      const cut = MULTI_ROW.has(s.table) && storedTo > gappedTo && storedTo > 0;
      restartGap = { from: cut ? storedTo : covered + 1, to: leased };
      await tx`INSERT INTO gaps (venue, market, kind, from_sequence, to_sequence, reason)
        VALUES (${s.venue}, ${s.market}, ${s.kind}, ${restartGap.from}, ${restartGap.to},
          ${RESTARTED})
        ON CONFLICT (venue, market, kind, from_sequence, from_time)
        DO UPDATE SET to_sequence = greatest(gaps.to_sequence, EXCLUDED.to_sequence)`;
    }
    const next = Math.max(leased, covered);
    await tx`UPDATE recorder_streams SET leased_to = ${next + block}, updated_at = now()
      WHERE recorder = ${s.recorder} AND venue = ${s.venue} AND market = ${s.market} AND kind = ${s.kind}`;
    return { firstSeq: next + 1, leasedTo: next + block, ...(restartGap ? { restartGap } : {}) };
  }) as Promise<OpenedLease>;
}

/** Moves the lease's end to `leasedTo` (a renewal ahead, or a release at a clean stop). */
export async function setLease(sql: Sql, s: StreamKeyed, leasedTo: number): Promise<void> {
  await sql`UPDATE recorder_streams SET leased_to = ${leasedTo}, updated_at = now()
    WHERE recorder = ${s.recorder} AND venue = ${s.venue} AND market = ${s.market} AND kind = ${s.kind}`;
}

/**
 * One stream's lease in memory: `reserve(seq)` is undefined (go) while seq is leased, and starts
 * the renewal when half the block is used; past the end it returns the renewal to wait for.
 */
export class StreamLease {
  #renewing: Promise<void> | undefined;
  #closed = false;
  #block: number;
  /** When and at which seq the last renewal started (undefined before the first). */
  #lastRenewal: { at: number; seq: number } | undefined;
  /** The last seq published under this lease (0: none yet). */
  lastSeq: number;

  constructor(
    private readonly extend: (to: number) => Promise<void>,
    public leasedTo: number,
    private readonly block: number,
    firstSeq: number,
    private readonly onError: (err: unknown) => void,
    private readonly retryMs = 1_000,
    /** Wall-clock ms, for the publishing rate. */
    private readonly now: () => number = Date.now,
  ) {
    this.lastSeq = firstSeq - 1;
    this.#block = block;
  }

  /** Seqs the next renewal adds. */
  get nextBlock(): number {
    return this.#block;
  }

  reserve(seq: number): Promise<void> | undefined {
    if (this.#closed) return Promise.reject(new Error("the recorder's store is closed"));
    if (seq > this.leasedTo - this.#block / 2 && this.#renewing === undefined)
      this.#renewing = this.#renew(seq);
    if (seq <= this.leasedTo) return undefined;
    const renewing = this.#renewing!;
    return renewing.then(() => this.reserve(seq));
  }

  close(): void {
    this.#closed = true;
  }

  /** Sizes the next block from the rate since the last renewal (the first keeps the base). */
  #resize(seq: number): void {
    const at = this.now();
    const last = this.#lastRenewal;
    this.#lastRenewal = { at, seq };
    if (last === undefined) return;
    const perSecond = ((seq - last.seq) * 1_000) / Math.max(1, at - last.at);
    const wanted = Math.ceil(perSecond * LEASE_SECONDS);
    this.#block = Math.min(this.block * MAX_BLOCKS, Math.max(this.block, wanted));
  }

  async #renew(seq: number): Promise<void> {
    this.#resize(seq);
    const to = this.leasedTo + this.#block;
    try {
      for (;;) {
        try {
          await this.extend(to);
          this.leasedTo = to;
          return;
        } catch (err) {
          // The database is away: streams wait at their lease's end until it is back.
          this.onError(err);
          if (this.#closed) throw err;
          await new Promise((r) => setTimeout(r, this.retryMs));
        }
      }
    } finally {
      this.#renewing = undefined;
    }
  }
}
