/**
 * An in-process DuckDB for reading and writing Parquet (@duckdb/node-api: its native binary comes
 * from the npm registry, with the parquet, json and icu extensions statically linked). Extension
 * auto-install and auto-load are off, so nothing is ever downloaded at run time; the session's
 * time zone is UTC, so timestamps convert without a local offset.
 */

import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export type { DuckDBConnection };

export interface Duck {
  readonly connection: DuckDBConnection;
  close(): void;
}

export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    threads: "2",
  });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal: DuckDB's COPY takes its file name only as a literal, not a parameter. */
export function sqlString(text: string): string {
  if (text.includes("\u0000")) throw new Error("a path cannot hold NUL");
  return `'${text.replaceAll("'", "''")}'`;
}
