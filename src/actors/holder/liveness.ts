/**
 * Which of a Holder's Traders are still alive. A Trader is watched from its first sign of life (a
 * heartbeat on `crypy.sys.hb.<trader>`, a proposal, a report) until it ends; it is silent when
 * nothing came from it for `silentMs` of the clock, as seen by at least `checks` consecutive checks.
 *
 * Why checks and not only clock time: a check is a timer of its own turn, so when the process
 * stalls (a long synchronous evaluation) or a clock jumps, the heartbeats that fell due and the
 * check fire in the same turn, and a stall counts as one miss — never as silence. And silence while
 * the Holder's own bus connection is down proves nothing about a Trader: counting is suspended
 * until the connection is back, and starts afresh then.
 */
import type { Clock, TimerHandle } from "../../time/clock.js";

interface Watch {
  lastHeard: number;
  heardSinceCheck: boolean;
  misses: number;
}

export class Liveness<K> {
  readonly #watched = new Map<K, Watch>();
  readonly #checks: number;
  #timer: TimerHandle | undefined;
  #suspended = false;

  /**
   * @param periodMs clock ms between checks (the heartbeat period)
   * @param silentMs clock ms without a sign of life after which a Trader is silent
   * @param onSilent called once per silent Trader, which is no longer watched
   */
  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly silentMs: number,
    private readonly onSilent: (key: K, silentForMs: number) => void,
  ) {
    this.#checks = Math.max(3, Math.ceil(silentMs / periodMs));
  }

  /** A sign of life from `key`: watched from now on, if it was not. */
  heard(key: K): void {
    const w = this.#watched.get(key);
    if (w === undefined) {
      this.#watched.set(key, { lastHeard: this.clock.now(), heardSinceCheck: true, misses: 0 });
      return;
    }
    w.lastHeard = this.clock.now();
    w.heardSinceCheck = true;
  }

  forget(key: K): void {
    this.#watched.delete(key);
  }

  /** The Holder's connection is down: silence means nothing until `resume`. */
  suspend(): void {
    this.#suspended = true;
  }

  /** The connection is back: everyone starts afresh, as if just heard. */
  resume(): void {
    this.#suspended = false;
    for (const key of this.#watched.keys()) this.heard(key);
  }

  start(): void {
    if (this.#timer === undefined) this.#schedule();
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#watched.clear();
  }

  #schedule(): void {
    this.#timer = this.clock.setTimeout(() => {
      this.#check();
      this.#schedule();
    }, this.periodMs);
  }

  #check(): void {
    if (this.#suspended) return;
    const now = this.clock.now();
    for (const [key, w] of [...this.#watched]) {
      if (w.heardSinceCheck) {
        w.heardSinceCheck = false;
        w.misses = 0;
        continue;
      }
      w.misses++;
      const silentFor = now - w.lastHeard;
      if (w.misses >= this.#checks && silentFor >= this.silentMs) {
        this.#watched.delete(key);
        this.onSilent(key, silentFor);
      }
    }
  }
}
