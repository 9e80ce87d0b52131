import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migrate, timescaleAvailable } from "../../../src/store/postgres/migrate.js";
import { ensurePartitions } from "../../../src/store/postgres/partitions.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe("postgres migrations", () => {
  test("migrations - applied once, then re-run as no-ops", async () => {
    const first = await migrate(db.sql);
    expect(first.layout).toBe("native");
    expect(first.applied).toEqual([1, 2, 3, 4]);
    const again = await migrate(db.sql);
    expect(again).toEqual({ layout: "native", applied: [] });
    const rows = await db.sql`SELECT version, layout FROM schema_migrations ORDER BY version`;
    expect(rows.map((r) => [r.version, r.layout])).toEqual([
      [1, "native"],
      [2, "native"],
      [3, "native"],
      [4, "native"],
    ]);
  });

  test("migrations - two processes starting together apply each migration once", async () => {
    const other = await createTestDatabase();
    try {
      const results = await Promise.all([migrate(other.sql), migrate(other.sql)]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3, 4]);
    } finally {
      await other.drop();
    }
  });

  test("migrations - a failing migration leaves nothing behind and is not recorded", async () => {
    const other = await createTestDatabase();
    try {
      const broken = [
        { version: 1, name: "ok", sql: () => "CREATE TABLE kept (x int);" },
        {
          version: 2,
          name: "broken",
          sql: () => "CREATE TABLE half_done (x int); SELECT no_such_function();",
        },
      ];
      await expect(migrate(other.sql, broken)).rejects.toThrow(/no_such_function/);
      const tables = await other.sql`
        SELECT to_regclass('kept') IS NOT NULL AS kept, to_regclass('half_done') IS NOT NULL AS half`;
      expect(tables[0]).toEqual({ kept: true, half: false });
      const versions = await other.sql`SELECT version FROM schema_migrations`;
      expect(versions.map((r) => r.version)).toEqual([1]);
    } finally {
      await other.drop();
    }
  });

  test("layout - timescale is chosen only when detected; without the extension it fails whole", async () => {
    const other = await createTestDatabase();
    try {
      // This server has no TimescaleDB: the real detection says native.
      expect(await timescaleAvailable(other.sql)).toBe(false);
      // Forced, the TimescaleDB layout stops at CREATE EXTENSION and leaves nothing behind.
      await expect(
        migrate(other.sql, undefined, { detect: async () => "timescale" }),
      ).rejects.toThrow(/timescaledb/);
      const [tables] = await other.sql`
        SELECT to_regclass('candles') AS candles, count(*)::int AS applied FROM schema_migrations`;
      expect(tables).toEqual({ candles: null, applied: 0 });
      expect((await migrate(other.sql)).layout).toBe("native");
      // Once recorded, the layout is kept: detection is not asked again.
      const again = await migrate(other.sql, undefined, {
        detect: () => Promise.reject(new Error("asked again")),
      });
      expect(again).toEqual({ layout: "native", applied: [] });
    } finally {
      await other.drop();
    }
  });

  test("partitions - a month's partition is created on demand, once", async () => {
    await migrate(db.sql);
    const jan = Date.UTC(2024, 0, 15);
    const mar = Date.UTC(2024, 2, 31, 23, 59);
    const made = await ensurePartitions(db.sql, "candles", [jan, mar, jan]);
    expect(made).toEqual(["candles_y2024m01", "candles_y2024m03"]);
    await ensurePartitions(db.sql, "candles", [mar]);
    const rows = await db.sql`
      SELECT c.relname FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'candles'::regclass ORDER BY 1`;
    expect(rows.map((r) => r.relname)).toEqual(["candles_y2024m01", "candles_y2024m03"]);
    // A row outside every partition is refused: nothing is stored silently elsewhere.
    await expect(
      db.sql`INSERT INTO candles (venue, market, timeframe, open_time, open, high, low, close, volume)
        VALUES ('v', 'm', '1m', '2024-02-01', 1, 1, 1, 1, 0)`,
    ).rejects.toThrow(/no partition/);
  });
});
