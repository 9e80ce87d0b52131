/**
 * Versioned migrations (schema.ts): `schema_migrations` records each applied version with the
 * layout it was applied for. Each migration runs once, in its own transaction that also records it,
 * under an advisory lock, so two processes starting together apply it once; running `migrate` on an
 * up-to-date database changes nothing. The layout is chosen when the first migration runs and kept
 * from then on, even if TimescaleDB is installed later.
 */

import type { Sql } from "./connect.js";
import { type Layout, MIGRATIONS, type Migration } from "./schema.js";

/** An arbitrary constant: the advisory lock key of crypy's migrations. */
const MIGRATION_LOCK = 7_215_001;

export interface MigrateResult {
  layout: Layout;
  /** Versions applied by this call (empty when the database was up to date). */
  applied: number[];
}

/** Whether the server can install TimescaleDB. */
export async function timescaleAvailable(sql: Sql): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`;
  return rows.length > 0;
}

export interface MigrateOptions {
  /** How the layout is chosen on a new database (tests replace it); default: timescaleAvailable. */
  detect?: (sql: Sql) => Promise<Layout>;
}

const detectLayout = async (sql: Sql): Promise<Layout> =>
  (await timescaleAvailable(sql)) ? "timescale" : "native";

export async function migrate(
  sql: Sql,
  migrations: readonly Migration[] = MIGRATIONS,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  // IF NOT EXISTS alone races (two creators collide on the catalog): hence the lock.
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      layout text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`;
  });
  let layout = await recordedLayout(sql);
  layout ??= await (options.detect ?? detectLayout)(sql);
  const applied: number[] = [];
  for (const migration of migrations) {
    const chosen = layout;
    if (migration.outsideTransaction?.(chosen) === true) {
      // Only the TimescaleDB layout's continuous aggregates: lock, check, apply, record.
      const done = await sql.reserve();
      try {
        await done`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
        if (!(await isApplied(done, migration.version))) {
          await done.unsafe(migration.sql(chosen));
          await record(done, migration, chosen);
          applied.push(migration.version);
        }
      } finally {
        await done`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`;
        done.release();
      }
      continue;
    }
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
      if (await isApplied(tx as unknown as Sql, migration.version)) return;
      await tx.unsafe(migration.sql(chosen));
      await record(tx as unknown as Sql, migration, chosen);
      applied.push(migration.version);
    });
  }
  return { layout, applied };
}

async function recordedLayout(sql: Sql): Promise<Layout | undefined> {
  const rows = await sql<{ layout: Layout }[]>`
    SELECT layout FROM schema_migrations ORDER BY version LIMIT 1`;
  return rows[0]?.layout;
}

async function isApplied(sql: Sql, version: number): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM schema_migrations WHERE version = ${version}`;
  return rows.length > 0;
}

async function record(sql: Sql, migration: Migration, layout: Layout): Promise<void> {
  await sql`INSERT INTO schema_migrations (version, name, layout)
    VALUES (${migration.version}, ${migration.name}, ${layout})`;
}
