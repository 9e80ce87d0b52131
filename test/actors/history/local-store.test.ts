/**
 * History from the local column store: candles served as stored; trades and books, which the
 * local store does not hold, refused with a NotSupportedError that says where they are.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveHistory } from "../../../src/actors/history/serve.js";
import { type HistorySource, localHistory } from "../../../src/actors/history/sources.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { history } from "../../../src/bus/subjects.js";
import { NotSupportedError } from "../../../src/domain/errors.js";
import { CandleSeries } from "../../../src/store/candle-series.js";
import { openStore } from "../../../src/store/candle-store.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 1);
let dir: string;
let source: HistorySource;
const bus = new LocalBus();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-history-"));
  const series = CandleSeries.from(
    Array.from({ length: 10 }, (_, i) => ({
      timestamp: T0 + i * MINUTE,
      open: 10 + i,
      high: 11 + i,
      low: 9 + i,
      close: 10.5 + i,
      volume: 1 + i,
    })),
    MINUTE,
  );
  openStore(dir).importCandles(series, { venue: "kraken", market: "BTC/USD", timeframe: "1m" });
  source = await localHistory(dir);
  serveHistory(bus, source);
});
afterAll(async () => {
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

describe("history from the local store", () => {
  it("history - candles in [from, to), the bound excluded", async () => {
    const reply = await bus.request<{ candles: number[][] }>(
      history("kraken", "BTC/USD", "candle-1m"),
      { from: T0 + 2 * MINUTE, to: T0 + 5 * MINUTE },
    );
    expect(reply.candles).toEqual([
      [T0 + 2 * MINUTE, 12, 13, 11, 12.5, 3],
      [T0 + 3 * MINUTE, 13, 14, 12, 13.5, 4],
      [T0 + 4 * MINUTE, 14, 15, 13, 14.5, 5],
    ]);
  });

  it("history - trades and books are refused, pointing at PostgreSQL", async () => {
    for (const kind of ["trade", "book"] as const) {
      const asked = bus.request(history("kraken", "BTC/USD", kind), { from: T0, to: T0 + MINUTE });
      await expect(asked).rejects.toThrow(NotSupportedError);
      await expect(asked).rejects.toThrow(/local store holds candles only.*postgres:\/\//);
    }
  });
});
