/**
 * A bounded queue in front of a batch write: rows wait until `batchSize` of them are queued (then
 * a write starts) or until `flush()`. Memory is bounded by `capacity` rows: when full, the
 * configured policy drops the incoming rows (`newest`) or the oldest queued ones (`oldest`); every
 * dropped row is counted in `stats.dropped` and reported to `onDrop`, never silently lost.
 *
 * Writes run one at a time, in order. A failed write keeps its rows at the head of the queue (the
 * write is idempotent, so retrying after a reconnect is safe) and its error is thrown by the next
 * `flush()`.
 */

import { InvalidInputError } from "../../domain/errors.js";
import type { WriteCounts } from "./write-batch.js";

export type DropPolicy = "newest" | "oldest";

export interface BatchQueueOptions<R = unknown> {
  /** The most rows held in memory. */
  capacity: number;
  /** Rows per write (at most `capacity`). */
  batchSize: number;
  /** Default `newest`: incoming rows are refused while the queue is full. */
  drop?: DropPolicy;
  /** Told of each drop, with the rows dropped (so a caller can record what is missing). */
  onDrop?: (dropped: number, policy: DropPolicy, rows: readonly R[]) => void;
}

export interface QueueStats {
  queued: number;
  inserted: number;
  replaced: number;
  duplicates: number;
  dropped: number;
  batches: number;
}

export class BatchQueue<R> {
  readonly stats: QueueStats = {
    queued: 0,
    inserted: 0,
    replaced: 0,
    duplicates: 0,
    dropped: 0,
    batches: 0,
  };
  private rows: R[] = [];
  /** Rows at the head being written now. */
  private inFlight = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;
  private readonly options: Required<Omit<BatchQueueOptions<R>, "onDrop">> &
    Pick<BatchQueueOptions<R>, "onDrop">;

  constructor(
    private readonly write: (rows: R[]) => Promise<WriteCounts>,
    options: BatchQueueOptions<R>,
  ) {
    const { capacity, batchSize } = options;
    if (!(Number.isInteger(capacity) && capacity > 0)) {
      throw new InvalidInputError(
        `batch queue: capacity must be a positive integer, got ${capacity}`,
      );
    }
    if (!(Number.isInteger(batchSize) && batchSize > 0 && batchSize <= capacity)) {
      throw new InvalidInputError(
        `batch queue: batchSize must be an integer in 1..capacity (${capacity}), got ${batchSize}`,
      );
    }
    this.options = Object.freeze({ ...options, drop: options.drop ?? "newest" });
  }

  /** Queues rows; returns how many were dropped to stay within capacity. */
  push(rows: readonly R[]): number {
    const room = this.options.capacity - this.rows.length;
    let lost: readonly R[] = [];
    if (rows.length <= room) {
      this.rows.push(...rows);
    } else if (this.options.drop === "newest") {
      this.rows.push(...rows.slice(0, room));
      lost = rows.slice(room);
    } else {
      // The batch being written stays; the oldest of the rest make room.
      const waiting = [...this.rows.slice(this.inFlight), ...rows];
      const keep = this.options.capacity - this.inFlight;
      lost = waiting.slice(0, waiting.length - keep);
      this.rows = [...this.rows.slice(0, this.inFlight), ...waiting.slice(lost.length)];
    }
    const dropped = lost.length;
    if (dropped > 0) {
      this.stats.dropped += dropped;
      this.options.onDrop?.(dropped, this.options.drop, lost);
    }
    this.stats.queued = this.rows.length;
    if (this.rows.length >= this.options.batchSize) void this.drain(false);
    return dropped;
  }

  /** Writes everything queued; throws the first write error since the last flush. */
  async flush(): Promise<void> {
    await this.drain(true);
    await this.writing;
    this.throwFailure();
  }

  private drain(all: boolean): Promise<void> {
    this.writing = this.writing.then(async () => {
      while (this.failure === undefined) {
        const size = Math.min(this.options.batchSize, this.rows.length);
        if (size === 0 || (!all && size < this.options.batchSize)) return;
        const batch = this.rows.slice(0, size);
        this.inFlight = size;
        try {
          const counts = await this.write(batch);
          this.stats.inserted += counts.inserted;
          this.stats.replaced += counts.replaced;
          this.stats.duplicates += counts.duplicates;
          this.stats.batches += 1;
          this.rows.splice(0, size);
          this.stats.queued = this.rows.length;
        } catch (err) {
          this.failure = err;
        } finally {
          this.inFlight = 0;
        }
      }
    });
    return this.writing;
  }

  private throwFailure(): void {
    if (this.failure === undefined) return;
    const err = this.failure;
    this.failure = undefined;
    throw err;
  }
}
