/**
 * Time is injected: every component that needs "now" or a timer takes a Clock. A backtest and a
 * live run differ only in the clock (and the venue). No Date.now() in src/sim, src/strategy or
 * src/actors.
 *
 * Times are epoch milliseconds (numbers). Timers fire in (time, scheduling order) order.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
  /** Calls `fn` once, `delayMs` of this clock's time from now (0 and negatives mean "next"). */
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
