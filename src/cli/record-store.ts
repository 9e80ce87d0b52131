/**
 * Where `crypy record` stores what it publishes: the local store under --data-dir (the embedded
 * default: closed candles, and the tracked markets), or PostgreSQL with --store postgres://…
 * (every kind but tickers, through bounded batch queues; see src/store/record-sink).
 */
import { InvalidArgumentError } from "commander";
import { InvalidInputError } from "../domain/errors.js";
import type { DropPolicy } from "../store/postgres/batch-queue.js";
import { isPostgresUrl } from "../store/postgres/url.js";
import type { RecordSink } from "../store/record-sink/sink.js";
import type { Clock } from "../time/clock.js";

export interface RecordStoreFlags {
  store?: string;
  dataDir?: string;
  queueCapacity?: number;
  batchSize?: number;
  drop?: DropPolicy;
}

export interface OpenedRecordStore {
  sink: RecordSink;
  close(): Promise<void>;
}

export async function openRecordStore(
  flags: RecordStoreFlags,
  recorder: string,
  clock: Clock,
): Promise<OpenedRecordStore> {
  if (flags.store === undefined) {
    const { openStore } = await import("../store/candle-store.js");
    const { LocalRecordSink } = await import("../store/record-sink/local-sink.js");
    const sink = new LocalRecordSink(openStore(flags.dataDir), { recorder, clock });
    return { sink, close: async () => {} };
  }
  if (!isPostgresUrl(flags.store)) {
    throw new InvalidInputError(
      `--store takes a postgres:// URL (the local store under --data-dir is the default), got ${JSON.stringify(flags.store)}`,
    );
  }
  const { openPostgresStore } = await import("../store/postgres/store.js");
  const { PostgresRecordSink, SINK_DEFAULTS } = await import(
    "../store/record-sink/postgres-sink.js"
  );
  const capacity = flags.queueCapacity ?? SINK_DEFAULTS.capacity;
  const batchSize = flags.batchSize ?? Math.min(SINK_DEFAULTS.batchSize, capacity);
  if (batchSize > capacity) {
    throw new InvalidInputError(
      `--batch-size (${batchSize}) must be at most --queue-capacity (${capacity})`,
    );
  }
  const store = await openPostgresStore(flags.store);
  const { WallClock } = await import("../time/wall-clock.js");
  const sink = new PostgresRecordSink(store, {
    recorder,
    capacity,
    batchSize,
    drop: flags.drop ?? SINK_DEFAULTS.drop,
    flushMs: SINK_DEFAULTS.flushMs,
    leaseBlock: SINK_DEFAULTS.leaseBlock,
    // Batches go out each real second, whatever the speed of a simulated source's clock.
    clock: new WallClock(),
  });
  return { sink, close: () => store.close() };
}

export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!(Number.isSafeInteger(n) && n > 0))
    throw new InvalidArgumentError("must be a whole number > 0");
  return n;
}

export function dropPolicy(text: string): DropPolicy {
  if (text !== "newest" && text !== "oldest")
    throw new InvalidArgumentError('must be "newest" or "oldest"');
  return text;
}
