/**
 * Where a process's actors get their identities: keys and durable counters by actor id, from the
 * state directory (the same identity on every restart) or, without one, fresh in memory (tests,
 * backtests). One ring per process; an actor's keys are loaded once.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";
import { DurableCounter } from "./counter.js";
import { ActorKeys, isPublicKey, keysDir } from "./keys.js";

const NAME = /^[A-Za-z0-9_-]{1,200}$/;

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

  /**
   * Public keys trusted for `kind` (e.g. "holders"): the files `<kind>/<name>.pub` of the keys
   * folder, each a base64 raw Ed25519 key. A file or folder others may write is ignored (anyone
   * could have put a key there), as is one that holds no key. Empty in memory.
   */
  trusted(kind: string): Map<string, string> {
    const out = new Map<string, string>();
    if (this.#dir === undefined) return out;
    const folder = join(this.#dir, kind);
    if (!existsSync(folder) || (statSync(folder).mode & 0o022) !== 0) return out;
    for (const file of readdirSync(folder)) {
      const name = file.endsWith(".pub") ? file.slice(0, -4) : "";
      if (!NAME.test(name)) continue;
      const path = join(folder, file);
      if ((statSync(path).mode & 0o022) !== 0) continue;
      const key = readFileSync(path, "utf8").trim();
      if (isPublicKey(key)) out.set(name, key);
    }
    return out;
  }

  /** Records `publicKey` as trusted for `name` of `kind`, so the next start trusts it too. */
  trust(kind: string, name: string, publicKey: string): void {
    if (!NAME.test(name))
      throw new InvalidInputError(`cannot trust ${JSON.stringify(name)}: not a name`);
    if (!isPublicKey(publicKey))
      throw new InvalidInputError("the key must be base64 of a raw 32-byte Ed25519 public key");
    if (this.#dir === undefined) return;
    const folder = join(this.#dir, kind);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
    const file = join(folder, `${name}.pub`);
    writeFileSync(`${file}.tmp`, `${publicKey}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}
