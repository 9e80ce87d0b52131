/**
 * Progress of a long job on one terminal line. `Progress` redraws in place with `\r`, only on a
 * TTY (a log file or pipe gets nothing), and at most once per `intervalMs` (10 per second by
 * default) so a hot loop can report every step without flooding the terminal.
 */
import { formatNumber } from "../format.js";

/**
 * @example
 * progressBar(520_000, 1_000_000, 10); // "[#####.....] 52% 520,000/1,000,000 candles"
 */
export function progressBar(done: number, total: number, width: number, unit = "candles"): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const cells = Math.max(0, Math.floor(width));
  const filled = Math.floor(ratio * cells);
  const bar = `${"#".repeat(filled)}${".".repeat(cells - filled)}`;
  const pct = Math.floor(ratio * 100);
  return `[${bar}] ${pct}% ${formatNumber(done, 0)}/${formatNumber(total, 0)} ${unit}`;
}

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Bar width in characters; default 30. */
  width?: number;
  /** What is counted; default "candles". */
  unit?: string;
  /** Minimum time between redraws, ms; default 100. */
  intervalMs?: number;
}

export class Progress {
  readonly #stream: ProgressStream;
  readonly #total: number;
  readonly #width: number;
  readonly #unit: string;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #done = 0;

  constructor(
    stream: ProgressStream,
    total: number,
    options: ProgressOptions = {},
    now: () => number = () => performance.now(),
  ) {
    this.#stream = stream;
    this.#total = total;
    this.#width = options.width ?? 30;
    this.#unit = options.unit ?? "candles";
    this.#intervalMs = options.intervalMs ?? 100;
    this.#now = now;
  }

  /** Records progress; redraws unless the last redraw was too recent (completion always draws). */
  update(done: number): void {
    this.#done = done;
    if (this.#stream.isTTY !== true) return;
    const t = this.#now();
    if (t - this.#lastDraw < this.#intervalMs && done < this.#total) return;
    this.#lastDraw = t;
    this.#draw();
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (this.#stream.isTTY !== true) return;
    this.#draw();
    this.#stream.write("\n");
  }

  #draw(): void {
    this.#stream.write(`\r${progressBar(this.#done, this.#total, this.#width, this.#unit)}`);
  }
}
