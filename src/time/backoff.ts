/**
 * Reconnect delays: exponential with full jitter, capped ("Exponential Backoff And Jitter", AWS
 * Architecture Blog): the n-th retry waits a uniform random time in [0, min(cap, base × 2^n)), so
 * many clients cut off together do not come back together. A success resets the count.
 *
 * The random source is injected (seeded in tests and in the simulator's runs).
 */
import { InvalidInputError } from "../domain/errors.js";

export interface BackoffOptions {
  /** First ceiling, ms. */
  baseMs: number;
  /** Largest ceiling, ms. */
  capMs: number;
  /** Uniform in [0, 1). */
  random?: () => number;
}

export class Backoff {
  readonly #base: number;
  readonly #cap: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    const { baseMs, capMs } = options;
    if (!(Number.isFinite(baseMs) && baseMs > 0 && Number.isFinite(capMs) && capMs >= baseMs))
      throw new InvalidInputError(
        `a backoff needs 0 < baseMs <= capMs, got baseMs ${baseMs}, capMs ${capMs}`,
      );
    this.#base = baseMs;
    this.#cap = capMs;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last success. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The ceiling of the next delay: min(cap, base × 2^attempt). */
  get ceiling(): number {
    return Math.min(this.#cap, this.#base * 2 ** Math.min(this.#attempt, 52));
  }

  /** The delay before the next try, ms; counts the failure. */
  next(): number {
    const delay = Math.floor(this.#random() * this.ceiling);
    this.#attempt++;
    return delay;
  }

  /** A success: the next failure starts from the base again. */
  reset(): void {
    this.#attempt = 0;
  }
}
