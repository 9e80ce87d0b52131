/**
 * Reads a journal's directory without changing it: the newest snapshot, the segments after it, and
 * what recovery would cut. `FileJournal.open` acts on the result; `crypy journal` only shows it.
 *
 * A journal directory holds
 *   segment-<first seq, 16 digits>.log   frames (./frame.ts), seqs contiguous within and across files
 *   snapshot-<seq, 16 digits>.snap       one frame (count 0) with the state as of that seq
 *   *.tmp                                a snapshot being written; ignored, removed on open
 *
 * Invariants checked here:
 *   - every frame's checksum holds and its seq continues the previous frame's (no gap, no repeat);
 *   - only the last segment may end in a torn tail: bad bytes from some offset to the end of the
 *     file, with no valid frame after them that says they had been fsynced (`durableTo`). That is
 *     what a crash during a write leaves; it is reported (`torn`) and cut by the writer.
 *   - anything else is a JournalCorruptError naming the file and offset, never skipped.
 *
 * The limit of that: bytes of the last write before a crash that went bad *after* their fsync
 * (a disk error) look like a torn write, and are cut. Nothing on disk tells the two apart.
 */
import { join } from "node:path";
import { JournalCorruptError } from "./errors.js";
import type { FileLayer } from "./files.js";
import { type Frame, HEADER_BYTES, readFrame } from "./frame.js";

export interface Entry<R = unknown> {
  seq: number;
  /** Wall-clock ms when the entry was appended. */
  at: number;
  record: R;
}

export interface Snapshot<S = unknown> {
  seq: number;
  at: number;
  state: S;
}

/** Bytes at the end of the last segment that recovery cuts: a write the crash interrupted. */
export interface TornTail {
  file: string;
  offset: number;
  bytes: number;
  /** What was found at `offset`. */
  detail: string;
}

export interface SegmentInfo {
  name: string;
  /** The seq of its first record. */
  start: number;
  /** Bytes on disk, including a torn tail. */
  size: number;
  /** Records read from it (undefined when the scan skipped it: it lies before the snapshot). */
  records?: number;
}

export interface JournalScan {
  dir: string;
  snapshot?: Snapshot & { file: string };
  /** Entries of the segments read, in seq order (some may precede the snapshot). */
  entries: Entry[];
  segments: SegmentInfo[];
  /** Segments wholly covered by the snapshot, and older snapshots: the writer deletes them. */
  stale: string[];
  /** Leftover temporary files. */
  temporary: string[];
  torn?: TornTail;
  /** The last seq the journal holds: its last entry, or the snapshot's seq if that is later; 0 if none. */
  lastSeq: number;
}

const SEGMENT = /^segment-(\d{16})\.log$/;
const SNAPSHOT = /^snapshot-(\d{16})\.snap$/;
const pad = (seq: number) => String(seq).padStart(16, "0");
export const segmentName = (start: number) => `segment-${pad(start)}.log`;
export const snapshotName = (seq: number) => `snapshot-${pad(seq)}.snap`;

function parsePayload(file: string, frame: Frame): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(frame.payload.toString("utf8"));
    if (typeof value === "object" && value !== null) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new JournalCorruptError(file, frame.offset, "checksum holds but the payload is not JSON");
}

async function readSnapshot(
  files: FileLayer,
  dir: string,
  name: string,
): Promise<Snapshot & { file: string }> {
  const file = join(dir, name);
  const buf = await files.readFile(file);
  const read = readFrame(buf, 0);
  if (!read.ok) throw new JournalCorruptError(file, 0, `snapshot unreadable: ${read.detail}`);
  const { at, state } = parsePayload(file, read.frame);
  if (read.frame.end !== buf.length || typeof at !== "number") {
    throw new JournalCorruptError(file, 0, "snapshot is not one frame of {at, state}");
  }
  return { seq: read.frame.seq, at, state, file };
}

/**
 * After a bad frame at `offset`: the largest `durableTo` claimed by any valid frame later in the
 * file (-1 if none), and how many valid frames there are. Searches byte by byte, since the bad
 * frame's length cannot be trusted.
 */
function framesAfter(buf: Buffer, offset: number): { durableTo: number; valid: number } {
  let durableTo = -1;
  let valid = 0;
  let at = offset + 1;
  while (at + HEADER_BYTES <= buf.length) {
    const read = readFrame(buf, at);
    if (read.ok && read.frame.count > 0) {
      durableTo = Math.max(durableTo, read.frame.durableTo);
      valid++;
      at = read.frame.end;
    } else at++;
  }
  return { durableTo, valid };
}

interface SegmentRead {
  entries: Entry[];
  next: number;
  torn?: TornTail;
}

function readSegment(file: string, buf: Buffer, start: number, last: boolean): SegmentRead {
  const entries: Entry[] = [];
  let next = start;
  let offset = 0;
  while (offset < buf.length) {
    const read = readFrame(buf, offset);
    if (!read.ok) {
      const after = last ? framesAfter(buf, offset) : { durableTo: buf.length, valid: 0 };
      if (after.durableTo > offset) {
        throw new JournalCorruptError(
          file,
          offset,
          `${read.detail}, in bytes already fsynced${last ? " (a later record says so)" : ""}`,
        );
      }
      // Valid frames after it were written in the same unfinished write (pages that reached the
      // disk out of order): never fsynced, never acknowledged.
      const detail =
        after.valid === 0
          ? read.detail
          : `${read.detail}; ${after.valid} unsynced records after it`;
      const torn = { file, offset, bytes: buf.length - offset, detail };
      return { entries, next, torn };
    }
    const { frame } = read;
    if (frame.seq !== next || frame.count < 1) {
      throw new JournalCorruptError(
        file,
        offset,
        `record seq ${frame.seq} (${frame.count} records) where seq ${next} was expected`,
      );
    }
    const { at, records } = parsePayload(file, frame);
    if (typeof at !== "number" || !Array.isArray(records) || records.length !== frame.count) {
      throw new JournalCorruptError(
        file,
        offset,
        "payload is not {at, records} of the frame's count",
      );
    }
    for (let i = 0; i < records.length; i++)
      entries.push({ seq: next + i, at, record: records[i] });
    next += frame.count;
    offset = frame.end;
  }
  return { entries, next };
}

export interface ScanOptions {
  /** Read every segment, also those the snapshot covers (verify); default: only what recovery needs. */
  all?: boolean;
}

/** Reads the journal in `dir` (see the header). A missing or empty directory is an empty journal. */
export async function scanJournal(
  files: FileLayer,
  dir: string,
  options: ScanOptions = {},
): Promise<JournalScan> {
  const names = (await files.list(dir)).sort();
  const segments: SegmentInfo[] = [];
  const snapshots: string[] = [];
  const temporary: string[] = [];
  for (const name of names) {
    const seg = SEGMENT.exec(name);
    if (seg !== null) segments.push({ name, start: Number(seg[1]), size: 0 });
    else if (SNAPSHOT.test(name)) snapshots.push(name);
    else if (name.endsWith(".tmp")) temporary.push(name);
  }
  const newest = snapshots.at(-1);
  const snapshot = newest === undefined ? undefined : await readSnapshot(files, dir, newest);
  const covered = snapshot?.seq ?? 0;
  // The last segment that starts at or before the first seq after the snapshot: earlier ones hold
  // only entries the snapshot covers.
  let first = 0;
  segments.forEach((s, i) => {
    if (s.start <= covered + 1) first = i;
  });
  const stale = [...snapshots.slice(0, -1), ...segments.slice(0, first).map((s) => s.name)];
  const entries: Entry[] = [];
  let torn: TornTail | undefined;
  let next: number | undefined;
  const from = options.all === true ? 0 : first;
  for (const [i, segment] of segments.entries()) {
    const file = join(dir, segment.name);
    if (i < from) {
      segment.size = await files.size(file);
      continue;
    }
    if (next !== undefined && segment.start !== next) {
      throw new JournalCorruptError(file, 0, `starts at seq ${segment.start}, expected ${next}`);
    }
    if (i === first && segment.start > covered + 1) {
      throw new JournalCorruptError(
        file,
        0,
        `starts at seq ${segment.start} but the snapshot covers only up to ${covered}`,
      );
    }
    const buf = await files.readFile(file);
    segment.size = buf.length;
    const read = readSegment(file, buf, segment.start, i === segments.length - 1);
    segment.records = read.next - segment.start;
    for (const e of read.entries) entries.push(e);
    torn = read.torn;
    next = read.next;
  }
  const lastSeq = Math.max(covered, (next ?? 1) - 1);
  return {
    dir,
    ...(snapshot === undefined ? {} : { snapshot }),
    entries,
    segments,
    stale,
    temporary,
    ...(torn === undefined ? {} : { torn }),
    lastSeq,
  };
}
