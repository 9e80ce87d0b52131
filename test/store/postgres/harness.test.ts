import { afterEach, describe, expect, test } from "vitest";
import { createTestDatabase } from "../../harness/postgres.js";

const saved = process.env.CRYPY_TEST_PG;
afterEach(() => {
  if (saved === undefined) delete process.env.CRYPY_TEST_PG;
  else process.env.CRYPY_TEST_PG = saved;
});

describe("postgres test harness", () => {
  test("harness - each call gets a fresh database of its own, gone after drop", async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    try {
      expect(a.name).toMatch(/^crypy_test_[0-9a-f]{12}$/);
      expect(a.name).not.toBe(b.name);
      const [row] = await a.sql`SELECT current_database() AS name`;
      expect(row!.name).toBe(a.name);
      await a.sql`CREATE TABLE only_in_a (x int)`;
      const [seen] = await b.sql`SELECT to_regclass('only_in_a') AS t`;
      expect(seen!.t).toBeNull();
    } finally {
      await a.drop();
    }
    const [gone] =
      await b.sql`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${a.name}`;
    expect(gone!.n).toBe(0);
    await b.drop();
  });

  test("harness - an unreachable server fails with how to start one, never a skip", async () => {
    // Port 1 on loopback: nothing listens there.
    process.env.CRYPY_TEST_PG = "postgres://postgres@127.0.0.1:1/postgres";
    await expect(createTestDatabase()).rejects.toThrow(
      /PostgreSQL is not reachable at postgres:\/\/…@127\.0\.0\.1:1\/postgres .*pg_ctlcluster --skip-systemctl-redirect/,
    );
  });
});
