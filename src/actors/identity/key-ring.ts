/**
 * Where a process's actors get their identities: keys and durable counters by actor id, from the
 * state directory (the same identity on every restart) or, without one, fresh in memory (tests,
 * backtests). One ring per process; an actor's keys are loaded once.
 */
import { DurableCounter } from "./counter.js";
import { ActorKeys, keysDir } from "./keys.js";

export class KeyRing {
  readonly #dir: string | undefined;
  readonly #keys = new Map<string, ActorKeys>();
  readonly #counters = new Map<string, DurableCounter>();

  private constructor(dir: string | undefined) {
    this.#dir = dir;
  }

  /** Keys and counters kept in `stateDir`'s keys folder (0700; each key 0600). */
  static at(stateDir: string): KeyRing {
    return new KeyRing(keysDir(stateDir));
  }

  /** Fresh keys and counters in memory: nothing survives the process. */
  static inMemory(): KeyRing {
    return new KeyRing(undefined);
  }

  /** Whether identities survive a restart. */
  get durable(): boolean {
    return this.#dir !== undefined;
  }

  keys(actor: string): ActorKeys {
    let keys = this.#keys.get(actor);
    if (keys === undefined) {
      keys = this.#dir === undefined ? ActorKeys.generate() : ActorKeys.load(this.#dir, actor);
      this.#keys.set(actor, keys);
    }
    return keys;
  }

  /** `actor`'s counter for `purpose` (mandate nonces, order sequence), never repeating a value. */
  counter(actor: string, purpose: string): DurableCounter {
    const name = `${actor}.${purpose}`;
    let counter = this.#counters.get(name);
    if (counter === undefined) {
      counter = new DurableCounter(this.#dir, name);
      this.#counters.set(name, counter);
    }
    return counter;
  }
}
