/**
 * Merging imported candles into a stored chunk, by open time. Both sides are sorted and on the same
 * grid, so the merge is one pass and the result can never hold two candles less than an interval
 * apart. At an open time both hold, the imported candle wins; it is counted `replaced` when its
 * values equal the stored ones, `conflicting` when they differ.
 */

import {
  type CandleColumns,
  type CandleSeries,
  emptyColumns,
  truncateColumns,
} from "./candle-series.js";
import type { Chunk } from "./chunk-file.js";
import { type ChunkEntry, gapsIn } from "./series-index.js";

export interface Merged {
  columns: CandleColumns;
  rows: number;
  added: number;
  replaced: number;
  conflicting: number;
}

/** A stored chunk merged with incoming rows [from, to): both sorted; incoming values win. */
export function merge(
  stored: Chunk | undefined,
  incoming: CandleSeries,
  from: number,
  to: number,
): Merged {
  const rows = to - from;
  if (stored === undefined) {
    const view = incoming.slice(from, to);
    return { columns: view, rows, added: rows, replaced: 0, conflicting: 0 };
  }
  const a = stored.columns;
  const out = emptyColumns(stored.rows + rows);
  let added = 0;
  let replaced = 0;
  let conflicting = 0;
  let p = 0;
  let q = from;
  let n = 0;
  while (p < stored.rows || q < to) {
    const ta = p < stored.rows ? a.time[p]! : Number.POSITIVE_INFINITY;
    const tb = q < to ? incoming.time[q]! : Number.POSITIVE_INFINITY;
    if (ta < tb) {
      copyRow(out, n++, a, p++);
      continue;
    }
    if (tb < ta) added++;
    else if (sameValues(a, p, incoming, q)) {
      replaced++;
      p++;
    } else {
      conflicting++;
      p++;
    }
    copyRow(out, n++, incoming, q++);
  }
  return { columns: truncateColumns(out, n), rows: n, added, replaced, conflicting };
}

function sameValues(a: CandleColumns, i: number, b: CandleColumns, j: number): boolean {
  return (
    a.open[i] === b.open[j] &&
    a.high[i] === b.high[j] &&
    a.low[i] === b.low[j] &&
    a.close[i] === b.close[j] &&
    a.volume[i] === b.volume[j]
  );
}

function copyRow(out: CandleColumns, i: number, from: CandleColumns, j: number): void {
  out.time[i] = from.time[j]!;
  out.open[i] = from.open[j]!;
  out.high[i] = from.high[j]!;
  out.low[i] = from.low[j]!;
  out.close[i] = from.close[j]!;
  out.volume[i] = from.volume[j]!;
}

export function entryOf(
  file: string,
  columns: CandleColumns,
  rows: number,
  intervalMs: number,
): ChunkEntry {
  return {
    file,
    from: columns.time[0]!,
    to: columns.time[rows - 1]!,
    rows,
    gaps: gapsIn(columns.time, 0, rows, intervalMs),
  };
}
