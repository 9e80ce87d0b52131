/**
 * A request whose wait is bounded in an actor's own clock: a TimeoutError after `waitMs` of that
 * clock, whatever the bus does. The bus bounds it too, in real time, as a backstop. An answer that
 * comes after the bound is dropped: whoever asked has moved on.
 */
import type { Bus } from "../../bus/bus.js";
import { TimeoutError } from "../../domain/errors.js";
import type { Clock } from "../../time/clock.js";

/**
 * @example
 * await askWithin(bus, clock, holderProposal("sim-main", "USDT"), proposal, 31 * 60_000, "sim-main_USDT");
 * // or TimeoutError("no answer from sim-main_USDT within 31 min")
 */
export function askWithin<T>(
  bus: Bus,
  clock: Clock,
  subject: string,
  payload: unknown,
  waitMs: number,
  who: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () => reject(new TimeoutError(`no answer from ${who} within ${duration(waitMs)}`)),
      waitMs,
    );
    bus.request<T>(subject, payload, { timeoutMs: waitMs }).then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** A clock duration for people: "31 min", "45 s". */
export function duration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
