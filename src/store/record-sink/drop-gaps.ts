/**
 * The seqs of dropped rows, per stream, as ranges waiting to be written to the gaps table.
 *
 * Rules:
 * - Adjacent or overlapping seqs merge into one range, so a stream dropping for a long while
 *   holds one range, not one per row.
 * - Memory is bounded: past `maxRanges` per stream, the two oldest ranges merge into one that
 *   covers both (it claims too much as missing, never too little).
 * - `take` hands the ranges over and forgets them; `giveBack` returns them after a failed write.
 */

export interface SeqRange {
  from: number;
  to: number;
}

export class DropGaps {
  readonly #ranges = new Map<string, SeqRange[]>();

  constructor(private readonly maxRanges = 64) {}

  get pending(): number {
    let n = 0;
    for (const r of this.#ranges.values()) n += r.length;
    return n;
  }

  add(stream: string, from: number, to = from): void {
    let ranges = this.#ranges.get(stream);
    if (ranges === undefined) {
      ranges = [];
      this.#ranges.set(stream, ranges);
    }
    for (const r of ranges) {
      if (from <= r.to + 1 && to >= r.from - 1) {
        r.from = Math.min(r.from, from);
        r.to = Math.max(r.to, to);
        return;
      }
    }
    ranges.push({ from, to });
    ranges.sort((a, b) => a.from - b.from);
    if (ranges.length > this.maxRanges) {
      const [a, b] = ranges.splice(0, 2) as [SeqRange, SeqRange];
      ranges.unshift({ from: Math.min(a.from, b.from), to: Math.max(a.to, b.to) });
    }
  }

  /** The ranges of the streams `which` selects, removed. */
  take(which: (stream: string) => boolean = () => true): Array<[string, SeqRange]> {
    const out: Array<[string, SeqRange]> = [];
    for (const [stream, ranges] of this.#ranges) {
      if (!which(stream)) continue;
      for (const r of ranges) out.push([stream, r]);
      this.#ranges.delete(stream);
    }
    return out;
  }

  giveBack(ranges: ReadonlyArray<[string, SeqRange]>): void {
    for (const [stream, r] of ranges) this.add(stream, r.from, r.to);
  }
}
