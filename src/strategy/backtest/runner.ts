/**
 * The backtest runner: one strategy, one parameter set, one market, a range of candles, through the
 * exchange simulator on a virtual clock — real orders, fees, slippage from the makers' book, tick
 * and lot rounding, minimum notional. It is the same simulator a live simulation runs on; only the
 * clock and the driving differ.
 *
 * Rules (the contract a reader of a report relies on):
 * - The strategy sees each candle after it closed. A signal on candle t executes as a market order
 *   at the first path point at or after t's close + the venue's one-way latency — candle t+1's open
 *   at the earliest — so it can never trade on a price it has already seen.
 * - Size: an entry spends `fraction` (or the signal's size) of the account's free quote, less a
 *   margin for fees and slippage, rounded down to the lot; what the book cannot fill is not bought.
 *   An exit sells the whole position (rounded down to the lot; dust stays, valued at the close);
 *   what a thin book cannot take at once is offered again at the next path points.
 * - Stop loss and take profit are checked at every path point while in a position and exit with a
 *   market order at that point.
 * - A position still open at the end is closed at the last price ("end").
 * - Equity is marked after each candle's close: quote + base × close.
 */
import { InvalidInputError, RejectedError } from "../../domain/errors.js";
import type { Candle } from "../../domain/market-data.js";
import type { Order } from "../../domain/order.js";
import { buildSimulator } from "../../sim/build.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { CandleSeries } from "../../sim/data/index.js";
import { CandleFeed } from "../../sim/feed.js";
import { VirtualClock } from "../../time/virtual-clock.js";
import { computeMetrics } from "../metrics.js";
import type { ParamValues, Signal, Strategy, StrategyContext } from "../strategy.js";
import type { BacktestResult, EquityPoint, TradeRecord } from "./types.js";
import { backtestVenue } from "./venue.js";

export interface BacktestOptions {
  strategy: Strategy;
  params: ParamValues;
  market: string;
  /** The data range to replay (already cut to --from/--to). */
  candles: CandleSeries;
  /** The venue the market's rules (tick, lot, fees, liquidity) come from. */
  venue: VenueConfig;
  /** Starting capital in the market's quote currency, as a decimal string. Default "10000". */
  capital?: string;
  /** Fraction of free quote an entry spends when its signal gives no size. Default 1. */
  fraction?: number;
  /** Label of the candles' timeframe, for the report. Default from the series' interval. */
  timeframe?: string;
  /** Called every `progressEvery` candles and at the end. */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
  /** Skip the equity curve and trade list (sweeps only need metrics). */
  metricsOnly?: boolean;
}

/** Fees and slippage are paid out of the entry budget: keep this much of it aside. */
const ENTRY_MARGIN = 0.01;
const ACCOUNT = "backtest";

interface Pending {
  signal: Signal;
  readyAt: number;
}

export function runBacktest(options: BacktestOptions): BacktestResult {
  const { strategy, params, market, candles } = options;
  if (candles.length === 0) throw new InvalidInputError(`no candles to backtest ${market} on`);
  const capital = options.capital ?? "10000";
  const fraction = options.fraction ?? 1;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new InvalidInputError(`fraction must be in (0, 1], got ${fraction}`);
  }
  const config = backtestVenue(options.venue, market, ACCOUNT, capital);
  const spec = config.markets[market]!;
  const lot = Number(spec.lotSize);
  const minNotional = Number(spec.minNotional);
  const clock = new VirtualClock(candles.time[0]!);
  const sim = buildSimulator(config, new Map([[market, new CandleFeed(candles)]]), { clock });
  const latency = config.latency.fixedMs;
  const initialCapital = Number(capital);

  // The position as the runner keeps it (numbers: analytics), updated from each order's result.
  let cash = initialCapital;
  let held = 0;
  const ctx: { -readonly [K in keyof StrategyContext]: StrategyContext[K] } = {
    inPosition: false,
    side: undefined,
    entryPrice: Number.NaN,
  };
  let entry: { time: number; cost: number; fees: number; amount: number } | undefined;
  let stopLoss = Number.NaN;
  let takeProfit = Number.NaN;
  let pending: Pending | undefined;
  let exiting:
    | { reason: TradeRecord["exitReason"]; proceeds: number; fees: number; sold: number }
    | undefined;
  const trades: TradeRecord[] = [];
  const equityPoints: EquityPoint[] = [];

  const refresh = () => {
    const b = sim.balances(ACCOUNT);
    cash = Number(b[spec.quote]?.free ?? "0");
    held = Number(b[spec.base]?.free ?? "0");
  };

  const enter = (signal: Extract<Signal, { action: "enter" }>, price: number, time: number) => {
    if (signal.side === "short") return; // spot: no shorts until derivatives arrive
    const budget = cash * (signal.size ?? fraction) * (1 - ENTRY_MARGIN);
    const lots = Math.floor(budget / price / lot);
    // Too small to be accepted: skip without asking (a refusal builds an error, which is costly).
    if (lots <= 0 || lots * lot * price < minNotional) return;
    const order = place("buy", lots);
    if (order === undefined || Number(order.filled) === 0) return;
    refresh();
    const feeBase = Number(order.fee?.cost ?? "0");
    const avg = Number(order.average ?? order.price ?? price);
    entry = {
      time,
      cost: Number(order.cost),
      fees: feeBase * avg,
      amount: Number(order.filled) - feeBase,
    };
    ctx.inPosition = true;
    ctx.side = "long";
    ctx.entryPrice = avg;
    stopLoss = signal.stopLoss ?? Number.NaN;
    takeProfit = signal.takeProfit ?? Number.NaN;
  };

  /**
   * Sells the position. A thin book may not take it all at once: the position then stays
   * "exiting" and the rest is offered again at the following path points, as the makers' depth
   * comes back; the trade closes when nothing sellable is left.
   */
  const exit = (reason: TradeRecord["exitReason"], time: number, price: number) => {
    exiting ??= { reason, proceeds: 0, fees: 0, sold: 0 };
    const lots = sellableLots(price);
    const order = lots > 0 ? place("sell", lots) : undefined;
    if (order !== undefined) {
      exiting.proceeds += Number(order.cost);
      exiting.fees += Number(order.fee?.cost ?? "0");
      exiting.sold += Number(order.filled);
    }
    refresh();
    if (sellableLots(price) > 0 && reason !== "end") return;
    if (entry !== undefined) {
      const pnl = exiting.proceeds - exiting.fees - entry.cost;
      trades.push({
        side: "long",
        entryTime: entry.time,
        exitTime: time,
        entryPrice: ctx.entryPrice,
        exitPrice: exiting.sold > 0 ? exiting.proceeds / exiting.sold : Number.NaN,
        amount: entry.amount,
        pnl,
        returnPct: entry.cost > 0 ? pnl / entry.cost : 0,
        fees: entry.fees + exiting.fees,
        exitReason: exiting.reason,
      });
    }
    entry = undefined;
    exiting = undefined;
    ctx.inPosition = false;
    ctx.side = undefined;
    ctx.entryPrice = Number.NaN;
    stopLoss = Number.NaN;
    takeProfit = Number.NaN;
  };

  /** Whole lots of the position the venue would accept (a remainder under min notional is dust). */
  const sellableLots = (price: number): number => {
    const lots = Math.floor(held / lot + 1e-9);
    return lots * lot * price < minNotional ? 0 : lots;
  };

  const place = (side: "buy" | "sell", lots: number): Order | undefined => {
    try {
      return sim.placeOrder(ACCOUNT, {
        symbol: market,
        type: "market",
        side,
        amount: (lots * lot).toFixed(spec.lot.scale),
      });
    } catch (err) {
      // Too small, not enough funds: an ordinary refusal the strategy lives with.
      if (err instanceof RejectedError) return undefined;
      throw err;
    }
  };

  const instance = strategy.create(params);

  sim.onTick((_symbol, time, price) => {
    if (pending !== undefined && time >= pending.readyAt) {
      const { signal } = pending;
      pending = undefined;
      if (signal.action === "enter" && !ctx.inPosition) enter(signal, price, time);
      else if (signal.action === "exit" && ctx.inPosition && exiting === undefined)
        exit("signal", time, price);
    }
    if (exiting !== undefined) exit(exiting.reason, time, price);
    else if (ctx.inPosition) {
      if (price <= stopLoss) exit("stop-loss", time, price);
      else if (price >= takeProfit) exit("take-profit", time, price);
    }
  });

  sim.on((event) => {
    if (event.type !== "candle") return;
    const [timestamp, open, high, low, close, volume] = event.candle;
    equityPoints.push({
      time: event.time,
      equity: cash + held * close,
      price: close,
      inPosition: ctx.inPosition,
    });
    const candle: Candle = { timestamp, open, high, low, close, volume };
    const signal = instance.onCandle(candle, ctx);
    if (signal !== undefined) pending = { signal, readyAt: event.time + latency };
  });

  const total = candles.length;
  const every = options.progressEvery ?? 50_000;
  let nextReport = every;
  const feed = sim.market(market).feed;
  for (;;) {
    const t = sim.nextEventTime();
    if (t === Number.POSITIVE_INFINITY) break;
    clock.advanceTo(t);
    sim.processUntil(t);
    if (options.onProgress !== undefined && feed.closedCount >= nextReport) {
      options.onProgress(feed.closedCount, total);
      nextReport += every;
    }
  }
  if (ctx.inPosition) {
    exit("end", clock.now(), sim.market(market).lastPrice);
    const last = equityPoints.at(-1);
    if (last !== undefined) {
      last.equity = cash + held * last.price;
      last.inPosition = false;
    }
  }
  options.onProgress?.(total, total);

  const metrics = computeMetrics({
    equity: equityPoints,
    trades,
    initialCapital,
    periodMs: candles.intervalMs,
  });
  return {
    strategy: strategy.name,
    params,
    market,
    timeframe: options.timeframe ?? `${candles.intervalMs / 60_000}m`,
    from: candles.time[0]!,
    to: candles.time[candles.length - 1]! + candles.intervalMs,
    candles: candles.length,
    initialCapital,
    metrics,
    trades: options.metricsOnly === true ? [] : trades,
    equity: options.metricsOnly === true ? [] : equityPoints,
  };
}
