import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_VENUE_FILE, loadVenueConfig } from "../../../src/sim/config/index.js";
import { loadCandles } from "../../../src/sim/data/index.js";
import { resample } from "../../../src/store/resample.js";
import { runBacktest } from "../../../src/strategy/backtest/runner.js";
import { fastBacktest } from "../../../src/strategy/fast/fast-backtest.js";
import { randomOf } from "../../../src/strategy/params.js";
import { getStrategy } from "../../../src/strategy/registry.js";
import { spearman } from "../../../src/strategy/search/rank.js";

const FIXTURE = fileURLToPath(
  new URL("../../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);

describe("search - the fast path screens like the simulator", () => {
  for (const [name, timeframe] of [
    ["sma-cross", 5],
    ["ema-cross", 15],
    ["donchian-breakout", 15],
  ] as const) {
    it(`search - ${name} on real ${timeframe}m data: fast-path ranking matches the full simulator (ρ ≥ 0.9)`, async () => {
      const venue = await loadVenueConfig(DEFAULT_VENUE_FILE);
      const candles = resample(await loadCandles(FIXTURE), timeframe * 60_000);
      const strategy = getStrategy(name);
      const spec = venue.markets["BTC/USDT"]!;
      const costs = {
        feeRate: Number(spec.fees.taker),
        halfSpread: spec.liquidity.spreadBps / 2 / 1e4,
      };
      // The fast path has no stops (positions() are signals only): compare without them.
      const noStops = Object.fromEntries(
        ["stopLossPct", "takeProfitPct"].filter((k) => k in strategy.params).map((k) => [k, 0]),
      );
      const candidates = randomOf(strategy, 30, 7).map((p) => ({ ...p, ...noStops }));
      const full = candidates.map(
        (params) =>
          runBacktest({ strategy, params, market: "BTC/USDT", candles, venue, metricsOnly: true })
            .metrics.totalReturn,
      );
      const fast = candidates.map(
        (params) => fastBacktest(candles, strategy.positions!(candles, params), costs).totalReturn,
      );
      const rho = spearman(full, fast);
      expect(rho).toBeGreaterThanOrEqual(0.9);
    });
  }
});
