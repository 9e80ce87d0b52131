/**
 * A fresh PostgreSQL database per test file, on the server named by $CRYPY_TEST_PG (default
 * postgres://postgres@127.0.0.1:5432/postgres): `CREATE DATABASE crypy_test_<random>` before the
 * file's tests, `DROP DATABASE … WITH (FORCE)` after. Never skipped: an unreachable server fails the
 * test with how to start one.
 */

import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { connectPostgres, type Sql } from "../../src/store/postgres/connect.js";

export const DEFAULT_TEST_PG = "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  /** `postgres://…/crypy_test_<random>` */
  readonly url: string;
  readonly name: string;
  /** A client of this database; closed by `drop()`. */
  readonly sql: Sql;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.CRYPY_TEST_PG ?? DEFAULT_TEST_PG;
}

function unreachable(url: string, cause: unknown): Error {
  const shown = url.replace(/\/\/[^@/]*@/, "//…@");
  return new Error(
    `PostgreSQL is not reachable at ${shown} (${(cause as Error).message}). The PostgreSQL tests ` +
      "are never skipped: run `bash scripts/test-setup.sh` as root (installs PostgreSQL and starts " +
      "its cluster with `pg_ctlcluster --skip-systemctl-redirect <version> main start`), or point " +
      "$CRYPY_TEST_PG at a server where this user may CREATE DATABASE.",
    { cause },
  );
}

/** Creates a database of its own for the calling test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `crypy_test_${randomBytes(6).toString("hex")}`;
  const server = postgres(admin, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await server.unsafe(`CREATE DATABASE ${name}`);
  } catch (err) {
    await server.end({ timeout: 1 });
    throw unreachable(admin, err);
  }
  const parsed = new URL(admin);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const sql = connectPostgres(url);
  return {
    url,
    name,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      try {
        await server.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await server.end({ timeout: 5 });
      }
    },
  };
}
