/**
 * The Desk's journal on NATS JetStream: one stream per Desk, `CRYPY_JOURNAL_<desk>`, capturing
 * `crypy.journal.<desk>.entries` and `crypy.journal.<desk>.books` (wire format: jetstream-wire.ts).
 *
 * Why a stream per Desk rather than one shared stream with a subject per Desk: a snapshot removes
 * what it replaces with a purge up to a stream sequence, and `expect.lastSequence` fences the
 * stream against a second writer; both act on a whole stream, so each Desk needs its own. Its
 * limits, replicas and removal (`nats stream rm`) are then one Desk's business too.
 *
 * @example
 * const journal = await JetStreamDeskJournal.open(nc, "binance-main");
 * const desk = new Desk({ ..., journal });   // replays journal.recovered, then appends
 * await journal.close();                       // the connection stays the caller's
 *
 * Invariants:
 *   - `append` resolves once JetStream acknowledged the message holding the entry, never before;
 *     a failure rejects it and every later call with the same JournalError (the Desk halts).
 *   - Group commit: appends made while a publish is in flight go out together in the next message
 *     (each message at most the server's max_payload); one publish in flight at a time, so the
 *     stream holds entries in the order they were appended.
 *   - Every message carries `msgID` = `<desk>.<run>.<what>`: deterministic for one entry within
 *     one run (entry numbers continue from the stream at open), so a publish retried after a lost
 *     acknowledgement is stored once. `<run>` is random per open: a killed process's last write
 *     that reaches the server late must not be taken for this run's entry of the same number (it is
 *     refused by `expect.lastSequence` instead, see jetstream-publish.ts).
 *   - Retries (disconnect, server restart) last at most `retryForMs`, which must stay below the
 *     stream's duplicate window, where the msgID dedup holds.
 *   - A snapshot waits for the appends made before it, stores its parts, then purges everything
 *     before its first part. A crash before the purge leaves the older messages, which replay
 *     skips (entries the snapshot covers, or parts of a snapshot never completed).
 *
 * What "durable" means here, on Debian's nats-server 2.9.10 (checked in its source,
 * server/filestore.go and stream.go at v2.9.10, and by starting it): a stream on file storage
 * writes each message to its block file with write(2) before sending the PubAck (`AsyncFlush` is
 * false for streams), and fsyncs on a fixed 2-minute interval. The server has no setting to change
 * that: `sync_interval` (and `sync: always`) came with 2.10.0, and 2.9.10 refuses the config key as
 * `unknown field "sync_interval"`. So an acknowledged entry survives a SIGKILL of nats-server (and
 * of crypy), since the bytes are in the OS; it survives a power loss or kernel crash only once that
 * periodic fsync ran, or when the stream has replicas (`replicas: 3` on a 3-node cluster: the ack
 * waits for a quorum). On nats-server 2.10 or later, `sync_interval: always` in the jetstream block
 * makes every acknowledgement follow an fsync.
 */
import { randomBytes } from "node:crypto";
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import { headers, type NatsConnection, nanos } from "@nats-io/transport-node";
import { journalStream, journalSubject } from "../../../bus/subjects.js";
import { InvalidInputError } from "../../../domain/errors.js";
import { JournalError } from "../../../journal/errors.js";
import { childLogger, type Logger } from "../../../log/logger.js";
import type { Clock } from "../../../time/clock.js";
import { WallClock } from "../../../time/wall-clock.js";
import type { DeskEntry, DeskJournal } from "./entries.js";
import { isTransient, type PublishRetry, publishDurably } from "./jetstream-publish.js";
import { readJournal } from "./jetstream-read.js";
import { BOOKS_HEADER, PART_HEADER, splitParts } from "./jetstream-wire.js";

export interface JetStreamJournalOptions {
  /** How long a publish is retried through a disconnect or restart (ms); default 30 s. */
  retryForMs?: number;
  /** How long one attempt waits for its acknowledgement (ms); default 2 s. */
  attemptTimeoutMs?: number;
  /** Replicas of a stream this open creates (an existing stream keeps its own); default 1. */
  replicas?: number;
  logger?: Logger;
  /** Whose time retry deadlines are in; default the wall clock. */
  clock?: Clock;
}

/** The duplicate window of a stream this journal creates: the time a msgID dedups retries. */
export const DUPLICATE_WINDOW_MS = 120_000;
const DEFAULT_RETRY_FOR_MS = 30_000;
const DEFAULT_ATTEMPT_TIMEOUT_MS = 2_000;
/** Room left in a message for its headers (msgID, expectations, part numbers). */
const HEADER_ROOM = 1_024;
const DEFAULT_MAX_PAYLOAD = 1_048_576;

interface AppendOp {
  n: number;
  json: string;
  resolve: () => void;
  reject: (err: JournalError) => void;
}

interface SnapshotOp {
  snapshot: true;
  covers: number;
  payload: Uint8Array;
  resolve: () => void;
  reject: (err: JournalError) => void;
}

type Op = AppendOp | SnapshotOp;

export class JetStreamDeskJournal implements DeskJournal {
  readonly recovered: readonly DeskEntry[];
  /** The stream's name, for messages and tests. */
  readonly stream: string;
  private readonly queue: Op[] = [];
  private readonly idle: (() => void)[] = [];
  private running = false;
  private closed = false;
  private failure: JournalError | undefined;
  private readonly run = randomBytes(6).toString("base64url");
  private readonly retry: PublishRetry;
  private readonly log: Logger;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly desk: string,
    private readonly maxPayload: number,
    recovered: readonly DeskEntry[],
    /** The number the next append gets. */
    private nextEntry: number,
    /** The stream's last sequence as this writer knows it: every publish expects it. */
    private lastSeq: number,
    retry: PublishRetry,
    log: Logger,
  ) {
    this.recovered = recovered;
    this.stream = journalStream(desk);
    this.retry = retry;
    this.log = log;
  }

  /**
   * Opens (creating if new) the journal stream of Desk `desk` and reads it back. Throws a
   * JournalError naming the server's problem: no JetStream, a stream of that name that is not a
   * journal, or no answer.
   */
  static async open(
    nc: NatsConnection,
    desk: string,
    options: JetStreamJournalOptions = {},
  ): Promise<JetStreamDeskJournal> {
    const retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
    const stream = journalStream(desk);
    const log = options.logger ?? childLogger("journal", { desk, stream });
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc);
    } catch (err) {
      throw new JournalError(
        `journal stream ${stream}: the NATS server ${nc.getServer()} has no JetStream (start nats-server with -js, or a jetstream block in its config): ${message(err)}`,
        { cause: err },
      );
    }
    const info = await ensureStream(jsm, desk, options.replicas ?? 1);
    const windowMs = info.config.duplicate_window / 1e6;
    if (retryForMs >= windowMs) {
      throw new InvalidInputError(
        `journal stream ${stream}: retryForMs ${retryForMs} must be below the stream's duplicate window (${windowMs} ms), or a late retry could store an entry twice`,
      );
    }
    const js = jetstream(nc);
    const recovered = await readJournal(js, info, desk);
    const journal = new JetStreamDeskJournal(
      js,
      jsm,
      desk,
      nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD,
      recovered.entries,
      recovered.lastEntry + 1,
      info.state.last_seq,
      {
        clock: options.clock ?? new WallClock(),
        retryForMs,
        attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
        onRetry: (attempt, err) =>
          log.warn({ err, attempt }, "journal publish not acknowledged: retrying"),
      },
      log,
    );
    // A crash between a snapshot and its purge left what the snapshot replaced: purge it now.
    if (recovered.snapshotSeq !== undefined && info.state.first_seq < recovered.snapshotSeq) {
      await journal.purgeBefore(recovered.snapshotSeq);
    }
    return journal;
  }

  append(entry: DeskEntry): Promise<void> {
    const stopped = this.stopped();
    if (stopped !== undefined) return Promise.reject(stopped);
    // Serialized now: the caller may change the entry once append returns.
    const json = JSON.stringify(entry);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ n: this.nextEntry++, json, resolve, reject });
      this.kick();
    });
  }

  /** Replaces everything appended so far (every entry number handed out) with `entries`. */
  snapshot(entries: DeskEntry[]): Promise<void> {
    const stopped = this.stopped();
    if (stopped !== undefined) return Promise.reject(stopped);
    const covers = this.nextEntry - 1;
    const payload = Buffer.from(JSON.stringify({ covers, entries }), "utf8");
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ snapshot: true, covers, payload, resolve, reject });
      this.kick();
    });
  }

  /** Waits for pending appends and snapshots; later calls reject. The connection stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.running) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private stopped(): JournalError | undefined {
    if (this.failure !== undefined) return this.failure;
    if (this.closed) return new JournalError(`journal stream ${this.stream} is closed`);
    return undefined;
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    // One microtask: appends made in the same turn share the first message.
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
        await this.commit(this.takeBatch());
      }
    } finally {
      this.running = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** The appends at the head of the queue that fit one message (at least one). */
  private takeBatch(): AppendOp[] {
    const budget = this.budget();
    const batch: AppendOp[] = [];
    let size = 32;
    while (this.queue.length > 0) {
      const op = this.queue[0]!;
      if ("snapshot" in op) break;
      if (batch.length > 0 && size + op.json.length + 1 > budget) break;
      size += op.json.length + 1;
      batch.push(op);
      this.queue.shift();
    }
    return batch;
  }

  private async commit(batch: AppendOp[]): Promise<void> {
    const first = batch[0]!.n;
    const data = Buffer.from(
      `{"first":${first},"entries":[${batch.map((op) => op.json).join(",")}]}`,
    );
    if (data.length > this.budget()) {
      this.fail(
        new JournalError(
          `journal stream ${this.stream}: entry ${first} is ${data.length} bytes, more than the server's max_payload allows (${this.maxPayload}); raise max_payload in nats-server's config`,
        ),
        batch,
      );
      return;
    }
    try {
      const ack = await publishDurably(
        this.js,
        this.stream,
        {
          subject: journalSubject(this.desk, "entries"),
          data,
          msgID: `${this.desk}.${this.run}.${first}`,
          after: this.lastSeq,
        },
        this.retry,
      );
      this.lastSeq = ack.seq;
    } catch (err) {
      this.fail(asJournalError(this.stream, err), batch);
      return;
    }
    for (const op of batch) op.resolve();
  }

  private async writeSnapshot(op: SnapshotOp): Promise<void> {
    const parts = splitParts(op.payload, this.budget());
    let firstSeq: number | undefined;
    try {
      for (const [i, part] of parts.entries()) {
        const h = headers();
        h.set(BOOKS_HEADER, String(op.covers));
        h.set(PART_HEADER, `${i + 1}/${parts.length}`);
        const ack = await publishDurably(
          this.js,
          this.stream,
          {
            subject: journalSubject(this.desk, "books"),
            data: part,
            msgID: `${this.desk}.${this.run}.books-${op.covers}-${i + 1}`,
            after: this.lastSeq,
            headers: h,
          },
          this.retry,
        );
        this.lastSeq = ack.seq;
        firstSeq ??= ack.seq;
      }
    } catch (err) {
      this.fail(asJournalError(this.stream, err), [op]);
      return;
    }
    // The snapshot is stored: what it replaces may go. A purge that fails loses nothing (replay
    // skips what a snapshot covers), so it is logged and left to the next snapshot or open.
    await this.purgeBefore(firstSeq!);
    op.resolve();
  }

  /** Removes every message before stream sequence `seq`; failures are logged, not thrown. */
  private async purgeBefore(seq: number): Promise<void> {
    const { clock, retryForMs } = this.retry;
    const deadline = clock.now() + retryForMs;
    for (;;) {
      try {
        await this.jsm.streams.purge(this.stream, { seq });
        return;
      } catch (err) {
        if (!isTransient(err) || clock.now() > deadline) {
          this.log.warn(
            { err, seq },
            "journal purge failed: the snapshot stands, older entries stay",
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  private budget(): number {
    return this.maxPayload - HEADER_ROOM;
  }

  private fail(error: JournalError, inFlight: Op[]): void {
    this.failure = error;
    for (const p of [...inFlight, ...this.queue.splice(0)]) p.reject(error);
  }
}

/** Finds the Desk's stream, or creates it; one of that name that is not a journal is an error. */
async function ensureStream(
  jsm: JetStreamManager,
  desk: string,
  replicas: number,
): Promise<StreamInfo> {
  const name = journalStream(desk);
  const subjects = [journalSubject(desk, "entries"), journalSubject(desk, "books")];
  try {
    let info: StreamInfo;
    try {
      info = await jsm.streams.info(name);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) {
        throw err;
      }
      const config: Partial<StreamConfig> & { name: string } = {
        name,
        subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        num_replicas: replicas,
        // Entries leave only by a snapshot's purge, never one at a time.
        deny_delete: true,
      };
      info = await jsm.streams.add(config);
    }
    const missing = subjects.filter((s) => !info.config.subjects?.includes(s));
    if (missing.length > 0 || info.config.storage !== StorageType.File) {
      throw new JournalError(
        `stream ${name} exists but is not this Desk's journal (it needs file storage and subjects ${subjects.join(", ")}; it has ${info.config.storage} storage and ${(info.config.subjects ?? []).join(", ") || "no subjects"})`,
      );
    }
    return info;
  } catch (err) {
    throw asJournalError(name, err);
  }
}

function asJournalError(stream: string, err: unknown): JournalError {
  if (err instanceof JournalError) return err;
  return new JournalError(`journal stream ${stream}: ${message(err)}`, { cause: err });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
