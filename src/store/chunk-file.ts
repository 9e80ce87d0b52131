/**
 * One chunk of a candle series on disk: the candles of one calendar period (a UTC day, month or
 * year, by timeframe — see `chunkSpan`) in one binary file, column by column.
 *
 *   offset  size  field (little-endian)
 *   0       8     magic "CRYPYCDL"
 *   8       4     u32 format version (1)
 *   12      4     u32 header size (64)
 *   16      4     u32 rows (> 0)
 *   20      4     u32 columns (6)
 *   24      8     f64 interval, ms
 *   32      8     f64 first open time, epoch ms
 *   40      8     f64 last open time, epoch ms
 *   48      4     u32 checksum of the body (FNV-1a over its 32-bit words)
 *   52      12    zero
 *   64      ...   body: rows × f64 of each column in turn: time, open, high, low, close, volume
 *
 * The header is 64 bytes so every column starts 8-byte aligned: a reader maps Float64Arrays straight
 * onto the bytes it read, with no per-row decoding. A chunk verifies itself (size from the header,
 * checksum over the body), so a truncated or damaged file is refused, naming it, rather than read
 * as wrong prices. Files are written to a temporary name, synced, then renamed over the old one.
 *
 * Float64Array uses the machine's byte order; the store refuses to open on a big-endian machine
 * rather than write files another machine would misread.
 */

import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { InvalidInputError, NotSupportedError } from "../domain/errors.js";
import type { CandleColumns } from "./candle-series.js";

export const HEADER_BYTES = 64;
const MAGIC = "CRYPYCDL";
const VERSION = 1;
const COLUMNS = 6;
const ROW_BYTES = COLUMNS * 8;
const FIELDS = ["time", "open", "high", "low", "close", "volume"] as const;

/** The decoded content of a chunk file. Columns are views on the bytes read. */
export interface Chunk {
  rows: number;
  intervalMs: number;
  columns: CandleColumns;
}

/** The calendar period a chunk file covers: [start, end) and its file name. */
export interface ChunkSpan {
  file: string;
  start: number;
  end: number;
}

/**
 * Which chunk holds the candle opening at `time`. Periods keep files between ~1 and ~4 MB at the
 * finest timeframe of each tier: second candles by UTC day, minute candles by month, coarser ones
 * by year.
 */
export function chunkSpan(time: number, intervalMs: number): ChunkSpan {
  const d = new Date(time);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const yyyy = String(y).padStart(4, "0");
  const mm = String(m + 1).padStart(2, "0");
  if (intervalMs < 60_000) {
    const day = d.getUTCDate();
    const start = Date.UTC(y, m, day);
    return {
      file: `${yyyy}-${mm}-${String(day).padStart(2, "0")}.bin`,
      start,
      end: Date.UTC(y, m, day + 1),
    };
  }
  if (intervalMs < 3_600_000) {
    return { file: `${yyyy}-${mm}.bin`, start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  }
  return { file: `${yyyy}.bin`, start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
}

export const CHUNK_FILE = /^\d{4}(-\d{2}(-\d{2})?)?\.bin$/;

export function assertLittleEndian(endianness: string): void {
  if (endianness !== "LE") {
    throw new NotSupportedError(
      "the candle store needs a little-endian machine (its files are little-endian Float64 columns)",
    );
  }
}

/** FNV-1a over 32-bit words: cheap enough to run on every read (~1 ms per 4 MB). */
function checksum(words: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}

/** The bytes of a chunk file holding `rows` rows of `columns` starting at row `from`. */
export function encodeChunk(
  columns: CandleColumns,
  from: number,
  rows: number,
  intervalMs: number,
): Uint8Array {
  const buffer = new ArrayBuffer(HEADER_BYTES + rows * ROW_BYTES);
  const bytes = new Uint8Array(buffer);
  FIELDS.forEach((name, k) => {
    const column = new Float64Array(buffer, HEADER_BYTES + k * rows * 8, rows);
    column.set(columns[name].subarray(from, from + rows));
  });
  const view = new DataView(buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, HEADER_BYTES, true);
  view.setUint32(16, rows, true);
  view.setUint32(20, COLUMNS, true);
  view.setFloat64(24, intervalMs, true);
  view.setFloat64(32, columns.time[from]!, true);
  view.setFloat64(40, columns.time[from + rows - 1]!, true);
  view.setUint32(48, checksum(new Uint32Array(buffer, HEADER_BYTES)), true);
  return bytes;
}

/**
 * Decodes a chunk file's bytes, checking its header, size and checksum against `intervalMs`.
 * Throws an InvalidInputError naming `file` when anything is off.
 */
export function decodeChunk(bytes: Uint8Array, file: string, intervalMs: number): Chunk {
  const corrupt = (why: string) =>
    new InvalidInputError(`corrupt chunk file ${file}: ${why}; re-import its data`);
  // Buffer#slice is a view; new Uint8Array(bytes) copies into a fresh, aligned buffer.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const { buffer, byteOffset } = aligned;
  if (aligned.length < HEADER_BYTES) {
    throw corrupt(`${aligned.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (aligned[i] !== MAGIC.charCodeAt(i)) throw corrupt(`not a crypy candle chunk (bad magic)`);
  }
  const view = new DataView(buffer, byteOffset, HEADER_BYTES);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw corrupt(`format version ${version}, this crypy reads ${VERSION}`);
  const headerBytes = view.getUint32(12, true);
  const columnCount = view.getUint32(20, true);
  if (headerBytes !== HEADER_BYTES || columnCount !== COLUMNS) {
    throw corrupt(`header says ${headerBytes} header bytes and ${columnCount} columns`);
  }
  const rows = view.getUint32(16, true);
  const expected = HEADER_BYTES + rows * ROW_BYTES;
  if (rows === 0 || aligned.length !== expected) {
    throw corrupt(
      `${aligned.length} bytes, but its header says ${rows} rows (${expected} bytes expected)`,
    );
  }
  const fileInterval = view.getFloat64(24, true);
  if (fileInterval !== intervalMs) {
    throw corrupt(`it holds ${fileInterval} ms candles, its series is ${intervalMs} ms`);
  }
  const body = new Uint32Array(buffer, byteOffset + HEADER_BYTES, rows * COLUMNS * 2);
  if (checksum(body) !== view.getUint32(48, true)) throw corrupt("checksum mismatch");
  const column = (k: number) =>
    new Float64Array(buffer, byteOffset + HEADER_BYTES + k * rows * 8, rows);
  const columns: CandleColumns = {
    time: column(0),
    open: column(1),
    high: column(2),
    low: column(3),
    close: column(4),
    volume: column(5),
  };
  if (
    columns.time[0] !== view.getFloat64(32, true) ||
    columns.time[rows - 1] !== view.getFloat64(40, true)
  ) {
    throw corrupt("its first/last open times disagree with its header");
  }
  return { rows, intervalMs, columns };
}

/** Reads a chunk with one read into an 8-byte aligned buffer. */
export async function readChunk(file: string, intervalMs: number): Promise<Chunk> {
  const handle = await open(file, "r").catch((err: unknown) => {
    throw missingChunk(err, file);
  });
  try {
    const { size } = await handle.stat();
    const bytes = new Uint8Array(new ArrayBuffer(size));
    let done = 0;
    // One read in practice; the loop only guards against a short read.
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return decodeChunk(bytes.subarray(0, done), file, intervalMs);
  } finally {
    await handle.close();
  }
}

export function readChunkSync(file: string, intervalMs: number): Chunk {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw missingChunk(err, file);
  }
  return decodeChunk(bytes, file, intervalMs);
}

/** A chunk the index lists but the disk does not hold is data lost: say so, naming it. */
function missingChunk(err: unknown, file: string): unknown {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") return err;
  return new InvalidInputError(
    `missing chunk file ${file}: the series' index lists it; re-import its data`,
    { cause: err },
  );
}

/** Writes `bytes` to `file` atomically: a synced temporary file renamed over it. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
  const fd = openSync(temp, "w", 0o600);
  try {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
}

/** Makes renames in `dir` durable; best effort (not every platform can sync a directory). */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // a directory that cannot be synced still holds the renamed files
  }
}
