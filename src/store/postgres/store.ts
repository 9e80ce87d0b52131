/**
 * The PostgreSQL market-data store: open (connect and migrate), write batches, record gaps, close.
 *
 * @example
 * const store = await openPostgresStore("postgres://127.0.0.1/crypy");
 * await store.write(CANDLES, rows); // { rows, inserted, replaced, duplicates }
 * await store.close();
 */

import { BatchQueue, type BatchQueueOptions } from "./batch-queue.js";
import { connectPostgres, type Sql } from "./connect.js";
import { isoTime } from "./copy-text.js";
import { fromPostgresError } from "./errors.js";
import { migrate } from "./migrate.js";
import type { Layout } from "./schema.js";
import type { TableSpec } from "./tables.js";
import { type WriteCounts, writeBatch } from "./write-batch.js";

export interface GapRow {
  venue: string;
  market: string;
  /** What is missing: `candles`, `trades`, `book`… */
  kind: string;
  fromSequence?: number;
  toSequence?: number;
  /** Epoch ms. */
  fromTime?: number;
  toTime?: number;
  reason: string;
}

export interface PostgresStore {
  readonly sql: Sql;
  readonly layout: Layout;
  write<R>(spec: TableSpec<R>, rows: readonly R[]): Promise<WriteCounts>;
  /** A bounded queue writing into `spec`'s table (see batch-queue.ts). */
  queue<R>(spec: TableSpec<R>, options: BatchQueueOptions<R>): BatchQueue<R>;
  /** Records a gap once; returns false when it was already recorded. */
  recordGap(gap: GapRow): Promise<boolean>;
  close(): Promise<void>;
}

export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const sql = connectPostgres(url);
  let layout: Layout;
  try {
    ({ layout } = await migrate(sql));
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw fromPostgresError(err, url);
  }
  return storeOn(sql, layout);
}

/** A store over an open, migrated client (which the caller closes, or `close()` does). */
export function storeOn(sql: Sql, layout: Layout): PostgresStore {
  const write = <R>(spec: TableSpec<R>, rows: readonly R[]) => writeBatch(sql, layout, spec, rows);
  return {
    sql,
    layout,
    write,
    queue: (spec, options) => new BatchQueue((rows) => write(spec, rows), options),
    async recordGap(gap) {
      const time = (ms: number | undefined) => (ms === undefined ? null : isoTime(ms));
      const rows = await sql`
        INSERT INTO gaps (venue, market, kind, from_sequence, to_sequence, from_time, to_time, reason)
        VALUES (${gap.venue}, ${gap.market}, ${gap.kind}, ${gap.fromSequence ?? null},
          ${gap.toSequence ?? null}, ${time(gap.fromTime)}, ${time(gap.toTime)}, ${gap.reason})
        ON CONFLICT DO NOTHING RETURNING id`;
      return rows.length > 0;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
