/**
 * Where Holders and Traders keep what they must not forget across a crash: one record per actor,
 * replaced whole at each change that matters (a Trader accepted, entered, exiting; a Holder's
 * allocations). The Desk has its journal (desk/journal); these actors change rarely, so one small
 * file each, written atomically, is enough.
 *
 * Invariants:
 * - A record is written whole or not at all: a synced temporary file renamed over the old one, the
 *   directory synced, before `save` returns. A crash leaves the previous record or the new one.
 * - A record that cannot be read is an error naming its file, never an empty state: an actor that
 *   forgot a position it holds would trade as if it held none.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";
import { syncDir, writeFileAtomic } from "../../store/chunk-file.js";

export interface ActorStore {
  /** `actor`'s record, or undefined when it has none. */
  load<T>(actor: string): T | undefined;
  /** Replaces `actor`'s record; durable when it returns, or throws. */
  save(actor: string, record: unknown): void;
  /** Forgets `actor`'s record (its attempt is over). */
  remove(actor: string): void;
}

/** Records in memory: tests, and restarting actors in one process. */
export class MemoryActorStore implements ActorStore {
  readonly records = new Map<string, string>();

  load<T>(actor: string): T | undefined {
    const text = this.records.get(actor);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  save(actor: string, record: unknown): void {
    // Through JSON, as the file store keeps it: nothing relies on object identity.
    this.records.set(actor, JSON.stringify(record));
  }

  remove(actor: string): void {
    this.records.delete(actor);
  }
}

const NAME = /^[A-Za-z0-9_.-]{1,200}$/;

/** Records as `<state>/actors/<actor>.json`, readable by the user alone. */
export class FileActorStore implements ActorStore {
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = join(stateDir, "actors");
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  load<T>(actor: string): T | undefined {
    const file = this.#file(actor);
    if (!existsSync(file)) return undefined;
    const text = readFileSync(file, "utf8");
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new InvalidInputError(
        `${file} is not a readable actor record (${(err as Error).message}); ` +
          "move it aside to start that actor afresh",
        { cause: err },
      );
    }
  }

  save(actor: string, record: unknown): void {
    writeFileAtomic(this.#file(actor), `${JSON.stringify(record)}\n`);
    syncDir(this.#dir);
  }

  remove(actor: string): void {
    rmSync(this.#file(actor), { force: true });
    syncDir(this.#dir);
  }

  #file(actor: string): string {
    if (!NAME.test(actor))
      throw new InvalidInputError(
        `${JSON.stringify(actor)} is not an actor id a file can be named by`,
      );
    return join(this.#dir, `${actor}.json`);
  }
}
