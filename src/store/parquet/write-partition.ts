/**
 * One partition (venue, market, kind, day) written as one Parquet file, safely:
 *
 * - The rows are staged in DuckDB a batch at a time, then merged with the day's existing file if
 *   there is one (a row of the same key keeps the store's version), so exporting a day again
 *   replaces its file with the union, never appending duplicates nor losing rows exported (and
 *   pruned) before.
 * - The file is written beside its final name and renamed over it, so a reader or a crash sees the
 *   old file or the new one, never half of one.
 * - It is then read back: its row count must equal the merged rows', and every staged row's key
 *   must be in it. Only then does `writePartition` resolve (and a caller may prune the store).
 */

import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";
import { type Duck, sqlString } from "./duckdb.js";
import { LAYOUTS, PART_FILE, type Partition, partitionDir, type Staged } from "./layout.js";

export interface PartitionWritten {
  file: string;
  /** Rows from the store. */
  rows: number;
  /** Rows in the file (the store's and those the file already held). */
  fileRows: number;
}

export async function writePartition(
  duck: Duck,
  root: string,
  partition: Partition,
  batches: AsyncIterable<Staged[][]>,
): Promise<PartitionWritten> {
  const layout = LAYOUTS[partition.kind];
  const db = duck.connection;
  const dir = partitionDir(root, partition);
  const file = join(dir, PART_FILE);
  const temp = `${file}.tmp`;
  await db.run("DROP TABLE IF EXISTS staged; DROP TABLE IF EXISTS merged");
  await db.run(`CREATE TABLE staged (${layout.staging.map(([c, t]) => `${c} ${t}`).join(", ")})`);
  const appender = await db.createAppender("staged");
  let rows = 0;
  try {
    for await (const batch of batches) {
      for (const row of batch) {
        for (const value of row) {
          if (value === null) appender.appendNull();
          else if (typeof value === "bigint") appender.appendBigInt(value);
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      rows += batch.length;
      appender.flushSync();
    }
  } finally {
    appender.closeSync();
  }
  const key = layout.key.join(", ");
  const existing = await exists(file);
  const fromFile = existing
    ? ` UNION ALL SELECT *, 1 AS src FROM read_parquet(${sqlString(file)}, hive_partitioning = false)`
    : "";
  // DISTINCT ON keeps the first of each key in ORDER BY order: the store's row (src 0).
  const merging = db.run(
    `CREATE TABLE merged AS SELECT * EXCLUDE (src) FROM (
       SELECT DISTINCT ON (${key}) * FROM (SELECT ${layout.typed}, 0 AS src FROM staged${fromFile})
       ORDER BY ${key}, src)
     ORDER BY ${layout.time}, ${key}`,
  );
  await merging.catch((err: unknown) => {
    if (!existing) throw err;
    throw new InvalidInputError(
      `${file}: the day's file is already there but cannot be read as this archive's ` +
        `${partition.kind} (${(err as Error).message}); move it away and export again`,
      { cause: err },
    );
  });
  await mkdir(dir, { recursive: true });
  try {
    await db.run(`COPY merged TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const fileRows = await count(duck, `SELECT count(*) FROM merged`);
  const readBack = await count(
    duck,
    `SELECT count(*) FROM read_parquet(${sqlString(file)}, hive_partitioning = false)`,
  );
  const found = await count(
    duck,
    `SELECT count(*) FROM (SELECT ${layout.typed} FROM staged) s
     SEMI JOIN read_parquet(${sqlString(file)}, hive_partitioning = false) f
     USING (${key})`,
  );
  if (readBack !== fileRows || found !== rows) {
    throw new InvalidInputError(
      `${file}: read back ${readBack} rows holding ${found} of the ${rows} exported ` +
        `(expected ${fileRows} and ${rows}): the file is not trusted, nothing is pruned`,
    );
  }
  await db.run("DROP TABLE staged; DROP TABLE merged");
  return { file, rows, fileRows };
}

async function count(duck: Duck, sql: string): Promise<number> {
  const reader = await duck.connection.runAndReadAll(sql);
  return Number(reader.getRows()[0]![0]);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
