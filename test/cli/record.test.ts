/**
 * `crypy record` as a user runs it: the real bin/crypy recording the simulated perpetual venue's
 * markets onto a real NATS server, where a plain NATS client reads each stream, numbered.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/candle-store.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const VENUE = join(ROOT, "venues/sim-perp.yaml");
const run = promisify(execFile);
let server: NatsServer | undefined;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
});
afterAll(async () => {
  await server?.cleanup();
});

describe("cli - crypy record", () => {
  it("cli - records a perpetual's mark, tickers and closed candles onto NATS, each stream numbered from 1 without a gap, and its closed candles into the local store", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "crypy-record-"));
    const nc = await connect({ servers: server!.url });
    const marks: number[] = [];
    const tickers: number[] = [];
    const decode = (data: Uint8Array) =>
      JSON.parse(new TextDecoder().decode(data)) as { seq: number };
    const subMark = nc.subscribe("crypy.md.sim-perp.BTC-USDT-PERP.mark", {
      callback: (_e, m) => void marks.push(decode(m.data).seq),
    });
    const subTicker = nc.subscribe("crypy.md.sim-perp.BTC-USDT-PERP.ticker", {
      callback: (_e, m) => void tickers.push(decode(m.data).seq),
    });
    const candles: Array<Record<string, unknown>> = [];
    const subCandle = nc.subscribe("crypy.md.sim-perp.BTC-USDT-PERP.candle-1m", {
      callback: (_e, m) => void candles.push(decode(m.data) as unknown as Record<string, unknown>),
    });
    await nc.flush();
    const { stdout } = await run(
      process.execPath,
      [
        BIN,
        "--nats",
        server!.url,
        "record",
        VENUE,
        "--markets",
        "BTC/USDT:USDT",
        "--kinds",
        "ticker,mark,candles",
        "--speed",
        "60",
        "--exit-after",
        "3m",
        "--json",
      ],
      {
        env: {
          ...process.env,
          CRYPY_LOG_LEVEL: "error",
          CRYPY_DATA_DIR: dataDir,
          CRYPY_STATE_DIR: join(dataDir, "state"),
        },
        timeout: 60_000,
      },
    );
    await nc.flush();
    subMark.unsubscribe();
    subTicker.unsubscribe();
    subCandle.unsubscribe();
    await nc.close();
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.find((e) => e.event === "recorder.recording")).toMatchObject({
      sources: ["sim-perp"],
      markets: ["BTC/USDT:USDT"],
      kinds: ["ticker", "mark", "candles"],
    });
    // Closed candles went to the local store too, under the venue's name.
    const stored = await openStore(dataDir).read({
      venue: "sim-perp",
      market: "BTC/USDT:USDT",
      timeframe: "1m",
    });
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(stored.time[1]! - stored.time[0]!).toBe(60_000);
    // On the bus, the Desk's shape: closed candles only, each once, in time order, numbered one
    // by one; each is the stored candle of its minute.
    expect(candles.length).toBeGreaterThanOrEqual(1);
    candles.forEach((m, i) => {
      expect(Object.keys(m).sort()).toEqual(["candle", "market", "seq"]);
      expect(m.seq).toBe(i + 1);
      const [open, , , , close] = m.candle as number[];
      const at = Array.from(stored.time).indexOf(open!);
      expect(at, `candle ${open} stored`).toBeGreaterThanOrEqual(0);
      expect(stored.close[at]).toBe(close);
      if (i > 0) expect(open).toBe((candles[i - 1]!.candle as number[])[0]! + 60_000);
    });
    expect(events.at(-1)).toMatchObject({ event: "actor.stopped" });
    expect(marks.length).toBeGreaterThan(5);
    expect(marks).toEqual(marks.map((_, i) => i + 1));
    expect(tickers.length).toBeGreaterThan(2);
    expect(tickers).toEqual(tickers.map((_, i) => i + 1));
  }, 90_000);

  it("cli - a source that is neither a venue file nor an exchange, an unknown kind, a store that is no postgres:// URL or an unknown drop policy is one line naming it", async () => {
    const fail = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, "record", ...args]);
        let err = "";
        child.stderr.on("data", (d) => {
          err += String(d);
        });
        child.on("exit", (code) => resolve({ code, err }));
      });
    const nope = await fail(["nope-exchange", "--markets", "BTC/USDT"]);
    expect(nope.code).not.toBe(0);
    expect(nope.err).toMatch(
      /nope-exchange is neither a venue file nor an exchange with a desk template/,
    );
    const kind = await fail([VENUE, "--markets", "BTC/USDT", "--kinds", "ticker,bogus"]);
    expect(kind.code).not.toBe(0);
    expect(kind.err).toMatch(
      /--kinds: unknown kind "bogus"; expected trades, candles, ticker, book, mark, funding/,
    );
    const store = await fail([VENUE, "--markets", "BTC/USDT", "--store", "mysql://db/x"]);
    expect(store.code).not.toBe(0);
    expect(store.err).toMatch(/--store takes a postgres:\/\/ URL .*got "mysql:\/\/db\/x"/);
    const drop = await fail([VENUE, "--markets", "BTC/USDT", "--drop", "middle"]);
    expect(drop.code).not.toBe(0);
    expect(drop.err).toMatch(/--drop <policy>.*must be "newest" or "oldest"/);
  });
});
