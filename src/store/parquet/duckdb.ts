/**
 * An in-process DuckDB for reading and writing Parquet (@duckdb/node-api: its native binary comes
 * from the npm registry, with the parquet, json and icu extensions statically linked). Extension
 * auto-install and auto-load are off, so nothing is ever downloaded at run time; the session's
 * time zone is UTC, so timestamps convert without a local offset.
 *
 * Memory is bounded (MEMORY_LIMIT): a day larger than that spills to a temporary directory of its
 * own under the system's, removed on close, instead of DuckDB's default `.tmp` in the current
 * directory and 80% of the machine's memory.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

const MEMORY_LIMIT = "1GB";

export type { DuckDBConnection };

export interface Duck {
  readonly connection: DuckDBConnection;
  close(): void;
}

export async function openDuck(): Promise<Duck> {
  const spill = mkdtempSync(join(tmpdir(), "crypy-duckdb-"));
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(":memory:", {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      threads: "2",
      memory_limit: MEMORY_LIMIT,
      temp_directory: spill,
    });
  } catch (err) {
    rmSync(spill, { recursive: true, force: true });
    throw err;
  }
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
      rmSync(spill, { recursive: true, force: true });
    },
  };
}

/** A SQL string literal: DuckDB's COPY takes its file name only as a literal, not a parameter. */
export function sqlString(text: string): string {
  if (text.includes("\u0000")) throw new Error("a path cannot hold NUL");
  return `'${text.replaceAll("'", "''")}'`;
}
