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
 * - The position is exact: a PositionLedger takes each order's fills (bigint minor units), and
 *   sizes are whole lots from bigint arithmetic. Ledger work happens only at fills; the equity
 *   curve reads two numbers converted from the ledger once per fill, so a candle costs one float
 *   multiply. A trade's pnl is the quote it gained or lost (realised, less any dust's cost), so
 *   the trades' pnl sum to the change in quote, exactly before conversion.
 * - Spot takes no shorts. On a contract market (a perpetual) a short signal sells, exits buy back
 *   reduce-only, leverage and margin mode are options, equity is marked at the mark price, and
 *   funding and liquidations are counted: contract.ts states those rules.
 */
import { InvalidInputError, RejectedError } from "../../domain/errors.js";
import { formatDecimal, fromSteps, mulDiv, parseDecimal, ratioOf } from "../../domain/fixed.js";
import type { Candle } from "../../domain/market-data.js";
import { PositionLedger } from "../../domain/position-ledger.js";
import { buildSimulator } from "../../sim/build.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { CandleSeries } from "../../sim/data/index.js";
import { CandleFeed } from "../../sim/feed.js";
import { averagePrice, feeAsset, type SimOrder } from "../../sim/sim-order.js";
import type { Simulator } from "../../sim/simulator.js";
import { VirtualClock } from "../../time/virtual-clock.js";
import { computeMetrics } from "../metrics.js";
import type { ParamValues, Signal, Strategy, StrategyContext } from "../strategy.js";
import { ContractPosition } from "./contract.js";
import { EquityCurve } from "./equity-curve.js";
import type { BacktestResult, TradeRecord } from "./types.js";
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
  /** Contract markets: the leverage set on the venue (whole, ≥ 1, within the bracket). Default 1. */
  leverage?: number;
  /** Contract markets: the margin mode set on the venue. Default cross. */
  marginMode?: "cross" | "isolated";
  /** Called once the run is over with the simulator it ran on and the account: tests and
   * benchmarks read the venue's own records (fills, funding history, marks, the ledger). */
  inspect?: (sim: Simulator, account: string) => void;
}

/** Fees and slippage are paid out of the entry budget: keep this percent of it aside. */
const ENTRY_MARGIN_PCT = 1n;
/** Decimals an entry's size fraction is read at. */
const SIZE_SCALE = 12;
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
  const clock = new VirtualClock(candles.time[0]!);
  // A contract trades on its index market's path: the same candles feed both (index first).
  const feeds = Object.keys(config.markets).map((s) => [s, new CandleFeed(candles)] as const);
  const sim = buildSimulator(config, new Map(feeds), { clock });
  const contract = contractOf(options, spec.contract === undefined, sim, config, market);
  const latency = config.latency.fixedMs;
  const initialCapital = Number(capital);
  const baseScale = config.assets[spec.base]!.decimals;
  const quoteScale = config.assets[spec.quote]!.decimals;
  const capitalUnits = parseDecimal(capital, quoteScale);
  const ledger = new PositionLedger({ base: spec.base, quote: spec.quote, baseScale, quoteScale });
  /** Quote minor units of the account: capital, plus what was realised, less what is held's cost. */
  const cashUnits = () => capitalUnits + ledger.realised - ledger.basis;

  // What the equity curve reads (numbers: analytics), converted from the ledger at each fill.
  let cash = initialCapital;
  let held = 0;
  const ctx: { -readonly [K in keyof StrategyContext]: StrategyContext[K] } = {
    inPosition: false,
    side: undefined,
    entryPrice: Number.NaN,
  };
  /** The ledger when the trade began (exact), and what the entry added. */
  let entry: { time: number; cash: bigint; fees: bigint; cost: bigint; amount: bigint } | undefined;
  // The exits on the path: a long's stop is below and its target above, a short's the reverse.
  let exitBelow = Number.NaN;
  let exitAbove = Number.NaN;
  let belowReason: TradeRecord["exitReason"] = "stop-loss";
  let aboveReason: TradeRecord["exitReason"] = "take-profit";
  let pending: Pending | undefined;
  let exiting: { reason: TradeRecord["exitReason"]; proceeds: bigint; sold: bigint } | undefined;
  const trades: TradeRecord[] = [];
  const curve = new EquityCurve(candles.length + 1);

  const instrument = sim.market(market).instrument;
  /**
   * An order's fills into the ledger, and the curve's numbers from it; what it executed (base and
   * quote minor units). Read from the exchange's exact record: no decimal text on the way.
   */
  const book = (order: SimOrder | undefined) => {
    if (order === undefined || order.filledLots === 0) return undefined;
    const amount = instrument.baseUnits(order.filledLots);
    const baseFee = feeAsset(order) === spec.base ? order.feeUnits : 0n;
    ledger.applyUnits(order.side, amount, order.costUnits, baseFee, order.feeUnits - baseFee);
    cash = toNumber(cashUnits(), quoteScale);
    held = toNumber(ledger.quantity, baseScale);
    return { amount, cost: order.costUnits };
  };

  /** Quote minor units of `lots` lots at a path price (rounded to the tick in `rounding`). */
  const notional = (lots: bigint, price: number, rounding: "up" | "down") =>
    lots * ticksAt(price, rounding) * spec.quoteUnitsPerTickLot;
  const tickSize = sim.market(market).tickSize;
  /**
   * A path price in whole ticks: on the grid up to float noise it is that tick, as the exchange
   * reads path prices (sim-market.ts pathTicks); off it, rounded `rounding`. No decimal text:
   * every entry and exit asks.
   */
  const ticksAt = (price: number, rounding: "up" | "down"): bigint => {
    const p = price / tickSize;
    const r = Math.round(p);
    if (Math.abs(p - r) < 1e-6) return BigInt(r);
    return BigInt(rounding === "up" ? Math.ceil(p) : Math.floor(p));
  };

  /** An entry's size as an exact share, read once per distinct size (a run mostly has one). */
  let lastSize = Number.NaN;
  let lastShare = 0n;
  const shareOf = (size: number): bigint => {
    if (size !== lastSize) {
      lastShare = parseDecimal(String(size), SIZE_SCALE, "down");
      lastSize = size;
    }
    return lastShare;
  };

  const enter = (signal: Extract<Signal, { action: "enter" }>, price: number, time: number) => {
    if (signal.side === "short" && contract === undefined) return; // spot: no shorts
    const size = signal.size ?? fraction;
    if (!(size > 0)) return;
    const share = shareOf(size);
    if (contract !== undefined) {
      const lots = contract.lotsFor(share, SIZE_SCALE, price);
      if (lots === 0n || !contract.open(signal.side, lots, time)) return;
      entered(signal, signal.side, contract.trade!.entryPrice);
      return;
    }
    const spendable = mulDiv(cashUnits(), share, 10n ** BigInt(SIZE_SCALE), "down");
    const budget = (spendable * (100n - ENTRY_MARGIN_PCT)) / 100n;
    const perLot = notional(1n, price, "up");
    const lots = budget > 0n && perLot > 0n ? budget / perLot : 0n;
    // Too small to be accepted: skip without asking (a refusal builds an error, which is costly).
    if (lots <= 0n || lots * perLot < spec.minNotionalUnits) return;
    const before = { cash: cashUnits(), fees: ledger.fees, basis: ledger.basis };
    const quantity = ledger.quantity;
    const order = place("buy", lots);
    if (order === undefined || book(order) === undefined) return;
    const avg = Number(averagePrice(order));
    entry = {
      time,
      cash: before.cash,
      fees: before.fees,
      cost: ledger.basis - before.basis,
      amount: ledger.quantity - quantity,
    };
    entered(signal, "long", avg);
  };

  const entered = (signal: { stopLoss?: number; takeProfit?: number }, side: Side, at: number) => {
    ctx.inPosition = true;
    ctx.side = side;
    ctx.entryPrice = at;
    const stop = signal.stopLoss ?? Number.NaN;
    const target = signal.takeProfit ?? Number.NaN;
    const long = side === "long";
    exitBelow = long ? stop : target;
    exitAbove = long ? target : stop;
    belowReason = long ? "stop-loss" : "take-profit";
    aboveReason = long ? "take-profit" : "stop-loss";
  };

  /**
   * Sells the position. A thin book may not take it all at once: the position then stays
   * "exiting" and the rest is offered again at the following path points, as the makers' depth
   * comes back; the trade closes when nothing sellable is left.
   */
  const exit = (reason: TradeRecord["exitReason"], time: number, price: number) => {
    exiting ??= { reason, proceeds: 0n, sold: 0n };
    if (contract !== undefined) {
      if (!contract.reduce() && reason !== "end") return;
      trades.push(contract.finish(exiting.reason, time));
      flat();
      return;
    }
    const lots = sellableLots(price);
    const fill = lots > 0n ? book(place("sell", lots)) : undefined;
    if (fill !== undefined) {
      exiting.proceeds += fill.cost;
      exiting.sold += fill.amount;
    }
    if (sellableLots(price) > 0n && reason !== "end") return;
    if (entry !== undefined) {
      // The quote the trade gained or lost: what is left under one lot stays, at its cost.
      const pnl = cashUnits() - entry.cash;
      const proceeds = toNumber(exiting.proceeds, quoteScale);
      trades.push({
        side: "long",
        entryTime: entry.time,
        exitTime: time,
        entryPrice: ctx.entryPrice,
        exitPrice: exiting.sold > 0n ? proceeds / toNumber(exiting.sold, baseScale) : Number.NaN,
        amount: toNumber(entry.amount, baseScale),
        pnl: toNumber(pnl, quoteScale),
        returnPct: ratioOf(pnl, entry.cost),
        fees: toNumber(ledger.fees - entry.fees, quoteScale),
        exitReason: exiting.reason,
      });
    }
    flat();
  };

  const flat = () => {
    entry = undefined;
    exiting = undefined;
    ctx.inPosition = false;
    ctx.side = undefined;
    ctx.entryPrice = Number.NaN;
    exitBelow = Number.NaN;
    exitAbove = Number.NaN;
  };

  /** Whole lots of the position the venue would accept (a remainder under min notional is dust). */
  const sellableLots = (price: number): bigint => {
    const q = ledger.quantity;
    const lots = q > 0n ? q / spec.baseUnitsPerLot : 0n;
    return lots === 0n || notional(lots, price, "down") < spec.minNotionalUnits ? 0n : lots;
  };

  // The exchange's own record of the order (Simulator.placeOrder returns its decimal view).
  const place = (side: "buy" | "sell", lots: bigint): SimOrder | undefined => {
    try {
      return sim.exchange.place(ACCOUNT, {
        symbol: market,
        type: "market",
        side,
        amount: fromSteps(lots, spec.lot),
      });
    } catch (err) {
      // Too small, not enough funds: an ordinary refusal the strategy lives with.
      if (err instanceof RejectedError) return undefined;
      throw err;
    }
  };

  const instance = strategy.create(params);

  /** A path point of the market: a signal that is due, the rest of a thin exit, the exits. */
  const onPoint = (_symbol: string, time: number, price: number) => {
    if (pending !== undefined && time >= pending.readyAt) {
      const { signal } = pending;
      pending = undefined;
      if (signal.action === "enter" && !ctx.inPosition) enter(signal, price, time);
      else if (signal.action === "exit" && ctx.inPosition && exiting === undefined)
        exit("signal", time, price);
    }
    if (exiting !== undefined) exit(exiting.reason, time, price);
    else if (ctx.inPosition) {
      if (price <= exitBelow) exit(belowReason, time, price);
      else if (price >= exitAbove) exit(aboveReason, time, price);
    }
  };

  /** A closed candle (row i of c): the equity point, then the strategy. */
  const onCandle = (time: number, c: CandleSeries, i: number, equity: number) => {
    const close = c.close[i]!;
    curve.push(time, equity, close, ctx.inPosition);
    const candle: Candle = {
      timestamp: c.time[i]!,
      open: c.open[i]!,
      high: c.high[i]!,
      low: c.low[i]!,
      close,
      volume: c.volume[i]!,
    };
    const signal = instance.onCandle(candle, ctx);
    if (signal !== undefined) pending = { signal, readyAt: time + latency };
  };

  // Spot listens to its one market with nothing added; a contract skips its index market's
  // events, and learns of funding and liquidation (the engine's, at this path point) first.
  if (contract === undefined) {
    sim.onTick(onPoint);
    sim.onClose((_symbol, time, c, i) => onCandle(time, c, i, cash + held * c.close[i]!));
  } else {
    sim.onTick((symbol, time, price) => {
      if (symbol !== market) return;
      const liquidated = contract.onPath(time);
      if (liquidated !== undefined) {
        trades.push(liquidated);
        flat();
      }
      onPoint(symbol, time, price);
    });
    sim.onClose((symbol, time, c, i) => {
      if (symbol === market) onCandle(time, c, i, contract.equity());
    });
  }

  runToEnd(sim, clock, sim.market(market).feed, candles.length, options);
  if (ctx.inPosition) {
    exit("end", clock.now(), sim.market(market).lastPrice);
    if (curve.length > 0) {
      const lastPrice = curve.price[curve.length - 1]!;
      curve.remarkLast(contract === undefined ? cash + held * lastPrice : contract.equity(), false);
    }
  }
  options.onProgress?.(candles.length, candles.length);
  options.inspect?.(sim, ACCOUNT);

  const metrics = computeMetrics({
    equity: curve,
    trades,
    initialCapital,
    periodMs: candles.intervalMs,
  });
  const result = {
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
    ...(contract === undefined ? {} : { contract: contract.report() }),
  };
  // The curve's rows become points only if someone reads them (see lazyPointsOn).
  return options.metricsOnly === true ? { ...result, equity: [] } : curve.lazyPointsOn(result);
}

/**
 * Every event of the run, in time order. A function of its own, not a loop inside runBacktest:
 * the loop is what runs hot, and optimising it inside runBacktest had V8 compile (and, as each
 * run brings new closures, recompile) all of runBacktest with it — a fresh sweep worker's largest
 * compile jobs, on the cores the sweep itself needs.
 */
function runToEnd(
  sim: Simulator,
  clock: VirtualClock,
  feed: { readonly closedCount: number },
  total: number,
  options: BacktestOptions,
): void {
  const every = options.progressEvery ?? 50_000;
  let nextReport = every;
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
}

type Side = "long" | "short";

/** The contract position of a run on a contract market; undefined on spot (options checked). */
function contractOf(
  options: BacktestOptions,
  spot: boolean,
  sim: Simulator,
  config: ReturnType<typeof backtestVenue>,
  market: string,
): ContractPosition | undefined {
  const leverage = options.leverage ?? 1;
  if (spot) {
    if (options.leverage !== undefined || options.marginMode !== undefined) {
      throw new InvalidInputError(
        `leverage and margin mode apply to contract markets; ${market} is spot`,
      );
    }
    return undefined;
  }
  if (!Number.isInteger(leverage) || leverage < 1) {
    throw new InvalidInputError(`leverage must be a whole number ≥ 1, got ${leverage}`);
  }
  const marginMode = options.marginMode ?? "cross";
  return new ContractPosition(sim, config.markets[market]!, ACCOUNT, { leverage, marginMode });
}

/** Minor units → a number (analytics), rounded once: through the exact decimal text. */
function toNumber(units: bigint, scale: number): number {
  return Number(formatDecimal(units, scale));
}
