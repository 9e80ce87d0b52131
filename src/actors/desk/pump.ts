/**
 * A venue stream, followed: `next` (a ccxt-pro style `watch*`) is called again and again while
 * `wanted`, each value handed to `handle`. A failing stream is retried a second later (in the
 * actor's clock); a closed venue ends it.
 */
import { ClosedError } from "../../domain/errors.js";
import type { Logger } from "../../log/logger.js";
import type { Clock } from "../../time/clock.js";

export async function pump<T>(
  next: () => Promise<T>,
  handle: (value: T) => void,
  wanted: () => boolean,
  env: { clock: Clock; log: Logger },
): Promise<void> {
  while (wanted()) {
    try {
      const value = await next();
      if (wanted()) handle(value);
    } catch (err) {
      if (err instanceof ClosedError || !wanted()) return;
      env.log.warn({ err }, "a venue stream failed; retrying in a second");
      await new Promise<void>((resolve) => env.clock.setTimeout(resolve, 1_000));
    }
  }
}
