/**
 * The JSON index of one stored series (`index.json` beside its chunk files): which chunks exist,
 * the open times of their first and last candles, their row counts and their gaps. A range read
 * plans from it which chunks to open; `list` answers from it alone, without touching a chunk.
 *
 * Invariants, checked on load: the index names the series of its directory; chunks are sorted and
 * do not overlap; each chunk's gaps lie inside it. The index is written last, after the chunks it
 * describes, and is the same bytes for the same data (no timestamps), so a re-import is a no-op.
 *
 * A gap is a run of missing candles, `{from, to}` = the open times of the first and last missing
 * one (inclusive), between the series' first and last candle.
 */

import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { InvalidInputError } from "../domain/errors.js";
import { CHUNK_FILE } from "./chunk-file.js";
import { describeKey, type ResolvedKey } from "./series-key.js";

export const INDEX_FILE = "index.json";
const FORMAT = "crypy-candles";
const VERSION = 1;

export interface Gap {
  /** Open time of the first missing candle, epoch ms. */
  from: number;
  /** Open time of the last missing candle, epoch ms. */
  to: number;
}

export interface ChunkEntry {
  file: string;
  /** Open time of the chunk's first candle. */
  from: number;
  /** Open time of the chunk's last candle. */
  to: number;
  rows: number;
  /** Gaps inside the chunk (between its first and last candle). */
  gaps: Gap[];
}

export interface SeriesIndex {
  format: typeof FORMAT;
  version: typeof VERSION;
  venue: string;
  market: string;
  timeframe: string;
  intervalMs: number;
  chunks: ChunkEntry[];
}

/** What the store holds for one series. */
export interface StoredSeries {
  venue: string;
  /** The ccxt symbol. */
  market: string;
  timeframe: string;
  /** Open time of the first candle, epoch ms. */
  first: number;
  /** Open time of the last candle, epoch ms. */
  last: number;
  rows: number;
  gaps: Gap[];
}

const time = z.number().finite();
const gapSchema = z.strictObject({ from: time, to: time });
const indexSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  venue: z.string(),
  market: z.string(),
  timeframe: z.string(),
  intervalMs: z.number().int().positive(),
  chunks: z.array(
    z.strictObject({
      file: z.string().regex(CHUNK_FILE),
      from: time,
      to: time,
      rows: z.number().int().positive(),
      gaps: z.array(gapSchema),
    }),
  ),
});

export function emptyIndex(key: ResolvedKey): SeriesIndex {
  const { venue, market, timeframe, intervalMs } = key;
  return { format: FORMAT, version: VERSION, venue, market, timeframe, intervalMs, chunks: [] };
}

/** The index of the series in `dir`, or undefined if nothing is stored there. */
export async function loadIndex(dir: string, key: ResolvedKey): Promise<SeriesIndex | undefined> {
  const file = join(dir, INDEX_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return parseIndex(text, file, key);
}

export function loadIndexSync(dir: string, key: ResolvedKey): SeriesIndex | undefined {
  const file = join(dir, INDEX_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return parseIndex(text, file, key);
}

/** Parses and checks an index file's text; throws an InvalidInputError naming `file`. */
export function parseIndex(text: string, file: string, key: ResolvedKey): SeriesIndex {
  const corrupt = (why: string) => new InvalidInputError(`corrupt index file ${file}: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt(`not JSON (${(err as Error).message})`);
  }
  const parsed = indexSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw corrupt(`${path}: ${issue.message}`);
  }
  const index: SeriesIndex = parsed.data;
  if (
    index.venue !== key.venue ||
    index.market !== key.market ||
    index.timeframe !== key.timeframe ||
    index.intervalMs !== key.intervalMs
  ) {
    throw corrupt(
      `it describes ${describeKey(index)}, but sits in the directory of ${describeKey(key)}`,
    );
  }
  let previous: ChunkEntry | undefined;
  for (const chunk of index.chunks) {
    if (chunk.to < chunk.from || (previous !== undefined && chunk.from <= previous.to)) {
      throw corrupt(`chunk ${chunk.file} is out of order or overlaps the one before it`);
    }
    for (const gap of chunk.gaps) {
      if (!(gap.from > chunk.from && gap.to < chunk.to && gap.from <= gap.to)) {
        throw corrupt(`chunk ${chunk.file} lists a gap outside its own range`);
      }
    }
    previous = chunk;
  }
  return index;
}

/** The index as written to disk: the same bytes for the same content. */
export function serializeIndex(index: SeriesIndex): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}

/** The gaps between consecutive open times of `time[from, to)`. */
export function gapsIn(time: Float64Array, from: number, to: number, intervalMs: number): Gap[] {
  const gaps: Gap[] = [];
  for (let i = from + 1; i < to; i++) {
    const previous = time[i - 1]!;
    if (time[i]! - previous > intervalMs) {
      gaps.push({ from: previous + intervalMs, to: time[i]! - intervalMs });
    }
  }
  return gaps;
}

/** The series' gaps: inside each chunk and between consecutive chunks, in time order. */
export function seriesGaps(index: SeriesIndex): Gap[] {
  const gaps: Gap[] = [];
  let previous: ChunkEntry | undefined;
  for (const chunk of index.chunks) {
    if (previous !== undefined && chunk.from - previous.to > index.intervalMs) {
      gaps.push({ from: previous.to + index.intervalMs, to: chunk.from - index.intervalMs });
    }
    gaps.push(...chunk.gaps);
    previous = chunk;
  }
  return gaps;
}

/** How many candles the gaps leave out. */
export function missingCandles(gaps: readonly Gap[], intervalMs: number): number {
  let n = 0;
  for (const gap of gaps) n += (gap.to - gap.from) / intervalMs + 1;
  return n;
}

/** The summary `list` reports; undefined for an index without chunks. */
export function storedSeries(index: SeriesIndex): StoredSeries | undefined {
  const first = index.chunks[0];
  const last = index.chunks.at(-1);
  if (first === undefined || last === undefined) return undefined;
  let rows = 0;
  for (const chunk of index.chunks) rows += chunk.rows;
  return {
    venue: index.venue,
    market: index.market,
    timeframe: index.timeframe,
    first: first.from,
    last: last.to,
    rows,
    gaps: seriesGaps(index),
  };
}
