import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OHLCV } from "../../src/domain/market-data.js";
import { CandleSink } from "../../src/store/candle-sink.js";
import { openStore } from "../../src/store/candle-store.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-sink-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const M = 60_000;
const T = Date.UTC(2024, 0, 1);
const row = (i: number, close: number): OHLCV => [T + i * M, 100, 110, 90, close, 1];

describe("candle sink - recorded candles into the local store", () => {
  it("candle sink - a candle streamed three times is stored once, closed, at its last version", async () => {
    const store = openStore(dir);
    const sink = new CandleSink(store);
    // The forming minute 0, three versions; then minute 1 opens.
    sink.take("sim", "BTC/USDT", [row(0, 101)]);
    sink.take("sim", "BTC/USDT", [row(0, 102)]);
    expect(sink.flush(T + 30_000)).toBe(0); // not closed yet
    sink.take("sim", "BTC/USDT", [row(0, 103), row(1, 99)]);
    expect(sink.flush(T + M)).toBe(1); // minute 0 closed; minute 1 still forming
    const stored = await store.read({ venue: "sim", market: "BTC/USDT", timeframe: "1m" });
    expect([...stored.close]).toEqual([103]);
    // A later version of a written candle (a correction) replaces it.
    sink.take("sim", "BTC/USDT", [row(0, 104)]);
    expect(sink.flush(T + 2 * M)).toBe(2);
    const after = await store.read({ venue: "sim", market: "BTC/USDT", timeframe: "1m" });
    expect([...after.time]).toEqual([T, T + M]);
    expect([...after.close]).toEqual([104, 99]);
    expect(sink.written).toBe(3);
  });

  it("candle sink - past its capacity the oldest are written at once: memory stays bounded", async () => {
    const store = openStore(dir);
    const sink = new CandleSink(store, 2);
    sink.take("sim", "BTC/USDT", [row(0, 95), row(1, 96), row(2, 97)]);
    expect(sink.written).toBe(1);
    const stored = await store.read({ venue: "sim", market: "BTC/USDT", timeframe: "1m" });
    expect([...stored.close]).toEqual([95]);
    expect(() => new CandleSink(store, 0)).toThrow(/capacity/);
  });
});
