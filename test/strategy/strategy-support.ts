/** Helpers for the strategy tests: hand-made candles, the fixture, and onCandle as a position path. */

import type { Candle } from "../../src/domain/market-data.js";
import { CandleSeries, loadCandles } from "../../src/sim/data/index.js";
import type { ParamValues, Signal, Strategy } from "../../src/strategy/index.js";

export const FIXTURE = new URL(
  "../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz",
  import.meta.url,
).pathname;

let fixture: Promise<CandleSeries> | undefined;
/** The 30,240 one-minute BTCUSDT candles, loaded once per test file. */
export function loadFixture(): Promise<CandleSeries> {
  fixture ??= loadCandles(FIXTURE);
  return fixture;
}

/** One-minute candles closing at `closes`; high/low `spread` above/below the close. */
export function candlesOf(closes: readonly number[], spread = 0): Candle[] {
  return closes.map((close, i) => ({
    timestamp: i * 60_000,
    open: close,
    high: close + spread,
    low: close - spread,
    close,
    volume: 1,
  }));
}

export function seriesOf(candles: readonly Candle[]): CandleSeries {
  return CandleSeries.from(candles, 60_000);
}

export interface Run {
  /** 1 long, 0 flat after each candle's close. */
  positions: Int8Array;
  /** Every signal with the index of the candle that produced it. */
  signals: { index: number; signal: Signal }[];
}

/**
 * Feeds `candles` to a fresh instance, with a context that follows the strategy's own signals (as
 * a runner would without stops). A redundant signal (enter while long, exit while flat) throws.
 */
export function runOnCandle(
  strategy: Strategy,
  params: ParamValues,
  candles: readonly Candle[] | CandleSeries,
): Run {
  const list = candles instanceof CandleSeries ? candles.toCandles() : candles;
  const instance = strategy.create(params);
  const ctx = {
    inPosition: false,
    side: undefined as "long" | "short" | undefined,
    entryPrice: Number.NaN,
  };
  const positions = new Int8Array(list.length);
  const signals: Run["signals"] = [];
  for (let i = 0; i < list.length; i++) {
    const candle = list[i]!;
    const signal = instance.onCandle(candle, ctx);
    if (signal !== undefined) {
      const entering = signal.action === "enter";
      if (entering === ctx.inPosition) {
        throw new Error(`${strategy.name}: redundant ${signal.action} at candle ${i}`);
      }
      signals.push({ index: i, signal });
      ctx.inPosition = entering;
      ctx.side = signal.action === "enter" ? signal.side : undefined;
      ctx.entryPrice = entering ? candle.close : Number.NaN;
    }
    positions[i] = ctx.side === "long" ? 1 : ctx.side === "short" ? -1 : 0;
  }
  return { positions, signals };
}

/** `enter@9 exit@13`: a run's signals, compactly. */
export function signalText(run: Run): string {
  return run.signals.map(({ index, signal }) => `${signal.action}@${index}`).join(" ");
}

/** Index of the first difference between two position arrays, or -1. */
export function firstDifference(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
