/**
 * History over a real nats-server: a responder on a NatsBus reading a real PostgreSQL database
 * (rows written through the store's write path), asked by a plain NATS client that knows nothing
 * of crypy — candles, trades and book states, paged by `next`, and bad requests answered with an
 * error naming what was wrong.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHistory } from "../../../src/actors/history/serve.js";
import { type HistorySource, postgresHistory } from "../../../src/actors/history/sources.js";
import { NatsBus } from "../../../src/bus/nats/nats-bus.js";
import { history } from "../../../src/bus/subjects.js";
import { migrate } from "../../../src/store/postgres/migrate.js";
import { storeOn } from "../../../src/store/postgres/store.js";
import { type NatsServer, startNatsServer } from "../../harness/nats-server.js";
import { createTestDatabase, type TestDatabase } from "../../harness/postgres.js";
import { CANDLE_ROWS, MARKET, MINUTE, S, T0, TRADE_ROWS, VENUE, writeMarket } from "./fixture.js";

let db: TestDatabase;
let server: NatsServer;
let bus: NatsBus;
let source: HistorySource;
let nc: NatsConnection;

beforeAll(async () => {
  db = await createTestDatabase();
  await writeMarket(storeOn(db.sql, (await migrate(db.sql)).layout));
  server = await startNatsServer({ jetstream: false });
  bus = await NatsBus.connect(server.url, { name: "history" });
  source = await postgresHistory(db.url);
  serveHistory(bus, source);
  await bus.flush();
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  await nc?.close();
  await bus?.close();
  await source?.close();
  await server?.cleanup();
  await db?.drop();
});

interface Answer {
  error?: { code: string; message: string };
  body: Record<string, unknown>;
}

async function ask(subject: string, body: unknown): Promise<Answer> {
  const msg = await nc.request(subject, JSON.stringify(body), { timeout: 5_000 });
  const decoded = JSON.parse(new TextDecoder().decode(msg.data)) as Record<string, unknown>;
  return msg.headers?.has("Crypy-Error") === true
    ? { error: decoded as Answer["error"] & object, body: {} }
    : { body: decoded };
}

/** Every page of a range, following `next`. */
async function allPages(subject: string, first: unknown): Promise<Record<string, unknown>[]> {
  const pages: Record<string, unknown>[] = [];
  let request: unknown = first;
  while (request !== undefined) {
    const { body, error } = await ask(subject, request);
    expect(error).toBeUndefined();
    pages.push(body);
    request = body.next;
  }
  return pages;
}

describe("history over NATS", () => {
  it("history - candles of a range, paged, equal to the stored ones", async () => {
    const subject = history(VENUE, MARKET, "candle-1m");
    expect(subject).toBe("crypy.history.binance.BTC-USDT.candle-1m");
    const pages = await allPages(subject, {
      from: new Date(T0 + 5 * MINUTE).toISOString(),
      to: T0 + 25 * MINUTE,
      limit: 8,
    });
    expect(pages.map((p) => (p.candles as unknown[]).length)).toEqual([8, 8, 4]);
    expect(pages[0]).toMatchObject({ venue: VENUE, market: MARKET, kind: "candle-1m" });
    expect(pages[0]!.next).toEqual({ from: T0 + 13 * MINUTE, to: T0 + 25 * MINUTE, limit: 8 });
    expect(pages.flatMap((p) => p.candles as unknown[])).toEqual(
      CANDLE_ROWS.slice(5, 25).map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]),
    );
  });

  it("history - trades in (time, id) order, pages cut inside a millisecond lose and repeat none", async () => {
    const subject = history(VENUE, MARKET, "trade");
    const pages = await allPages(subject, { from: T0 + 2 * S, to: T0 + 8 * S, limit: 3 });
    const ids = pages.flatMap((p) => (p.trades as { id: string }[]).map((t) => t.id));
    expect(ids).toEqual(TRADE_ROWS.slice(4, 16).map((t) => t.tradeId));
    expect((pages[0]!.trades as unknown[])[0]).toEqual({
      id: "1004",
      timestamp: T0 + 2 * S,
      symbol: MARKET,
      side: "buy",
      price: "104.25",
      amount: "0.01",
    });
    expect(pages[0]!.next).toEqual({ from: T0 + 3 * S, to: T0 + 8 * S, limit: 3, cursor: "1006" });
  });

  it("history - a book: the state at `from`, then the diffs up to `to`, paged by update id", async () => {
    const subject = history(VENUE, MARKET, "book");
    const pages = await allPages(subject, { from: T0 + 3.5 * S, to: T0 + 8 * S, limit: 2 });
    const events = pages.flatMap((p) => p.events as Record<string, unknown>[]);
    // Snapshot 10 with diffs 11..13 applied: the best ask 101 at 1.3.
    expect(events[0]).toEqual({
      snapshot: {
        sequence: 13,
        time: T0 + 3 * S,
        bids: [
          ["100", "1"],
          ["99", "2"],
        ],
        asks: [
          ["101", "1.3"],
          ["102", "2"],
        ],
      },
    });
    expect(events.slice(1)).toEqual(
      [14, 15, 16, 17].map((n) => ({
        diff: {
          first: n,
          last: n,
          time: T0 + (n - 10) * S,
          bids: [],
          asks: [["101", `${n / 10}`]],
        },
      })),
    );
    expect(pages.map((p) => (p.events as unknown[]).length)).toEqual([2, 2, 1]);
  });

  it("history - bad requests get an error naming what was wrong, and the responder carries on", async () => {
    const candles = history(VENUE, MARKET, "candle-1m");
    expect((await ask(candles, { from: T0 + MINUTE, to: T0 })).error).toEqual({
      code: "invalid_input",
      message: expect.stringContaining("the range is empty: from 2024-03-01T00:01:00.000Z"),
    });
    expect((await ask(candles, { from: "yesterday", to: T0 })).error?.message).toContain(
      'from "yesterday" is not a time',
    );
    expect((await ask(candles, { from: T0, to: T0 + S, limit: 100_000 })).error?.message).toContain(
      "limit 100000 must be a whole number from 1 to 10000",
    );
    expect((await ask(candles, { from: T0, to: T0 + S, step: 1 })).error?.message).toContain(
      'unknown field "step"',
    );
    expect(
      (await ask("crypy.history.binance.BTC.trade", { from: T0, to: T0 + S })).error?.message,
    ).toContain('invalid market token "BTC"');
    expect((await ask(candles, { from: T0, to: T0 + 2 * MINUTE })).body.candles).toHaveLength(2);
  });
});
