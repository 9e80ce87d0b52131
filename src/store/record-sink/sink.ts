/**
 * Where a Recorder writes what it publishes, besides the bus: the local store (the embedded
 * default) or PostgreSQL (local-sink.ts, postgres-sink.ts). The Recorder hands each published value to the
 * sink with its stream and sequence number; the sink decides which table it goes to.
 *
 * Rules a sink keeps:
 * - `take` never blocks and never throws for a full queue: memory stays bounded, and whatever it
 *   cannot keep is counted, told (`recorder.dropped` through `emit`) and recorded as a gap.
 * - `open` says where a stream's numbering starts. A sink that keeps seqs durably (PostgreSQL)
 *   also gives `reserve`: the stream awaits it (when it returns a promise) before publishing a seq,
 *   so no seq is published that the store could not account for after a crash.
 * - `markets`, where present, keeps the tracked markets across restarts.
 */

export interface StreamId {
  /** The source's subject token (venue id). */
  source: string;
  market: string;
  /** A RecordKind: trades, candles, ticker, book, mark, funding. */
  kind: string;
}

export interface OpenedStream {
  /** The first seq this stream publishes. */
  firstSeq: number;
  /** A promise to await before publishing `seq`, or undefined when it may go at once. */
  reserve?: (seq: number) => Promise<void> | undefined;
}

/** The stored markets (undefined: none stored yet) and their replacement. */
export interface MarketList {
  load(): Promise<string[] | undefined>;
  save(markets: readonly string[]): Promise<void>;
}

export type SinkEmit = (event: string, fields: Record<string, unknown>) => void;

export interface RecordSink {
  /** Called once as the Recorder starts: the sink's events go out as the Recorder's. */
  start(emit: SinkEmit): Promise<void>;
  open(stream: StreamId): Promise<OpenedStream>;
  take(stream: StreamId, value: unknown, seq: number): void;
  /** What the Recorder's status says of the store. */
  status(): Record<string, unknown>;
  /** The tracked markets, kept across restarts. */
  markets?: MarketList;
  /** An exchange's book update ids `from`..`to` never arrived (a sequenced book feed's gap). */
  bookGap?(source: string, market: string, from: number, to: number, reason: string): void;
  /** Writes everything held and stops its timers; called by the Recorder's stop. */
  stop(): Promise<void>;
}
