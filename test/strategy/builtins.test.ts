import { describe, expect, it } from "vitest";
import {
  BUILTIN_STRATEGIES,
  bollingerBreakout,
  donchianBreakout,
  emaCross,
  gridOf,
  macd,
  resolveParams,
  rsiReversion,
  type Signal,
  type Strategy,
  schemaProblem,
  smaCross,
  smaLongShort,
  valuesOf,
} from "../../src/strategy/index.js";
import { candlesOf, runOnCandle, seriesOf, signalText } from "./strategy-support.js";

/** Runs a strategy with CLI-style params over closes; checks positions() agrees, returns signals. */
function signalsOn(
  strategy: Strategy,
  given: Record<string, string | number>,
  closes: readonly number[],
  spread = 0,
): string {
  const params = resolveParams(strategy, given);
  const candles = candlesOf(closes, spread);
  const run = runOnCandle(strategy, params, candles);
  expect(Array.from(strategy.positions!(seriesOf(candles), params))).toEqual(
    Array.from(run.positions),
  );
  return signalText(run);
}

describe("strategies", () => {
  it("strategies - sma-cross enters when the fast average crosses above the slow", () => {
    // SMA2 vs SMA5: 7.5 ≤ 8.4 at 8, 9 > 8.4 at 9 (enter); 12.5 ≥ 11 at 12, 11 < 11.4 at 13 (exit).
    const closes = [10, 10, 10, 10, 10, 9, 8, 7, 8, 10, 12, 13, 12, 10, 8, 7];
    expect(signalsOn(smaCross, { fast: "2", slow: "5" }, closes)).toBe("enter@9 exit@13");
  });

  it("strategies - sma-cross can enter at index slow, where a tie counts as 'below'", () => {
    // Both averages are exactly 10 at index 4; at 5 the fast one (10.5) leads (10.2).
    const closes = [10, 10, 10, 10, 10, 11, 12];
    expect(smaCross.warmup({ fast: 2, slow: 5 })).toBe(5);
    expect(signalsOn(smaCross, { fast: 2, slow: 5 }, closes)).toBe("enter@5");
  });

  it("strategies - ema-cross enters when the fast EMA crosses above the slow", () => {
    // EMA2 − EMA6: −1.83 at 8, +1.55 at 9 (enter); +1.21 at 12, −3.90 at 13 (exit).
    const closes = [20, 19, 18, 17, 16, 15, 14, 13, 12, 20, 25, 30, 20, 10, 5];
    expect(signalsOn(emaCross, { fast: 2, slow: 6 }, closes)).toBe("enter@9 exit@13");
  });

  it("strategies - macd enters when the MACD line crosses above its signal line", () => {
    // MACD(2, 6, 3) − signal: −0.048 at 10, +0.535 at 11 (enter); +0.095 at 15, −1.0 at 16 (exit).
    const closes = [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 12, 15, 18, 20, 19, 15, 11, 8, 6];
    expect(macd.warmup({ fast: 2, slow: 6, signal: 3 })).toBe(8);
    expect(signalsOn(macd, { fast: 2, slow: 6, signal: 3 }, closes)).toBe("enter@11 exit@16");
  });

  it("strategies - rsi-reversion enters below oversold and exits above overbought", () => {
    // RSI(2): 100, 50, 25 (< 30: enter at 4), 12.5, 56.25, 78.125 (> 70: exit at 7), …
    const closes = [10, 11, 12, 11, 10, 9, 10, 11, 12, 13];
    expect(signalsOn(rsiReversion, { period: 2, oversold: 30, overbought: 70 }, closes)).toBe(
      "enter@4 exit@7",
    );
  });

  it("strategies - bollinger-breakout enters above the upper band, exits below the middle", () => {
    // period 5, 1σ: at 6 the window 10,10,10,10,12 has mean 10.4, σ 0.8: 12 > 11.2 (enter);
    // at 8 the mean is 10.7 and 10.5 is below it (exit).
    const closes = [10, 10, 10, 10, 10, 10, 12, 11, 10.5, 9, 9];
    expect(
      bollingerBreakout.warmup({ period: 5, stdDev: 1, stopLossPct: 0, takeProfitPct: 0 }),
    ).toBe(4);
    expect(signalsOn(bollingerBreakout, { period: 5, stdDev: 1 }, closes)).toBe("enter@6 exit@8");
  });

  it("strategies - donchian-breakout compares with the channels of the candles before", () => {
    // high/low = close ± 1. At 6, 12 > 11 (the previous 5 highs; its own high 13 does not count);
    // at 9, 10 < 11 (the lows of candles 7 and 8).
    const closes = [10, 10, 10, 10, 10, 10, 12, 13, 12, 10, 10];
    expect(signalsOn(donchianBreakout, { entry: 5, exit: 2 }, closes, 1)).toBe("enter@6 exit@9");
  });

  it("strategies - entries carry stop-loss and take-profit prices when asked", () => {
    const closes = [10, 10, 10, 10, 10, 10, 12, 11, 10.5, 9, 9];
    const params = resolveParams(bollingerBreakout, {
      period: 5,
      stdDev: 1,
      stopLossPct: "2",
      takeProfitPct: "4",
    });
    const [entry] = runOnCandle(bollingerBreakout, params, candlesOf(closes)).signals;
    expect(entry?.index).toBe(6);
    const signal = entry?.signal as Extract<Signal, { action: "enter" }>;
    expect(signal.side).toBe("long");
    expect(signal.stopLoss).toBeCloseTo(12 * 0.98, 12);
    expect(signal.takeProfit).toBeCloseTo(12 * 1.04, 12);
  });

  it("strategies - without stop parameters an entry carries no stop", () => {
    const closes = [10, 11, 12, 11, 10, 9, 10, 11, 12, 13];
    const params = resolveParams(rsiReversion, { period: 2 });
    const [entry] = runOnCandle(rsiReversion, params, candlesOf(closes)).signals;
    expect(entry?.signal).toEqual({ action: "enter", side: "long" });
  });

  it("strategies - sma-long-short shorts a cross down, turns long on a cross up, and says it needs shorting", () => {
    // SMA2 vs SMA5 as above: a tie at 4, down at 5 (9.5 < 9.8), up at 9, down at 13.
    const closes = [10, 10, 10, 10, 10, 9, 8, 7, 8, 10, 12, 13, 12, 10, 8, 7];
    const sided = (sides: string) => {
      const run = runOnCandle(
        smaLongShort,
        resolveParams(smaLongShort, { fast: 2, slow: 5, sides }),
        candlesOf(closes),
      );
      return run.signals
        .map(({ index, signal }) =>
          signal.action === "enter" ? `${signal.side}@${index}` : `exit@${index}`,
        )
        .join(" ");
    };
    // Exits on the opposite cross and turns around on the next candle.
    expect(sided("both")).toBe("short@5 exit@9 long@10 exit@13 short@14");
    // Shorts only: flat after the cross up, short again after the next cross down.
    expect(sided("short")).toBe("short@5 exit@9 short@13");
    expect(smaLongShort.needs).toEqual({ short: true });
    expect(smaLongShort.positions).toBeUndefined();
  });

  it("strategies - sma-long-short waits for the next cross once a position ended without one", () => {
    // Short from 5; the runner says flat at 7 (a stop, a liquidation): no re-entry until a cross.
    const closes = [10, 10, 10, 10, 10, 9, 8, 7, 6, 5, 6, 9, 12];
    const instance = smaLongShort.create({ fast: 2, slow: 5, sides: "both" });
    const flat = { inPosition: false, side: undefined, entryPrice: Number.NaN };
    const short = { inPosition: true, side: "short" as const, entryPrice: 9 };
    const actions = candlesOf(closes).map((c, i) => {
      const s = instance.onCandle(c, i >= 6 && i < 7 ? short : flat);
      return s === undefined ? "-" : s.action === "enter" ? s.side : "exit";
    });
    // Entered at 5 (cross down); flat again from 7 on, nothing until the cross up at 11.
    expect(actions.join(" ")).toBe("- - - - - short - - - - - long -");
  });

  it("strategies - the context decides: no entry while the runner says we are long", () => {
    const closes = [10, 10, 10, 10, 10, 9, 8, 7, 8, 10, 12, 13, 12, 10, 8, 7];
    const instance = smaCross.create({ fast: 2, slow: 5 });
    const long = { inPosition: true, side: "long" as const, entryPrice: 10 };
    const signals = candlesOf(closes).map((c) => instance.onCandle(c, long)?.action);
    expect(signals.indexOf("enter")).toBe(-1);
    // Every crossing below: from the tie at 4 to 9.5 < 9.8 at 5, and at 13.
    const exits = signals.flatMap((action, i) => (action === "exit" ? [i] : []));
    expect(exits).toEqual([5, 13]);
  });

  describe("built-in schemas", () => {
    for (const strategy of Object.values(BUILTIN_STRATEGIES)) {
      it(`strategies - ${strategy.name} has a sound schema, valid defaults and a grid that fits`, () => {
        expect(schemaProblem(strategy.params)).toBeUndefined();
        const defaults = resolveParams(strategy, {});
        expect(strategy.warmup(defaults)).toBeGreaterThan(0);
        expect(strategy.description.length).toBeGreaterThan(0);
        for (const [name, spec] of Object.entries(strategy.params)) {
          expect(valuesOf(spec), `${name}'s default is on its search grid`).toContain(spec.default);
        }
        const grid = gridOf(strategy);
        expect(grid.length).toBeGreaterThan(10);
        expect(grid).toContainEqual(defaults);
      });
    }
  });
});
