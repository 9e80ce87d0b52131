import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { DEFAULT_VENUE_FILE, loadVenueConfig } from "../../../src/sim/config/index.js";
import { loadCandles } from "../../../src/sim/data/index.js";
import { resample } from "../../../src/store/resample.js";
import { runBacktest } from "../../../src/strategy/backtest/runner.js";
import { randomOf } from "../../../src/strategy/params.js";
import { getStrategy } from "../../../src/strategy/registry.js";
import { BacktestPool, type PoolTask } from "../../../src/strategy/search/pool.js";
import { checkObjective, sweep } from "../../../src/strategy/search/sweep.js";
import { walkForward } from "../../../src/strategy/search/walk-forward.js";

const FIXTURE = fileURLToPath(
  new URL("../../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);

async function setup() {
  const venue = await loadVenueConfig(DEFAULT_VENUE_FILE);
  const candles = resample(await loadCandles(FIXTURE), 15 * 60_000);
  const strategy = getStrategy("sma-cross");
  return { venue, candles, strategy, market: "BTC/USDT" };
}

describe("search - sweeps on worker threads", () => {
  it("search - a sweep is deterministic and its numbers are the simulator's", async () => {
    const { venue, candles, strategy, market } = await setup();
    const candidates = randomOf(strategy, 8, 3);
    const options = {
      strategy: "sma-cross",
      strategyObject: strategy,
      candidates,
      objective: "sharpe" as const,
      market,
      candles,
      venue,
    };
    const [a, b] = [
      await sweep({ ...options, workers: 2 }),
      await sweep({ ...options, workers: 1 }),
    ];
    expect(a).toEqual(b);
    expect(a).toHaveLength(8);
    const scores = a.map((e) => e.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    // The best entry's metrics are exactly what a direct simulator run gives.
    const direct = runBacktest({
      strategy,
      params: a[0]!.params,
      market,
      candles,
      venue,
      metricsOnly: true,
    });
    expect(a[0]!.metrics).toEqual(direct.metrics);
  });

  it("search - screening keeps only the fast path's best candidates for the simulator", async () => {
    const { venue, candles, strategy, market } = await setup();
    const candidates = randomOf(strategy, 12, 5);
    const entries = await sweep({
      strategy: "sma-cross",
      strategyObject: strategy,
      candidates,
      objective: "totalReturn",
      market,
      candles,
      venue,
      workers: 2,
      screenKeep: 4,
    });
    expect(entries).toHaveLength(4);
  });

  it("search - walk-forward measures each fold's fit on the candles right after it", async () => {
    const { venue, candles, strategy, market } = await setup();
    const result = await walkForward({
      strategy: "sma-cross",
      strategyObject: strategy,
      candidates: randomOf(strategy, 4, 9),
      objective: "sharpe",
      market,
      candles,
      venue,
      workers: 2,
      folds: 3,
    });
    expect(result.folds).toHaveLength(3);
    for (const fold of result.folds) {
      // Out-of-sample starts where in-sample ends: the fit never saw its test candles.
      expect(fold.outOfSample.from).toBe(fold.inSample.to);
      expect(fold.outOfSample.params).toEqual(fold.inSample.best.params);
    }
    expect(result.params).toEqual(result.folds[2]!.inSample.best.params);
    expect(Number.isFinite(result.outOfSample.totalReturn)).toBe(true);
  });

  it("search - a pool reused after a failed run returns only the new run's results", async () => {
    const { venue, candles, strategy, market } = await setup();
    const pool = BacktestPool.start({ strategy: "sma-cross", market, candles, venue }, 2);
    try {
      // The bad task fails while the workers still hold later tasks of that run.
      const first: PoolTask[] = randomOf(strategy, 12, 21).map((params) => ({ params }));
      first.splice(1, 0, { params: first[0]!.params, from: 5, to: 5 });
      await expect(pool.run(first)).rejects.toBeInstanceOf(InvalidInputError);
      const second = randomOf(strategy, 6, 22);
      const metrics = await pool.run(second.map((params) => ({ params })));
      const direct = second.map(
        (params) =>
          runBacktest({ strategy, params, market, candles, venue, metricsOnly: true }).metrics,
      );
      expect(metrics).toEqual(direct);
    } finally {
      await pool.close();
    }
  });

  it("search - a pool spawned before its data runs once loaded, and says what is missing", async () => {
    const { venue, candles, strategy, market } = await setup();
    const pool = BacktestPool.spawn("sma-cross", 2);
    try {
      await expect(pool.run([{ params: randomOf(strategy, 1, 3)[0]! }])).rejects.toThrow(
        /has no data yet/,
      );
      expect(() => pool.load({ strategy: "macd", market, candles, venue })).toThrow(
        /runs sma-cross, not macd/,
      );
      pool.load({ strategy: "sma-cross", market, candles, venue });
      expect(() => pool.load({ strategy: "sma-cross", market, candles, venue })).toThrow(
        /already loaded/,
      );
      const sets = randomOf(strategy, 4, 23);
      const direct = sets.map(
        (params) =>
          runBacktest({ strategy, params, market, candles, venue, metricsOnly: true }).metrics,
      );
      expect(await pool.run(sets.map((params) => ({ params })))).toEqual(direct);
    } finally {
      await pool.close();
    }
  });

  it("search - a strategy the workers cannot load fails the run with its name", async () => {
    const { venue, candles, strategy, market } = await setup();
    const pool = BacktestPool.start({ strategy: "sma-crosss", market, candles, venue }, 1);
    try {
      const err = await pool.run([{ params: randomOf(strategy, 1, 3)[0]! }]).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toMatch(/unknown strategy 'sma-crosss'/);
    } finally {
      await pool.close();
    }
  });

  it("search - bad objectives and too few candles are refused", async () => {
    const { venue, candles, strategy, market } = await setup();
    expect(() => checkObjective("luck")).toThrow(/unknown objective "luck"/);
    await expect(
      walkForward({
        strategy: "sma-cross",
        strategyObject: strategy,
        candidates: [],
        objective: "sharpe",
        market,
        candles: candles.slice(0, 10),
        venue,
        folds: 4,
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});
