/**
 * A clock that moves only when told to: backtests and the simulator run on it, so a run is
 * deterministic and as fast as the CPU allows.
 *
 * Invariants:
 * - Timers fire in (time, scheduling order) order; two timers due at the same time fire in the order
 *   they were scheduled, whatever their delays.
 * - While a timer runs, `now()` is that timer's due time; time never goes backwards.
 * - A timer scheduled by a running timer and due within the current advance also runs in this
 *   advance, in order.
 * - A timer is removed from the heap before its callback runs. If the callback throws, the heap is
 *   consistent, `now()` stays at that timer's time, the later timers stay pending, and the error
 *   propagates to whoever called `advanceTo`/`runNext` (calling again continues from there).
 *
 * The heap is a binary min-heap keyed by (time, id), ids counting up in scheduling order; every
 * timer knows its heap index, so `clearTimeout` removes it in O(log n) and `pending` is exact.
 */

import { InvalidInputError } from "../domain/errors.js";
import type { Clock, TimerHandle } from "./clock.js";

class Timer implements TimerHandle {
  /** Position in the heap; -1 once fired or cleared. */
  index = -1;
  constructor(
    /** Scheduling sequence number: breaks ties between timers due at the same time. */
    readonly id: number,
    readonly time: number,
    readonly fn: () => void,
  ) {}
}

function before(a: Timer, b: Timer): boolean {
  return a.time < b.time || (a.time === b.time && a.id < b.id);
}

export class VirtualClock implements Clock {
  // Initialised to a number, not declared bare: a field that starts undefined is stored boxed, and
  // every advance would allocate.
  private nowMs = 0;
  private readonly heap: Timer[] = [];
  private nextId = 0;

  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) {
      throw new InvalidInputError(`VirtualClock: startMs must be a finite number, got ${startMs}`);
    }
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /** Timers scheduled and not yet fired or cleared. */
  get pending(): number {
    return this.heap.length;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    if (Number.isNaN(delayMs) || delayMs === Number.POSITIVE_INFINITY) {
      throw new InvalidInputError(`setTimeout: delayMs must be a finite number, got ${delayMs}`);
    }
    const timer = new Timer(this.nextId++, this.nowMs + Math.max(0, delayMs), fn);
    timer.index = this.heap.length;
    this.heap.push(timer);
    this.siftUp(timer.index);
    return timer;
  }

  /** Clearing a fired, cleared or foreign handle does nothing (as with Node's timers). */
  clearTimeout(handle: TimerHandle): void {
    if (!(handle instanceof Timer)) return;
    const i = handle.index;
    if (i < 0 || this.heap[i] !== handle) return;
    this.removeAt(i);
  }

  /** When the next timer is due, or undefined if none is pending. */
  nextTimerAt(): number | undefined {
    return this.heap[0]?.time;
  }

  /**
   * Runs every timer due at or before `t`, in order, then sets now to `t`.
   * @example
   * const clock = new VirtualClock(0);
   * clock.setTimeout(() => console.log(clock.now()), 100);
   * clock.advanceTo(1_000); // logs 100; clock.now() === 1000
   */
  advanceTo(t: number): void {
    // Nothing pending and time moving forward: the common step of a replay.
    if (this.heap.length === 0 && t >= this.nowMs && t < Number.POSITIVE_INFINITY) {
      this.nowMs = t;
      return;
    }
    if (!Number.isFinite(t))
      throw new InvalidInputError(`advanceTo: time must be finite, got ${t}`);
    if (t < this.nowMs) {
      throw new InvalidInputError(
        `advanceTo: time cannot go backwards (now ${this.nowMs}, asked ${t})`,
      );
    }
    for (let top = this.heap[0]; top !== undefined && top.time <= t; top = this.heap[0]) {
      this.removeAt(0);
      this.nowMs = top.time;
      top.fn();
    }
    // A callback may itself have advanced the clock past t.
    if (t > this.nowMs) this.nowMs = t;
  }

  /** advanceTo(now + ms). */
  advanceBy(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  /**
   * Jumps to the next timer's time and runs every timer due then (including ones those timers
   * schedule with no delay). False if nothing is pending.
   */
  runNext(): boolean {
    const top = this.heap[0];
    if (top === undefined) return false;
    this.advanceTo(top.time);
    return true;
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const removed = heap[i]!;
    removed.index = -1;
    const last = heap.pop()!;
    if (last === removed) return;
    heap[i] = last;
    last.index = i;
    this.siftDown(i);
    if (last.index === i) this.siftUp(i);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(item, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    heap[i] = item;
    item.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      let childItem = heap[left]!;
      if (right < n && before(heap[right]!, childItem)) {
        child = right;
        childItem = heap[right]!;
      }
      if (!before(childItem, item)) break;
      heap[i] = childItem;
      childItem.index = i;
      i = child;
    }
    heap[i] = item;
    item.index = i;
  }
}
