/**
 * A counter whose values are never handed out twice, across restarts too: mandate nonces, a
 * Trader's order sequence.
 *
 * Invariants:
 * - Values only grow. Before a value is handed out, a high-water mark at or above it is on disk
 *   (written whole, renamed into place, fsynced), so after any crash the next start begins above
 *   every value ever handed out.
 * - The mark moves in blocks of `block` values: one write per block, not per value. A crash skips
 *   at most the rest of a block; it never repeats.
 * - In memory only (no file) when no directory is given: tests and backtests.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";

const DEFAULT_BLOCK = 1_000;

export class DurableCounter {
  #next: number;
  #reserved: number;
  readonly #file: string | undefined;
  readonly #block: number;

  /** `dir` and `name` place the counter's file; without `dir`, it lives in memory only. */
  constructor(dir: string | undefined, name: string, block = DEFAULT_BLOCK) {
    this.#block = block;
    this.#file =
      dir === undefined ? undefined : join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.counter`);
    const mark = this.#file !== undefined && existsSync(this.#file) ? readMark(this.#file) : 0;
    this.#next = mark + 1;
    this.#reserved = mark;
  }

  /** The next value: 1, 2, 3, … — after a restart, above every value handed out before. */
  next(): number {
    if (this.#next > this.#reserved) {
      this.#reserved = this.#next + this.#block - 1;
      if (this.#file !== undefined) writeMark(this.#file, this.#reserved);
    }
    return this.#next++;
  }
}

function readMark(file: string): number {
  const text = readFileSync(file, "utf8").trim();
  const mark = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(mark)) {
    throw new InvalidInputError(
      `${file} holds ${JSON.stringify(text.slice(0, 40))}, not a counter`,
    );
  }
  return mark;
}

function writeMark(file: string, mark: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, `${mark}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
