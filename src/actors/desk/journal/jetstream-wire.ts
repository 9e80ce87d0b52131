/**
 * What the JetStream journal stores, and how a restart folds it back into the Desk's entries.
 *
 *   crypy.journal.<desk>.entries   one message per group commit: `{"first": n, "entries": [...]}`,
 *                                  entry numbers n, n+1, … (numbering runs on across restarts)
 *   crypy.journal.<desk>.books     a snapshot's JSON `{"covers": n, "entries": [...]}` cut into
 *                                  parts that each fit the server's max_payload; headers
 *                                  `Crypy-Books: <n>` and `Crypy-Part: <i>/<k>`. `covers` is the
 *                                  last entry number the snapshot includes.
 *
 * Invariants the fold relies on (jetstream.ts keeps them): one writer at a time, and every publish
 * carries `expect.lastSequence`, so the stream's order is the order the entries were numbered in,
 * and a snapshot's parts are consecutive messages. A snapshot counts only once its k parts are all
 * there; entries it covers (number ≤ covers) are skipped wherever they still lie, so a crash
 * between storing a snapshot and purging what it covers never replays those entries twice.
 */
import { CrypyError } from "../../../domain/errors.js";
import type { DeskEntry } from "./entries.js";

/** A message that was once stored does not read back as the journal wrote it. */
export class StreamCorruptError extends CrypyError {
  static override readonly code: string = "journal_corrupt";
}

export const BOOKS_HEADER = "Crypy-Books";
export const PART_HEADER = "Crypy-Part";

export interface EntryBatch {
  first: number;
  entries: DeskEntry[];
}

/** One stored message as the fold reads it. */
export interface StoredRecord {
  seq: number;
  subject: "entries" | "books";
  data: Uint8Array;
  /** For books parts: the headers above. */
  header(name: string): string | undefined;
}

export interface Recovered {
  entries: DeskEntry[];
  /** The last entry number on record (in the snapshot or after it); 0 when none. */
  lastEntry: number;
  /** Stream sequence of the first part of the snapshot in force, if any. */
  snapshotSeq: number | undefined;
}

/** Splits `bytes` into parts of at most `max` bytes each (at least one part). */
export function splitParts(bytes: Uint8Array, max: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || parts.length === 0; at += max) {
    parts.push(bytes.subarray(at, at + max));
  }
  return parts;
}

/**
 * Folds the stream's messages, oldest first, into what a restart replays: the newest complete
 * snapshot's entries, then every entry numbered after it.
 */
export class RecoveryFold {
  private snapshot: { covers: number; entries: DeskEntry[]; seq: number } | undefined;
  private tail: { n: number; entry: DeskEntry }[] = [];
  private lastEntry = 0;
  /** Parts of a snapshot being assembled: consecutive messages, or it is dropped. */
  private partial: { id: string; k: number; seq: number; parts: Uint8Array[] } | undefined;

  constructor(private readonly stream: string) {}

  add(record: StoredRecord): void {
    if (record.subject === "books") {
      this.addPart(record);
      return;
    }
    // A part run broken by an entry is a snapshot a crash interrupted: never in force.
    this.partial = undefined;
    const batch = this.json<EntryBatch>(record, "entry batch");
    if (!Number.isSafeInteger(batch.first) || !Array.isArray(batch.entries)) {
      throw this.corrupt(record, "an entry batch without `first` and `entries`");
    }
    batch.entries.forEach((entry, i) => {
      const n = batch.first + i;
      // At or below what is on record: covered by a snapshot, or a copy stored twice. Skip.
      if (n <= this.lastEntry) return;
      this.tail.push({ n, entry });
      this.lastEntry = n;
    });
  }

  result(): Recovered {
    const covers = this.snapshot?.covers ?? 0;
    return {
      entries: [
        ...(this.snapshot?.entries ?? []),
        ...this.tail.filter((t) => t.n > covers).map((t) => t.entry),
      ],
      lastEntry: this.lastEntry,
      snapshotSeq: this.snapshot?.seq,
    };
  }

  private addPart(record: StoredRecord): void {
    const id = record.header(BOOKS_HEADER);
    const part = /^(\d+)\/(\d+)$/.exec(record.header(PART_HEADER) ?? "");
    if (id === undefined || part === null) {
      throw this.corrupt(record, `a books part without ${BOOKS_HEADER} / ${PART_HEADER} headers`);
    }
    const i = Number(part[1]);
    const k = Number(part[2]);
    if (i === 1) this.partial = { id, k, seq: record.seq, parts: [] };
    const p = this.partial;
    if (p === undefined || p.id !== id || p.k !== k || p.parts.length !== i - 1) {
      // Not the part that comes next: the rest of an interrupted snapshot. Ignore the run.
      this.partial = undefined;
      return;
    }
    p.parts.push(record.data);
    if (p.parts.length < k) return;
    this.partial = undefined;
    const whole = Buffer.concat(p.parts);
    const books = this.json<{ covers: number; entries: DeskEntry[] }>(
      { ...record, data: whole },
      "snapshot",
    );
    if (!Number.isSafeInteger(books.covers) || !Array.isArray(books.entries)) {
      throw this.corrupt(record, "a snapshot without `covers` and `entries`");
    }
    this.snapshot = { covers: books.covers, entries: books.entries, seq: p.seq };
    this.lastEntry = Math.max(this.lastEntry, books.covers);
    this.tail = this.tail.filter((t) => t.n > books.covers);
  }

  private json<T>(record: StoredRecord, what: string): T {
    try {
      return JSON.parse(Buffer.from(record.data).toString("utf8")) as T;
    } catch (err) {
      throw this.corrupt(record, `a ${what} that is not JSON`, err);
    }
  }

  private corrupt(record: StoredRecord, problem: string, cause?: unknown): StreamCorruptError {
    return new StreamCorruptError(
      `stream ${this.stream} at sequence ${record.seq}: ${problem}`,
      cause === undefined ? undefined : { cause },
    );
  }
}
