/**
 * FileJournal: the embedded default journal, an append-only file of checksummed frames with group
 * commit. The Desk writes an entry and acts only once `append` has resolved.
 *
 * @example
 * const journal = await FileJournal.open(join(stateDir(), "journal"), { name: "binance-main" });
 * const { snapshot, entries, cutBytes } = journal.recovered; // replay these
 * const seq = await journal.append({ kind: "order.intent", clientId, … }); // durable now
 * await journal.appendAll([{ kind: "desk.fill", … }, { kind: "sim.state", … }]); // all or none
 * await journal.snapshot(state); // the state as of the last appended seq; older files go
 * await journal.close();
 *
 * Durable means: the frame's bytes were written and the segment file fdatasync'ed (its size with
 * it), and the segment's name was made durable by an fsync of the directory after it was created.
 * A snapshot is written to a .tmp file, fdatasync'ed, renamed into place, and the directory fsynced;
 * only then are older segments and snapshots removed. See ./files.ts for the fs contract.
 *
 * Invariants:
 *   - An append resolves only after the fsync that covers it; never before, never after a failure.
 *   - Group commit: appends made while a write+fsync is in flight are queued and go out together in
 *     the next single write and single fsync, in the order they were called; the first append on an
 *     idle journal waits one microtask, so appends made in the same turn share it too.
 *   - Seqs start at 1 and continue from the recovered last seq, one per record, never reused once
 *     acknowledged (a seq handed out for a write a crash lost was never acknowledged to anyone).
 *   - Any failed write, fsync, rename or create rejects every pending append and snapshot with the
 *     same JournalError and leaves the journal failed: later calls reject with it at once. It never
 *     retries an fsync (after a failed fsync Linux may drop the dirty pages and report the next one
 *     clean), so nothing after a failure is ever reported durable.
 *   - On open, a torn tail of the last segment is cut (truncate + fdatasync) and reported in
 *     `recovered.cutBytes` / `recovered.cut`; corruption elsewhere throws JournalCorruptError.
 */
import { join } from "node:path";
import { InvalidInputError } from "../domain/errors.js";
import { crashPoint } from "./crash-point.js";
import { JournalError } from "./errors.js";
import { type FileLayer, type JournalFile, nodeFiles } from "./files.js";
import { encodeFrame } from "./frame.js";
import {
  type Entry,
  type Snapshot,
  scanJournal,
  segmentName,
  snapshotName,
  type TornTail,
} from "./scan.js";

/**
 * What a journal stores: a JSON-serializable object with a `kind` (no index signature, so a plain
 * interface such as a Desk entry type fits).
 */
export interface JournalRecord {
  readonly kind: string;
}

export interface JournalOptions {
  /** The journal's name: its directory under `root`. Letters, digits, `.`, `_`, `-`. */
  name: string;
  /** Defaults to the real disk (`nodeFiles`). */
  files?: FileLayer;
  /** Wall clock for each entry's `at`; defaults to Date.now. */
  now?: () => number;
}

export interface Recovered<R, S> {
  /** The newest snapshot, if any. */
  snapshot?: Snapshot<S>;
  /** Every entry after the snapshot, in seq order. */
  entries: Entry<R>[];
  /** Bytes of torn tail cut on open (0: none). */
  cutBytes: number;
  cut?: TornTail;
}

interface PendingAppend {
  seq: number;
  count: number;
  payload: Buffer;
  resolve: (first: number) => void;
  reject: (err: JournalError) => void;
}

interface PendingSnapshot {
  snapshot: true;
  seq: number;
  payload: Buffer;
  resolve: (seq: number) => void;
  reject: (err: JournalError) => void;
}

type Pending = PendingAppend | PendingSnapshot;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The directory of journal `name` under `root`; refuses a name that would leave `root`. */
export function journalDir(root: string, name: string): string {
  if (!NAME.test(name)) {
    throw new InvalidInputError(
      `journal name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'`,
    );
  }
  return join(root, name);
}

function jsonBytes(value: unknown, what: string): Buffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new InvalidInputError(`${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) throw new InvalidInputError(`${what} is not JSON`);
  return Buffer.from(text, "utf8");
}

export class FileJournal<R extends JournalRecord = JournalRecord, S = unknown> {
  readonly name: string;
  /** The journal's own directory, `<root>/<name>`. */
  readonly dir: string;
  readonly recovered: Recovered<R, S>;
  private readonly files: FileLayer;
  private readonly now: () => number;
  private file: JournalFile;
  private segmentStart: number;
  /** Bytes of the current segment that are fsynced. */
  private durableSize: number;
  private nextSeq: number;
  private segments: string[];
  private snapshots: string[];
  private queue: Pending[] = [];
  private running = false;
  private idle: (() => void)[] = [];
  private failure: JournalError | undefined;
  private closed = false;

  private constructor(init: {
    name: string;
    dir: string;
    files: FileLayer;
    now: () => number;
    recovered: Recovered<R, S>;
    file: JournalFile;
    segmentStart: number;
    size: number;
    nextSeq: number;
    segments: string[];
    snapshots: string[];
  }) {
    this.name = init.name;
    this.dir = init.dir;
    this.files = init.files;
    this.now = init.now;
    this.recovered = init.recovered;
    this.file = init.file;
    this.segmentStart = init.segmentStart;
    this.durableSize = init.size;
    this.nextSeq = init.nextSeq;
    this.segments = init.segments;
    this.snapshots = init.snapshots;
  }

  /**
   * Opens (creating if missing) the journal `<root>/<name>`: reads the newest snapshot and the
   * entries after it, cuts a torn tail, removes files a snapshot made stale. Throws
   * JournalCorruptError on corruption other than a torn tail, JournalError when the disk fails.
   */
  static async open<R extends JournalRecord = JournalRecord, S = unknown>(
    root: string,
    options: JournalOptions,
  ): Promise<FileJournal<R, S>> {
    const { name } = options;
    const dir = journalDir(root, name);
    const files = options.files ?? nodeFiles;
    const io = <T>(what: string, run: () => Promise<T>) => ioStep(name, what, run);
    await io(`create ${dir}`, () => files.mkdir(dir));
    const scan = await scanJournal(files, dir);
    for (const stale of [...scan.stale, ...scan.temporary]) {
      await io(`remove ${stale}`, () => files.remove(join(dir, stale)));
    }
    const covered = scan.snapshot?.seq ?? 0;
    const nextSeq = scan.lastSeq + 1;
    const live = scan.segments.filter((s) => !scan.stale.includes(s.name));
    const last = live.at(-1);
    const { torn } = scan;
    if (torn !== undefined && last !== undefined) {
      await io(`cut the torn tail of ${torn.file}`, async () => {
        const cutting = await files.openAppend(torn.file);
        await cutting.truncate(torn.offset);
        await cutting.sync();
        await cutting.close();
      });
      last.size = torn.offset;
    }
    let file: JournalFile;
    let segmentStart: number;
    let size: number;
    if (last !== undefined && last.start + (last.records ?? 0) === nextSeq) {
      const path = join(dir, last.name);
      file = await io(`open ${path}`, () => files.openAppend(path));
      segmentStart = last.start;
      size = last.size;
    } else {
      // No segment yet, or the snapshot runs past the last one (its entries were removed).
      segmentStart = nextSeq;
      const path = join(dir, segmentName(segmentStart));
      file = await io(`create ${path}`, () => files.openAppend(path));
      live.push({ name: segmentName(segmentStart), start: segmentStart, size: 0 });
      size = 0;
    }
    // The segment's name may exist only in the page cache (a process killed before it fsynced the
    // directory): make it durable before acknowledging anything written to it.
    await io(`sync ${dir}`, () => files.syncDir(dir));
    const firstAfter = scan.entries.findIndex((e) => e.seq > covered);
    const entries = (
      firstAfter < 0 ? [] : firstAfter === 0 ? scan.entries : scan.entries.slice(firstAfter)
    ) as Entry<R>[];
    const recovered: Recovered<R, S> = {
      ...(scan.snapshot === undefined
        ? {}
        : {
            snapshot: {
              seq: scan.snapshot.seq,
              at: scan.snapshot.at,
              state: scan.snapshot.state as S,
            },
          }),
      entries,
      cutBytes: scan.torn?.bytes ?? 0,
      ...(scan.torn === undefined ? {} : { cut: scan.torn }),
    };
    return new FileJournal<R, S>({
      name,
      dir,
      files,
      now: options.now ?? Date.now,
      recovered,
      file,
      segmentStart,
      size,
      nextSeq,
      segments: live.map((s) => s.name),
      snapshots: scan.snapshot === undefined ? [] : [snapshotName(scan.snapshot.seq)],
    });
  }

  /** The last seq handed out (durable or on its way); 0 for an empty journal. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** The error that failed the journal, if one did. */
  get failed(): JournalError | undefined {
    return this.failure;
  }

  /** Appends one record; resolves with its seq once it is durable. */
  async append(record: R): Promise<number> {
    return this.enqueue([record]);
  }

  /**
   * Appends records as one frame: after a crash, recovery returns all of them or none. Resolves
   * with their seqs (consecutive) once durable.
   */
  async appendAll(records: readonly R[]): Promise<number[]> {
    if (records.length === 0) throw new InvalidInputError("appendAll needs at least one record");
    const first = await this.enqueue(records);
    return records.map((_, i) => first + i);
  }

  /**
   * Writes `state` as the snapshot of everything appended so far (the last seq handed out), once
   * those appends are durable; then removes the segments and snapshots it makes stale. Resolves
   * with that seq. `state` is serialized now, so the caller may change it afterwards.
   */
  snapshot(state: S): Promise<number> {
    const stopped = this.stopped();
    if (stopped !== undefined) return Promise.reject(stopped);
    const seq = this.lastSeq;
    const payload = jsonBytes({ at: this.now(), state }, "snapshot state");
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ snapshot: true, seq, payload, resolve, reject });
      this.kick();
    });
  }

  /** Waits for pending appends and snapshots, then closes the file. Later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.running) await new Promise<void>((resolve) => this.idle.push(resolve));
    try {
      await this.file.close();
    } catch (err) {
      if (this.failure === undefined) throw journalError(this.name, "close", err);
    }
  }

  private stopped(): JournalError | undefined {
    if (this.failure !== undefined) return this.failure;
    if (this.closed) return new JournalError(`journal ${this.name} is closed`);
    return undefined;
  }

  private enqueue(records: readonly R[]): Promise<number> {
    const stopped = this.stopped();
    if (stopped !== undefined) return Promise.reject(stopped);
    // Serialized before a seq is taken, so a record that is not JSON leaves no gap.
    const payload = jsonBytes({ at: this.now(), records }, "journal record");
    const seq = this.nextSeq;
    this.nextSeq += records.length;
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ seq, count: records.length, payload, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.failure === undefined) {
        const head = this.queue[0]!;
        if ("snapshot" in head) {
          this.queue.shift();
          await this.writeSnapshot(head);
          continue;
        }
        const upTo = this.queue.findIndex((p) => "snapshot" in p);
        const batch = this.queue.splice(0, upTo < 0 ? this.queue.length : upTo) as PendingAppend[];
        await this.commit(batch);
      }
    } finally {
      this.running = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** One write and one fsync for the whole batch; then every append in it resolves. */
  private async commit(batch: PendingAppend[]): Promise<void> {
    const parts: Buffer[] = [];
    for (const p of batch) {
      for (const part of encodeFrame(
        { seq: p.seq, count: p.count, durableTo: this.durableSize },
        p.payload,
      ))
        parts.push(part);
    }
    const bytes = Buffer.concat(parts);
    try {
      await this.file.append(bytes);
      crashPoint("journal.write.unsynced");
      await this.file.sync();
    } catch (err) {
      this.fail(journalError(this.name, `write ${segmentName(this.segmentStart)}`, err), batch);
      return;
    }
    this.durableSize += bytes.length;
    for (const p of batch) p.resolve(p.seq);
  }

  private async writeSnapshot(op: PendingSnapshot): Promise<void> {
    const name = snapshotName(op.seq);
    const tmp = join(this.dir, `${name}.tmp`);
    try {
      const out = await this.files.openAppend(tmp);
      try {
        await out.truncate(0);
        for (const part of encodeFrame({ seq: op.seq, count: 0, durableTo: 0 }, op.payload))
          await out.append(part);
        await out.sync();
      } finally {
        await out.close();
      }
      await this.files.rename(tmp, join(this.dir, name));
      // The new segment starts right after the snapshot, so every older one becomes removable.
      if (this.segmentStart !== op.seq + 1) {
        await this.file.close();
        this.segmentStart = op.seq + 1;
        this.file = await this.files.openAppend(join(this.dir, segmentName(this.segmentStart)));
        this.durableSize = 0;
        this.segments.push(segmentName(this.segmentStart));
      }
      await this.files.syncDir(this.dir);
      const current = segmentName(this.segmentStart);
      for (const old of [...this.segments.filter((s) => s !== current), ...this.snapshots]) {
        if (old !== name) await this.files.remove(join(this.dir, old));
      }
      this.segments = [current];
      this.snapshots = [name];
    } catch (err) {
      this.fail(journalError(this.name, `snapshot ${name}`, err), [op]);
      return;
    }
    op.resolve(op.seq);
  }

  private fail(error: JournalError, inFlight: Pending[]): void {
    this.failure = error;
    for (const p of [...inFlight, ...this.queue.splice(0)]) p.reject(error);
  }
}

function journalError(name: string, what: string, err: unknown): JournalError {
  const reason = err instanceof Error ? err.message : String(err);
  return new JournalError(`journal ${name}: ${what} failed: ${reason}`, { cause: err });
}

async function ioStep<T>(name: string, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw journalError(name, what, err);
  }
}
