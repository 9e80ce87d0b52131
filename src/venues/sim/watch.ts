/**
 * A ccxt-pro style watch: each `next()` resolves with the next update. Accumulating watches
 * (trades, candles, orders) resolve with everything received since the previous call — at once if
 * something is already buffered. Buffers are bounded: a consumer that stops calling loses the
 * oldest updates, never memory.
 */
import { ClosedError } from "../../domain/errors.js";

const MAX_BUFFER = 1_000;

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

/** Latest-value watch (ticker, book, balance). */
export class LatestWatch<T> {
  private waiters: Waiter<T>[] = [];

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  next(): Promise<T> {
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  push(value: T): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(value);
  }

  fail(err: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }

  close(): void {
    this.fail(new ClosedError("the venue connection was closed"));
  }
}

/** Accumulating watch (trades, candles, orders). */
export class BufferedWatch<T> {
  private buffer: T[] = [];
  private waiters: Waiter<T[]>[] = [];

  next(): Promise<T[]> {
    if (this.buffer.length > 0) {
      const out = this.buffer;
      this.buffer = [];
      return Promise.resolve(out);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  push(items: T[]): void {
    if (items.length === 0) return;
    if (this.waiters.length > 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve(items);
      return;
    }
    this.buffer.push(...items);
    if (this.buffer.length > MAX_BUFFER) this.buffer.splice(0, this.buffer.length - MAX_BUFFER);
  }

  fail(err: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }

  close(): void {
    this.fail(new ClosedError("the venue connection was closed"));
  }
}
