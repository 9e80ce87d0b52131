/**
 * `crypy replay --store postgres://… --kinds candles,trades,book` as a user runs it: rows written
 * through the PostgreSQL store's write path, replayed by the real bin onto a real NATS server under
 * replay-<venue>, read back by a plain NATS client — merged in time order, each subject numbered
 * from 1, in the Recorder's and the Desk's shapes, the book starting with its state at --from.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/store/postgres/migrate.js";
import { storeOn } from "../../src/store/postgres/store.js";
import { CANDLE_ROWS, S, T0, writeMarket } from "../actors/history/fixture.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { createTestDatabase, type TestDatabase } from "../harness/postgres.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const run = promisify(execFile);
let server: NatsServer;
let db: TestDatabase;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
  db = await createTestDatabase();
  await writeMarket(storeOn(db.sql, (await migrate(db.sql)).layout));
});
afterAll(async () => {
  await server?.cleanup();
  await db?.drop();
});

type Message = Record<string, unknown> & { seq: number; market: string };

/** When a replayed message is due, by its own contents. */
function timeOf(subject: string, m: Message): number {
  if (subject.endsWith(".trade")) return (m.trades as { timestamp: number }[])[0]!.timestamp;
  if (subject.endsWith(".book")) {
    const event = (m.snapshot ?? m.diff) as { time: number };
    return event.time;
  }
  return (m.candle as number[])[0]! + 60_000;
}

describe("cli - crypy replay from PostgreSQL", () => {
  it("cli - candles, trades and the book go out merged in time order, each subject numbered", async () => {
    const nc = await connect({ servers: server.url });
    const got: { subject: string; m: Message }[] = [];
    nc.subscribe("crypy.md.replay-binance.BTC-USDT.>", {
      callback: (_e, msg) =>
        void got.push({ subject: msg.subject, m: JSON.parse(new TextDecoder().decode(msg.data)) }),
    });
    await nc.flush();
    const env = { ...process.env, CRYPY_LOG_LEVEL: "error" };
    const { stdout } = await run(
      process.execPath,
      [
        BIN,
        "--nats",
        server.url,
        "replay",
        "--market",
        "BTC/USDT",
        "--store",
        db.url,
        "--kinds",
        "candles,trades,book",
        "--from",
        new Date(T0 + 2.5 * S).toISOString(),
        "--to",
        new Date(T0 + 5 * S).toISOString(),
      ],
      { env, timeout: 60_000 },
    );
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    await nc.close();
    expect(stdout).toContain(
      "replayed 0 candles, 3 trade messages and 4 book events of BTC/USDT (binance) as replay-binance from PostgreSQL",
    );
    const kinds = got.map((g) => g.subject.split(".").at(-1));
    // T0+2.5 s: the book as it was (after diff 12); then each second a trade message and a diff.
    expect(kinds).toEqual(["book", "trade", "book", "trade", "book", "trade", "book"]);
    const times = got.map((g) => timeOf(g.subject, g.m));
    expect(times).toEqual([2, 3, 3, 4, 4, 5, 5].map((s) => T0 + s * S));
    expect(got.filter((g) => g.subject.endsWith(".book")).map((g) => g.m.seq)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(got.filter((g) => g.subject.endsWith(".trade")).map((g) => g.m.seq)).toEqual([1, 2, 3]);
    expect(got[0]!.m).toEqual({
      market: "BTC/USDT",
      seq: 1,
      snapshot: {
        sequence: 12,
        time: T0 + 2 * S,
        bids: [
          ["100", "1"],
          ["99", "2"],
        ],
        asks: [
          ["101", "1.2"],
          ["102", "2"],
        ],
      },
    });
    expect(got[1]!.m).toEqual({
      market: "BTC/USDT",
      seq: 1,
      trades: [
        {
          id: "1006",
          timestamp: T0 + 3 * S,
          symbol: "BTC/USDT",
          side: "buy",
          price: "106.25",
          amount: "0.01",
        },
        {
          id: "1007",
          timestamp: T0 + 3 * S,
          symbol: "BTC/USDT",
          side: "sell",
          price: "107.25",
          amount: "0.01",
        },
      ],
    });
    expect(got[2]!.m).toEqual({
      market: "BTC/USDT",
      seq: 2,
      diff: { first: 13, last: 13, time: T0 + 3 * S, bids: [], asks: [["101", "1.3"]] },
    });
  }, 90_000);

  it("cli - candles from PostgreSQL in the Desk's shape, at their close, each after the trades before its close", async () => {
    const nc = await connect({ servers: server.url });
    const got: { subject: string; m: Message }[] = [];
    nc.subscribe("crypy.md.replay-binance.BTC-USDT.>", {
      callback: (_e, msg) =>
        void got.push({ subject: msg.subject, m: JSON.parse(new TextDecoder().decode(msg.data)) }),
    });
    await nc.flush();
    const env = { ...process.env, CRYPY_LOG_LEVEL: "error" };
    await run(
      process.execPath,
      [
        ...[BIN, "--nats", server.url, "replay", "--market", "BTC/USDT", "--store", db.url],
        ...["--kinds", "trades,candles", "--to", new Date(T0 + 60 * S).toISOString()],
      ],
      { env, timeout: 60_000 },
    );
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    await nc.close();
    const candles = got.filter((g) => g.subject.endsWith(".candle-1m"));
    expect(candles.map((g) => g.m)).toEqual(
      CANDLE_ROWS.slice(0, 2).map((c, i) => ({
        market: "BTC/USDT",
        seq: i + 1,
        candle: [c.openTime, c.open, c.high, c.low, c.close, c.volume],
      })),
    );
    // The trades (T0 … T0+9 s) all close before the first candle does (T0+60 s).
    expect(got.map((g) => g.subject.split(".").at(-1))).toEqual([
      ...Array(10).fill("trade"),
      "candle-1m",
      "candle-1m",
    ]);
  }, 90_000);

  it("cli - trades from the local store are refused, saying where they are", async () => {
    const failed = await run(
      process.execPath,
      [BIN, "replay", "--market", "BTC/USDT", "--kinds", "candles,trades"],
      { env: { ...process.env, CRYPY_LOG_LEVEL: "error" } },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain(
      "--kinds trades and book are replayed from PostgreSQL, where the Recorder stores them: pass --store postgres://…",
    );
  });
});
