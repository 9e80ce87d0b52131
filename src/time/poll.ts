/**
 * A `watch*`-shaped function over a request: the first call asks at once, each later one waits
 * `everyMs` of `clock` first — how a value a venue only answers on request (a contract's funding
 * rate structure) is followed like a stream.
 */
import type { Clock } from "./clock.js";

export function pollEvery<T>(
  clock: Clock,
  everyMs: number,
  ask: () => Promise<T>,
): () => Promise<T> {
  let first = true;
  return async () => {
    if (!first) await new Promise<void>((r) => clock.setTimeout(r, everyMs));
    first = false;
    return ask();
  };
}
