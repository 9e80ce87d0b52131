import { describe, expect, test } from "vitest";
import { InvalidInputError, NetworkError } from "../../../src/domain/errors.js";
import { openPostgresStore } from "../../../src/store/postgres/store.js";
import { DEFAULT_TEST_PG } from "../../harness/postgres.js";

describe("postgres errors", () => {
  test("errors - an unreachable server is a retryable NetworkError naming it without its password", async () => {
    const err = await openPostgresStore(
      "postgres://crypy:hunter2@127.0.0.1:1/x?venue=binance",
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).retryable).toBe(true);
    expect((err as Error).message).toMatch(
      /^PostgreSQL at postgres:\/\/crypy@127\.0\.0\.1:1\/x is not reachable/,
    );
    expect((err as Error).message).not.toContain("hunter2");
  });

  test("errors - a missing database is invalid input, not retried", async () => {
    const url = new URL(process.env.CRYPY_TEST_PG ?? DEFAULT_TEST_PG);
    url.pathname = "/crypy_no_such_database";
    const err = await openPostgresStore(url.toString()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toContain('database "crypy_no_such_database" does not exist');
  });
});
