/**
 * The Recorder's PostgreSQL sink (`crypy record --store postgres://…`): each published value is
 * queued as rows of its table through a BatchQueue, written in batches (COPY, then INSERT … ON
 * CONFLICT on the idempotency keys) when a batch is full, every `flushMs` and at stop.
 *
 * Rules:
 * - Memory is bounded: each stream's queue holds at most `capacity` rows; past it the `drop`
 *   policy drops rows, which are counted (status), told (`recorder.dropped`: at the first drop,
 *   then a summary per flush) and recorded as gaps (kind, seq range, 'queue full'). A stream's
 *   pending gaps are written before its next batch, so no later row of a stream is durable while
 *   the gap before it is not. Streams' batches are written side by side (the client's pool).
 * - A slow or absent database is backpressure: queues fill and drop (as above); a failed batch
 *   stays queued and is retried at the next flush (`recorder.store_error` says why).
 * - Seqs are leased (leases.ts): after a crash every published seq is stored or inside a gap.
 */

import type { Clock, TimerHandle } from "../../time/clock.js";
import { BatchQueue, type DropPolicy } from "../postgres/batch-queue.js";
import { FUNDING_RATES, MARKS } from "../postgres/recorder-tables.js";
import type { PostgresStore } from "../postgres/store.js";
import { BOOK_DIFFS, BOOK_SNAPSHOTS, CANDLES, type TableSpec, TRADES } from "../postgres/tables.js";
import { DropGaps, type SeqRange } from "./drop-gaps.js";
import { openLease, QUEUE_FULL, type StreamKeyed, StreamLease, setLease } from "./leases.js";
import { postgresMarkets } from "./markets.js";
import { rowsOf, type SinkTable, tableOf } from "./rows.js";
import type { MarketList, OpenedStream, RecordSink, SinkEmit, StreamId } from "./sink.js";

export interface PostgresSinkOptions {
  recorder: string;
  /** Rows each stream's queue holds at most (a flooding stream drops only its own rows). */
  capacity: number;
  batchSize: number;
  drop: DropPolicy;
  /** How often queued rows are written regardless of batch size (the clock's ms). */
  flushMs: number;
  /** Seqs leased at a time. */
  leaseBlock: number;
  clock: Clock;
}

export const SINK_DEFAULTS = {
  capacity: 100_000,
  batchSize: 5_000,
  drop: "newest",
  flushMs: 1_000,
  leaseBlock: 1_000,
} as const;

const SPECS: Record<SinkTable, TableSpec<never>> = {
  trades: TRADES as TableSpec<never>,
  candles: CANDLES as TableSpec<never>,
  marks: MARKS as TableSpec<never>,
  funding_rates: FUNDING_RATES as TableSpec<never>,
  book_snapshots: BOOK_SNAPSHOTS as TableSpec<never>,
  book_diffs: BOOK_DIFFS as TableSpec<never>,
};

/**
 * Every row of every table names its stream's venue and market and the seq it came with; the sink
 * adds its stream's kind (the tables' COPY fields ignore it) for the gaps of dropped rows.
 */
interface SeqRow {
  venue: string;
  market: string;
  seq?: number | undefined;
  kind?: string;
}

const key = (venue: string, market: string, kind: string) => `${venue}\u0000${market}\u0000${kind}`;

export class PostgresRecordSink implements RecordSink {
  /** One queue per stream: a stream's batches go in order, streams' batches side by side. */
  readonly #queues = new Map<string, { table: SinkTable; queue: BatchQueue<SeqRow> }>();
  readonly #leases = new Map<string, StreamLease>();
  readonly #gaps = new DropGaps();
  readonly #dropped = new Map<string, number>();
  #unreported = 0;
  #dropsTold = false;
  #storeErrors = 0;
  #lastError: string | undefined;
  #emit: SinkEmit = () => {};
  #timer: TimerHandle | undefined;
  #flushing: Promise<void> | undefined;
  readonly markets: MarketList;

  constructor(
    private readonly store: PostgresStore,
    private readonly o: PostgresSinkOptions,
  ) {
    this.markets = postgresMarkets(store.sql, o.recorder);
  }

  async start(emit: SinkEmit): Promise<void> {
    this.#emit = emit;
    this.#schedule();
  }

  async open(stream: StreamId): Promise<OpenedStream> {
    const table = tableOf(stream.kind);
    if (table === undefined) return { firstSeq: 1 };
    const keyed: StreamKeyed = {
      recorder: this.o.recorder,
      venue: stream.source,
      market: stream.market,
      kind: stream.kind,
      table,
    };
    const opened = await openLease(this.store.sql, keyed, this.o.leaseBlock);
    if (opened.restartGap !== undefined) {
      this.#emit("recorder.restart_gap", {
        ...stream,
        fromSeq: opened.restartGap.from,
        toSeq: opened.restartGap.to,
      });
    }
    const lease = new StreamLease(
      (to) => setLease(this.store.sql, keyed, to),
      opened.leasedTo,
      this.o.leaseBlock,
      opened.firstSeq,
      (err) => this.#failed(err),
    );
    const k = key(stream.source, stream.market, stream.kind);
    this.#leases.get(k)?.close();
    this.#leases.set(k, lease);
    return { firstSeq: opened.firstSeq, reserve: (seq) => lease.reserve(seq) };
  }

  take(stream: StreamId, value: unknown, seq: number): void {
    const rows = rowsOf(stream.source, stream.market, stream.kind, value, seq);
    if (rows === undefined) return;
    // A raw book's snapshots and diffs share the one numbering leased as the stream `book`.
    const leased = stream.kind.startsWith("book.") ? "book" : stream.kind;
    const lease = this.#leases.get(key(stream.source, stream.market, leased));
    if (lease !== undefined) lease.lastSeq = seq;
    const tagged: SeqRow[] = rows.rows;
    for (const row of tagged) row.kind = stream.kind;
    this.#queue(rows.table, key(stream.source, stream.market, stream.kind)).push(tagged);
  }

  bookGap(source: string, market: string, from: number, to: number, reason: string): void {
    // Kind `book`: where the history reader looks for a book's lost updates.
    this.store
      .recordGap({
        venue: source,
        market,
        kind: "book",
        fromSequence: from,
        toSequence: to,
        reason,
      })
      .catch((err: unknown) => this.#failed(err));
  }

  status(): Record<string, unknown> {
    const queues: Record<string, unknown> = {};
    for (const { table, queue } of this.#queues.values()) {
      const sum = (queues[table] ?? {}) as Record<string, number>;
      for (const [k, n] of Object.entries(queue.stats)) sum[k] = (sum[k] ?? 0) + n;
      queues[table] = sum;
    }
    return {
      store: "postgres",
      queues,
      dropped: [...this.#dropped].map(([k, n]) => {
        const [source, market, kind] = k.split("\u0000");
        return { source, market, kind, dropped: n };
      }),
      pendingGaps: this.#gaps.pending,
      storeErrors: this.#storeErrors,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** Writes everything queued and every pending gap now; false when something failed (told). */
  async flush(): Promise<boolean> {
    await this.#flushing;
    return this.#flushAll();
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    const clean = await this.#flushAll();
    for (const lease of this.#leases.values()) lease.close();
    if (!clean) return;
    // Everything published is durable: give back the unused rest of each lease.
    for (const [k, lease] of this.#leases) {
      const [venue = "", market = "", kind = ""] = k.split("\u0000");
      const table = tableOf(kind)!;
      await setLease(
        this.store.sql,
        { recorder: this.o.recorder, venue, market, kind, table },
        lease.lastSeq,
      );
    }
  }

  #queue(table: SinkTable, stream: string): BatchQueue<SeqRow> {
    let q = this.#queues.get(stream)?.queue;
    if (q === undefined) {
      const spec = SPECS[table] as unknown as TableSpec<SeqRow>;
      // The write of a table's batch first makes its streams' gaps durable.
      const write = (rows: SeqRow[]) =>
        this.#writeGaps(stream).then(() => this.store.write(spec, rows));
      q = new BatchQueue<SeqRow>(write, {
        capacity: this.o.capacity,
        batchSize: this.o.batchSize,
        drop: this.o.drop,
        onDrop: (n, policy, rows) => this.#onDrop(table, n, policy, rows),
      });
      this.#queues.set(stream, { table, queue: q });
    }
    return q;
  }

  #onDrop(table: SinkTable, n: number, policy: DropPolicy, rows: readonly SeqRow[]): void {
    for (const row of rows) {
      const k = key(row.venue, row.market, row.kind ?? table);
      this.#dropped.set(k, (this.#dropped.get(k) ?? 0) + 1);
      if (row.seq !== undefined) this.#gaps.add(k, row.seq);
    }
    // The first drop since the last flush is told at once; the rest in that flush's summary.
    this.#unreported += n;
    if (!this.#dropsTold) {
      this.#dropsTold = true;
      this.#reportDrops(table, policy);
    }
  }

  #reportDrops(table?: SinkTable, policy: DropPolicy = this.o.drop): void {
    if (this.#unreported === 0) return;
    const total = [...this.#dropped.values()].reduce((a, b) => a + b, 0);
    this.#emit("recorder.dropped", {
      ...(table === undefined ? {} : { table }),
      dropped: this.#unreported,
      total,
      policy,
      reason: "queue full",
    });
    this.#unreported = 0;
  }

  async #writeGaps(stream?: string): Promise<void> {
    const ranges = this.#gaps.take((k) => stream === undefined || k === stream);
    try {
      for (const [k, r] of ranges) await this.#recordGap(k, r);
    } catch (err) {
      this.#gaps.giveBack(ranges);
      throw err;
    }
  }

  async #recordGap(k: string, r: SeqRange): Promise<void> {
    const [venue = "", market = "", kind = ""] = k.split("\u0000");
    await this.store.sql`
      INSERT INTO gaps (venue, market, kind, from_sequence, to_sequence, reason)
      VALUES (${venue}, ${market}, ${kind}, ${r.from}, ${r.to}, ${QUEUE_FULL})
      ON CONFLICT (venue, market, kind, from_sequence, from_time)
      DO UPDATE SET to_sequence = greatest(gaps.to_sequence, EXCLUDED.to_sequence)`;
  }

  #schedule(): void {
    this.#timer = this.o.clock.setTimeout(() => {
      this.#flushing = this.#flushAll().then(() => {
        this.#flushing = undefined;
        if (this.#timer !== undefined) this.#schedule();
      });
    }, this.o.flushMs);
  }

  /** Writes every queue and pending gap; false when something could not be written. */
  async #flushAll(): Promise<boolean> {
    let clean = true;
    const flushed = await Promise.allSettled(
      [...this.#queues.values()].map(({ queue }) => queue.flush()),
    );
    for (const f of flushed) {
      if (f.status === "fulfilled") continue;
      clean = false;
      this.#failed(f.reason);
    }
    try {
      await this.#writeGaps();
    } catch (err) {
      clean = false;
      this.#failed(err);
    }
    this.#reportDrops();
    this.#dropsTold = false;
    return clean;
  }

  #failed(err: unknown): void {
    this.#storeErrors++;
    this.#lastError = String(err);
    this.#emit("recorder.store_error", { error: this.#lastError });
  }
}
