/**
 * `crypy replay` as a user runs it: real Binance.US candles imported into a local store, replayed
 * onto a real NATS server under replay-<venue>, read back by a plain NATS client — each candle
 * once, in order, numbered, equal to the file's.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
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
const FILE = join(ROOT, "test/fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz");
const run = promisify(execFile);
let server: NatsServer | undefined;
let dir: string;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
  dir = await mkdtemp(join(tmpdir(), "crypy-replay-"));
});
afterAll(async () => {
  await server?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("cli - crypy replay", () => {
  it("cli - recorded candles go out under replay-<venue>, once each, in order, numbered, as stored", async () => {
    const env = { ...process.env, CRYPY_DATA_DIR: dir, CRYPY_LOG_LEVEL: "error" };
    await run(process.execPath, [BIN, "data", "import", FILE, "--market", "BTC/USDT"], { env });
    const nc = await connect({ servers: server!.url });
    const got: Array<{ seq: number; candle: number[] }> = [];
    const sub = nc.subscribe("crypy.md.replay-binance.BTC-USDT.candle-1m", {
      callback: (_e, m) => void got.push(JSON.parse(new TextDecoder().decode(m.data))),
    });
    await nc.flush();
    const from = "2023-03-05T00:00:00Z";
    const to = "2023-03-05T02:59:00Z";
    const { stdout } = await run(
      process.execPath,
      [BIN, "--nats", server!.url, "replay", "--market", "BTC/USDT", "--from", from, "--to", to],
      { env, timeout: 60_000 },
    );
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    sub.unsubscribe();
    await nc.close();
    expect(stdout).toContain("replayed 180 candles of BTC/USDT (binance, 1m) as replay-binance");
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    const stored = await openStore(dir).read(
      { venue: "binance", market: "BTC/USDT", timeframe: "1m" },
      { from: Date.parse(from), to: Date.parse(to) },
    );
    expect(got.map((m) => m.candle)).toEqual(
      Array.from({ length: stored.length }, (_, i) => [
        stored.time[i],
        stored.open[i],
        stored.high[i],
        stored.low[i],
        stored.close[i],
        stored.volume[i],
      ]),
    );
  }, 90_000);
});
