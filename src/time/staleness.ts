/**
 * Is a stream silent past its expected rate? A feed that normally sends a message every
 * `expectedMs` is stale once `graceFactor` of those intervals pass without one (the Recorder then
 * resubscribes and says `feed.stale`). Each message heard makes it fresh again. Time is the
 * caller's clock: virtual in tests and simulations.
 */
import { InvalidInputError } from "../domain/errors.js";

export class Staleness {
  readonly #limitMs: number;
  #last: number;

  constructor(expectedMs: number, now: number, graceFactor = 3) {
    if (!(expectedMs > 0 && graceFactor >= 1))
      throw new InvalidInputError(
        `a stream's expected interval must be above 0 and its grace at least 1, got ${expectedMs} and ${graceFactor}`,
      );
    this.#limitMs = expectedMs * graceFactor;
    this.#last = now;
  }

  /** A message arrived at `now`. */
  heard(now: number): void {
    if (now > this.#last) this.#last = now;
  }

  /** Silent for longer than the limit at `now`. */
  stale(now: number): boolean {
    return now - this.#last > this.#limitMs;
  }

  /** Ms of silence at `now`. */
  silentFor(now: number): number {
    return Math.max(0, now - this.#last);
  }
}
