import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { formatDecimal, parseDecimal } from "../../../src/domain/fixed.js";
import { parseVenueConfig } from "../../../src/sim/config/index.js";
import { runBacktest } from "../../../src/strategy/backtest/runner.js";
import { defineStrategy, type Signal, type Strategy } from "../../../src/strategy/strategy.js";
import { type Bar, MINUTE, seriesOf, T0, VENUE, venueWith } from "../../sim/exchange-support.js";

const venue = parseVenueConfig(VENUE, { file: "test.yaml", baseDir: "." });

const series = (bars: Bar[]) => seriesOf(bars, 100);

/** A strategy from a per-candle function of (index, candle). */
function scripted(
  decide: (i: number, close: number, open: number, inPosition: boolean) => Signal | undefined,
): Strategy {
  return defineStrategy({
    name: "scripted",
    description: "test",
    params: {},
    warmup: () => 0,
    create: () => {
      let i = -1;
      return {
        onCandle: (c, ctx) => {
          i++;
          return decide(i, c.close, c.open, ctx.inPosition);
        },
      };
    },
  });
}

const run = (
  strategy: Strategy,
  bars: Bar[],
  extra: Partial<Parameters<typeof runBacktest>[0]> = {},
) =>
  runBacktest({
    strategy,
    params: {},
    market: "BTC/USDT",
    candles: series(bars),
    venue,
    capital: "10000",
    ...extra,
  });

describe("backtest - the runner", () => {
  it("backtest - a signal on candle t fills at candle t+1's open through the makers' book", () => {
    const bars: Bar[] = [
      [100, 100, 100, 100],
      [110, 110, 110, 110],
      [110, 110, 110, 110],
    ];
    const result = run(
      scripted((i) => (i === 0 ? { action: "enter", side: "long" } : undefined)),
      bars,
      {
        fraction: 0.05, // small enough to fill at the best level of the test venue's thin book
      },
    );
    const [trade] = result.trades;
    // Seen at candle 0's close (100); bought at candle 1's open (110) at the best maker ask.
    expect(trade?.entryTime).toBe(T0 + MINUTE);
    expect(trade?.entryPrice).toBeCloseTo(110.11, 2);
    expect(trade?.exitReason).toBe("end");
    expect(result.equity).toHaveLength(3);
    expect(result.metrics.trades).toBe(1);
  });

  it("backtest - a strategy that knows candle t's close cannot profit from it", () => {
    // Every candle rises 5 % from open to close, and every next candle opens back where the
    // previous one opened. A strategy that "knows" the close buys every rising candle; a runner
    // that filled inside candle t would make 5 % a candle, this one buys the gap down.
    const bars: Bar[] = Array.from({ length: 40 }, () => [100, 105, 100, 105] as Bar);
    const cheat = scripted((_i, close, open, inPosition) => {
      if (close > open && !inPosition) return { action: "enter", side: "long" };
      if (inPosition) return { action: "exit" };
      return undefined;
    });
    const result = run(cheat, bars);
    expect(result.metrics.trades).toBeGreaterThan(5);
    expect(result.metrics.totalReturn).toBeLessThan(0);
  });

  it("backtest - a stop loss exits at the path point that reaches it", () => {
    const bars: Bar[] = [
      [100, 100, 100, 100],
      [100, 100, 100, 100],
      [100, 100, 94, 95], // falls through the stop at 95 (low 94)
      [95, 95, 95, 95],
    ];
    const strategy = scripted((i) =>
      i === 0 ? { action: "enter", side: "long", stopLoss: 95 } : undefined,
    );
    const [trade] = run(strategy, bars, { fraction: 0.05 }).trades;
    expect(trade?.exitReason).toBe("stop-loss");
    // The bearish candle's path: open 100, high 100, low 94, close 95: the stop fires at the low.
    expect(trade?.exitTime).toBe(T0 + 2 * MINUTE + MINUTE / 2);
    expect(trade?.exitPrice).toBeCloseTo(93.9, 1);
    expect(trade?.pnl).toBeLessThan(0);
  });

  it("backtest - equity, fees and trades add up", () => {
    const bars: Bar[] = [
      [100, 100, 100, 100],
      [100, 100, 100, 100],
      [100, 120, 100, 120],
      [120, 120, 120, 120],
      [120, 120, 120, 120],
    ];
    const strategy = scripted((i) =>
      i === 0 ? { action: "enter", side: "long" } : i === 2 ? { action: "exit" } : undefined,
    );
    const result = run(strategy, bars, { fraction: 0.3 }); // one pass through the thin book
    const [trade] = result.trades;
    expect(trade?.exitReason).toBe("signal");
    expect(trade?.exitTime).toBe(T0 + 3 * MINUTE);
    const final = result.equity.at(-1)!.equity;
    // Equity = capital + the trade's pnl + dust (under one lot of BTC) valued at the close.
    expect(Math.abs(final - 10_000 - trade!.pnl)).toBeLessThan(0.001 * 120);
    expect(result.metrics.fees).toBeCloseTo(trade!.fees, 9);
    expect(result.metrics.totalReturn).toBeCloseTo(final / 10_000 - 1, 12);
    expect(result.metrics.buyAndHoldReturn).toBeCloseTo(0.2, 12);
  });

  it("backtest - an exit the thin book cannot take at once is completed at later path points", () => {
    // The test venue's makers hold about 5,000 USDT per side: selling 10,000 USDT of BTC takes
    // two refreshes of their depth.
    const bars: Bar[] = [
      ...Array.from({ length: 2 }, () => [100, 100, 100, 100] as Bar),
      ...Array.from({ length: 6 }, () => [120, 120, 120, 120] as Bar),
    ];
    const strategy = scripted((i) =>
      i === 0 ? { action: "enter", side: "long" } : i === 1 ? { action: "exit" } : undefined,
    );
    const result = run(strategy, bars);
    const [trade] = result.trades;
    expect(result.trades).toHaveLength(1);
    expect(trade?.exitTime).toBeGreaterThan(T0 + 2 * MINUTE);
    // Less than one lot of BTC (dust) stays behind, valued at the close: at most 0.001 × 120.
    const final = result.equity.at(-1)!.equity;
    expect(Math.abs(final - 10_000 - trade!.pnl)).toBeLessThan(0.12);
  });

  it("backtest - trades' pnl and fees are exact: whole minor units, summing to the change in quote", () => {
    const bars: Bar[] = Array.from({ length: 200 }, (_, i) => {
      const q = Math.round((100 + 10 * Math.sin(i / 5)) * 100) / 100;
      return [q, q + 1, q - 1, q] as Bar;
    });
    const swing = scripted((_i, close, _o, inPosition) =>
      !inPosition && close < 95
        ? { action: "enter", side: "long" }
        : inPosition && close > 105
          ? { action: "exit" }
          : undefined,
    );
    const result = run(swing, bars, { fraction: 0.37 });
    expect(result.trades.length).toBeGreaterThan(3);
    // Float bookkeeping leaves residues like 32.4238634899998; exact values convert cleanly.
    const units = (x: number) => parseDecimal(x.toFixed(8), 8);
    for (const t of result.trades) {
      expect(Number(t.pnl.toFixed(8))).toBe(t.pnl);
      expect(Number(t.fees.toFixed(8))).toBe(t.fees);
    }
    // Quote now = capital + every trade's pnl, exactly; the rest of the equity is the dust left
    // (under one lot per trade) marked at the close.
    const last = result.equity.at(-1)!;
    const quote = units(10_000) + result.trades.reduce((sum, t) => sum + units(t.pnl), 0n);
    const dust = last.equity - Number(formatDecimal(quote, 8));
    expect(dust).toBeGreaterThanOrEqual(-1e-9);
    expect(dust).toBeLessThan(result.trades.length * 0.001 * last.price);
  });

  it("backtest - the same inputs give the same result", () => {
    const bars: Bar[] = Array.from({ length: 60 }, (_, i) => {
      const p = 100 + 10 * Math.sin(i / 5);
      const q = Math.round(p * 100) / 100;
      return [q, q + 1, q - 1, q] as Bar;
    });
    const strategy = scripted((_i, close, _o, inPosition) =>
      !inPosition && close < 95
        ? { action: "enter", side: "long" }
        : inPosition && close > 105
          ? { action: "exit" }
          : undefined,
    );
    expect(JSON.stringify(run(strategy, bars))).toBe(JSON.stringify(run(strategy, bars)));
  });

  it("backtest - a market the venue file does not have, a bad capital, no candles: clear errors", () => {
    const strategy = scripted(() => undefined);
    expect(() => run(strategy, [[1, 1, 1, 1]], { market: "ETH/USDT" })).toThrow(
      /ETH\/USDT is not a market of test.yaml \(markets: BTC\/USDT\)/,
    );
    expect(() => run(strategy, [[1, 1, 1, 1]], { capital: "lots" })).toThrow(InvalidInputError);
    expect(() =>
      runBacktest({
        strategy,
        params: {},
        market: "BTC/USDT",
        candles: series([[1, 1, 1, 1]]).slice(0, 0),
        venue,
      }),
    ).toThrow(/no candles/);
  });

  it("backtest - venue latency delays execution past the first path point", () => {
    const slow = parseVenueConfig(
      venueWith([
        "latency: { fixedMs: 0, jitterMs: 0 }",
        "latency: { fixedMs: 20000, jitterMs: 0 }",
      ]),
      {
        file: "test.yaml",
        baseDir: ".",
      },
    );
    const bars: Bar[] = [
      [100, 100, 100, 100],
      [100, 110, 100, 110], // bullish: open 100, low 100, high 110, close 110
      [110, 110, 110, 110],
    ];
    const [trade] = runBacktest({
      strategy: scripted((i) => (i === 0 ? { action: "enter", side: "long" } : undefined)),
      params: {},
      market: "BTC/USDT",
      candles: series(bars),
      venue: slow,
    }).trades;
    // Ready 20 s after candle 0's close: the first path point at or after that is +30 s (the high).
    expect(trade?.entryTime).toBe(T0 + MINUTE + 30_000);
  });
});
