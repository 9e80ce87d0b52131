/**
 * The live clock: real time, optionally sped up (a simulator demo at 60× shows a simulated minute
 * per real second). This is the one place that reads the real time.
 *
 * now() = startMs + (real elapsed ms, from a monotonic source) × speed, so it never goes backwards
 * even if the system clock is adjusted. A timer for `ms` of this clock's time waits ms / speed real
 * milliseconds. Timers keep the process alive unless `unref: true` is given.
 */

import { performance } from "node:perf_hooks";
import { InvalidInputError } from "../domain/errors.js";
import type { Clock, TimerHandle } from "./clock.js";

const MAX_NODE_DELAY_MS = 2 ** 31 - 1;

export interface WallClockOptions {
  /** Simulated ms per real ms; default 1. Must be > 0. */
  speed?: number;
  /** The clock's time at construction, epoch ms; default the real time now. */
  startMs?: number;
  /** Let the process exit while timers are pending; default false. */
  unref?: boolean;
}

export class WallClock implements Clock {
  readonly speed: number;
  private readonly startMs: number;
  private readonly realStart: number;
  /** Keyed by the handle object itself, so a handle from another clock never clears ours. */
  private readonly timers = new Map<TimerHandle, NodeJS.Timeout>();
  private readonly unref: boolean;
  private nextId = 0;

  constructor(options: WallClockOptions = {}) {
    const { speed = 1, startMs = Date.now(), unref = false } = options;
    if (!(Number.isFinite(speed) && speed > 0)) {
      throw new InvalidInputError(`WallClock: option 'speed' must be a number > 0, got ${speed}`);
    }
    if (!Number.isFinite(startMs)) {
      throw new InvalidInputError(`WallClock: option 'startMs' must be finite, got ${startMs}`);
    }
    this.speed = speed;
    this.startMs = startMs;
    this.realStart = performance.now();
    this.unref = unref;
  }

  now(): number {
    return this.startMs + (performance.now() - this.realStart) * this.speed;
  }

  /** Timers scheduled and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    if (Number.isNaN(delayMs) || delayMs === Number.POSITIVE_INFINITY) {
      throw new InvalidInputError(`setTimeout: delayMs must be a finite number, got ${delayMs}`);
    }
    const handle: TimerHandle = Object.freeze({ id: this.nextId++ });
    this.arm(handle, fn, performance.now() + Math.max(0, delayMs) / this.speed);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(handle);
  }

  /**
   * Node caps a timer at 2^31 − 1 ms (and fires longer ones at once), and may fire up to a
   * millisecond early by the monotonic clock; either way the timer re-arms for the rest, so a
   * callback always sees now() at or after its due time.
   */
  private arm(handle: TimerHandle, fn: () => void, dueReal: number): void {
    const wait = Math.min(MAX_NODE_DELAY_MS, Math.max(0, Math.ceil(dueReal - performance.now())));
    const timer = setTimeout(() => {
      if (performance.now() < dueReal) {
        this.arm(handle, fn, dueReal);
        return;
      }
      this.timers.delete(handle);
      fn();
    }, wait);
    if (this.unref) timer.unref();
    this.timers.set(handle, timer);
  }
}
