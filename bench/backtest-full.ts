/**
 * bench backtest's full-simulator case: sma-cross through runBacktest (order book, makers, fees,
 * lots, the ledger) against the same strategy on grademark, both on every copy of the real file.
 *
 * Workload: each time-shifted copy of the 30,240-minute file is one backtest with fresh capital,
 * as a user backtests three weeks of minutes. Fresh capital rather than a fraction of equity per
 * entry because it keeps the runner's default sizing (the whole free quote): one run over the 34
 * copies end to end spends its capital on fees by candle ~150,000 and trades nothing afterwards,
 * while a copy's 30,240 candles keep enough capital to trade to the end (the check below sees that
 * the last copy trades as the first). Building each copy's simulator is timed, as it is the user's.
 *
 * Grademark gets the same copies, each a DataFrame built as its README builds one (untimed, like
 * our loading), the moving averages and the backtest timed.
 *
 * The venue's latency is set to 0 for both to fill at the candle after the signal's open, as
 * grademark does (with the venue's 20 ms, crypy fills at the next path point, the candle's low or
 * high). What is left is the fee model and one rule of grademark's, both stated in the check line:
 * - grademark pays nothing; crypy pays the taker fee on both legs, the half spread and the lot
 *   rounding, and spends 99% of its quote per entry. So a grademark trade of growth g is expected
 *   at g × KEEP in crypy, and grademark's trades compounded that way predict crypy's equity.
 * - grademark runs no rule on the bar it enters or exits at, so a cross on such a bar is seen one
 *   bar late or not at all (crypy acts on it): those trades differ, the rest match bar for bar.
 * The check: crypy makes grademark's trades and up to 10% more; 85% or more of its trades are
 * grademark's, bar for bar, each within 0.001 of grademark's growth × KEEP; its final equity is,
 * within 1%, grademark's matched trades with crypy's costs compounded with crypy's own unmatched
 * ones (the line also shows how far it is from all of grademark's trades with crypy's costs).
 */
import { DataFrame } from "data-forge";
import "data-forge-indicators"; // adds .sma() to data-forge series, as grademark's README does
import { backtest as grademarkBacktest } from "grademark";
import type { VenueConfig } from "../src/sim/config/index.js";
import type { CandleSeries } from "../src/sim/data/index.js";
import { runBacktest } from "../src/strategy/backtest/runner.js";
import { resolveParams } from "../src/strategy/params.js";
import { getStrategy } from "../src/strategy/registry.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const MARKET = "BTC/USDT";
const CAPITAL = 10_000;
const ROUNDS = 3;
const WARM_UP_COPIES = 4;
/** Share of free quote the runner spends per entry (it keeps 1% aside for fees and slippage). */
const SPENT = 0.99;
/**
 * Allowed: crypy makes at least grademark's trades and at most this share more (it acts on the
 * crosses grademark's blind bars hide; 6.4% more on the file).
 */
const EXTRA_TRADES_AT_MOST = 0.1;
/** Allowed: at least this share of crypy's trades has grademark's entry and exit bars (90%). */
const MATCHED_AT_LEAST = 0.85;
/** Allowed: a matched trade's growth in crypy apart from grademark's × KEEP (lot rounding). */
const GROWTH_APART = 0.001;
/**
 * Allowed: crypy's final equity apart (in log) from grademark's matched trades compounded with
 * crypy's costs and crypy's own unmatched trades: what is left is sizing and lot rounding.
 */
const EQUITY_APART = 0.01;

interface Trade {
  entry: number;
  exit: number;
  /** Exit value / entry value of the trade. */
  growth: number;
  /** Closed by the end of the data, not a signal. */
  end: boolean;
}

interface CopyResult {
  trades: Trade[];
  finalEquity: number;
}

export async function runFullCase(
  venueFile: VenueConfig,
  looped: CandleSeries,
  copyLength: number,
): Promise<boolean> {
  // Latency 0: fills at the next candle's open, as grademark's (see the header).
  const venue: VenueConfig = { ...venueFile, latency: { fixedMs: 0, jitterMs: 0 } };
  const copyCount = Math.floor(looped.length / copyLength);
  const copies = Array.from({ length: copyCount }, (_, l) =>
    looped.slice(l * copyLength, (l + 1) * copyLength),
  );
  const candles = copyCount * copyLength;
  const strategy = getStrategy("sma-cross");
  const params = resolveParams(strategy, {});
  const spec = venue.markets[MARKET]!;
  const fee = Number(spec.fees.taker);
  const halfSpread = spec.liquidity.spreadBps / 2 / 1e4;
  /** What crypy keeps of a round trip's growth: taker fee twice, buys at the ask, sells at the bid. */
  const keep = (1 - fee) ** 2 * ((1 - halfSpread) / (1 + halfSpread));

  const crypy = (): { rate: number; results: CopyResult[] } => {
    const results: CopyResult[] = [];
    let seconds = 0;
    for (const copy of copies) {
      const start = nowNs();
      const result = runBacktest({
        strategy,
        params,
        market: MARKET,
        candles: copy,
        venue,
        capital: String(CAPITAL),
      });
      seconds += elapsedSeconds(start);
      results.push({
        trades: result.trades.map((t) => ({
          entry: t.entryTime,
          exit: t.exitTime,
          growth: 1 + t.returnPct,
          end: t.exitReason === "end",
        })),
        finalEquity: CAPITAL * (1 + result.metrics.totalReturn),
      });
    }
    return { rate: candles / seconds, results };
  };
  const grademark = (): { rate: number; results: Trade[][] } => {
    const results: Trade[][] = [];
    let seconds = 0;
    for (const copy of copies) {
      const run = grademarkRun(copy, Number(params.fast), Number(params.slow));
      seconds += run.seconds;
      results.push(run.trades);
    }
    return { rate: candles / seconds, results };
  };

  // Warm-up (the JIT's tiers take a few copies to settle), then alternate.
  for (const copy of copies.slice(0, WARM_UP_COPIES)) {
    runBacktest({ strategy, params, market: MARKET, candles: copy, venue });
  }
  grademarkRun(copies[0]!.slice(0, 10_000), Number(params.fast), Number(params.slow));
  const crypyRates: number[] = [];
  const peerRates: number[] = [];
  let crypyResults: CopyResult[] = [];
  let peerResults: Trade[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ours = crypy();
    crypyRates.push(ours.rate);
    crypyResults = ours.results;
    const theirs = grademark();
    peerRates.push(theirs.rate);
    peerResults = theirs.results;
  }

  const agreed = checkAgreement(crypyResults, peerResults, keep);
  let ok = report({
    bench: "backtest.full",
    impl: `crypy runBacktest (full simulator), sma-cross, ${copyCount} copies × ${copyLength} candles, fresh capital per copy`,
    value: median(crypyRates),
    unit: "candles/s",
    peer: "grademark 0.3 + data-forge-indicators (its README's way), the same copies",
    peer_value: median(peerRates),
    goal: { atLeast: 10 },
  });
  const absolute = median(crypyRates) >= 1_000_000;
  process.stderr.write(
    `backtest: full simulator ${Math.round(median(crypyRates))} candles/s (goal >= 1000000: ${absolute ? "met" : "MISSED"})\n`,
  );
  ok = ok && absolute && agreed;
  return ok;
}

/**
 * The same strategy the way grademark's README builds one: a data-forge DataFrame of bars, moving
 * averages from data-forge-indicators merged in as series, and rules that spot the cross from the
 * lookback window. Timed: indicators + simulation (our figure includes the strategy's indicators
 * too); building the DataFrame from arrays is data loading and is not timed, as ours is not.
 */
function grademarkRun(
  candles: CandleSeries,
  fast: number,
  slow: number,
): { seconds: number; trades: Trade[] } {
  const bars = [];
  for (let i = 0; i < candles.length; i++) {
    bars.push({
      time: new Date(candles.time[i]!),
      open: candles.open[i]!,
      high: candles.high[i]!,
      low: candles.low[i]!,
      close: candles.close[i]!,
      volume: candles.volume[i]!,
    });
  }
  const frame = new DataFrame({ values: bars });
  const start = nowNs();
  // data-forge-indicators adds sma() at run time; these shapes are what it and data-forge provide.
  interface Frame {
    withSeries(name: string, series: unknown): Frame;
    skip(n: number): Frame;
  }
  const closes = frame.deflate((bar) => bar.close) as unknown as { sma(period: number): unknown };
  // From the first bar both averages exist (index slow − 1), as the runner's strategy sees them.
  const withIndicators = (frame as unknown as Frame)
    .withSeries("fast", closes.sma(fast))
    .withSeries("slow", closes.sma(slow))
    .skip(slow - 1);
  type Bar = { time: Date; fast: number; slow: number };
  const crossed = (lookback: { toArray(): Bar[] }, up: boolean): boolean => {
    const [a, b] = lookback.toArray();
    if (a === undefined || b === undefined) return false;
    // grademark hands over its ring buffer's storage (CBuffer.data), in time order only every
    // other bar: the two bars are put in order here.
    const [previous, current] = a.time < b.time ? [a, b] : [b, a];
    const before = previous.fast - previous.slow;
    const now = current.fast - current.slow;
    return up ? now > 0 && before <= 0 : now < 0 && before >= 0;
  };
  const trades = grademarkBacktest(
    {
      lookbackPeriod: 2,
      entryRule: (enter: (o?: object) => void, args: { lookback: { toArray(): Bar[] } }) => {
        if (crossed(args.lookback, true)) enter({ direction: "long" });
      },
      exitRule: (exit: () => void, args: { lookback: { toArray(): Bar[] } }) => {
        if (crossed(args.lookback, false)) exit();
      },
    } as never,
    withIndicators as never,
  );
  const seconds = elapsedSeconds(start);
  return {
    seconds,
    trades: trades.map((t) => ({
      entry: t.entryTime.getTime(),
      exit: t.exitTime.getTime(),
      growth: t.growth,
      end: t.exitReason === "finalize",
    })),
  };
}

/**
 * Both sides' results, copy by copy, within the stated differences (see the header); prints one
 * JSON line with what was compared and returns whether all held.
 */
function checkAgreement(crypy: CopyResult[], grademark: Trade[][], keep: number): boolean {
  let ours = 0;
  let theirs = 0;
  let matched = 0;
  let growthApart = 0;
  let equityApart = 0;
  let rawEquityApart = 0;
  let fewestCopyTrades = Number.POSITIVE_INFINITY;
  let mostCopyTrades = 0;
  /** Equity after compounding `growth` with `SPENT` of it invested. */
  const step = (growth: number) => 1 + SPENT * (growth - 1);
  for (let c = 0; c < crypy.length; c++) {
    const mine = crypy[c]!;
    const peer = grademark[c]!;
    ours += mine.trades.length;
    theirs += peer.length;
    fewestCopyTrades = Math.min(fewestCopyTrades, mine.trades.length);
    mostCopyTrades = Math.max(mostCopyTrades, mine.trades.length);
    const byEntry = new Map(mine.trades.map((t) => [t.entry, t]));
    const twins = new Set<Trade>();
    let predicted = CAPITAL;
    let raw = CAPITAL;
    for (const t of peer) {
      raw *= step(t.growth * keep);
      const twin = byEntry.get(t.entry);
      // The last trade: crypy closes at the last close's time, grademark at the last bar's open.
      if (twin === undefined || (twin.exit !== t.exit && !(twin.end && t.end))) continue;
      twins.add(twin);
      predicted *= step(t.growth * keep);
      growthApart = Math.max(growthApart, Math.abs(twin.growth - t.growth * keep));
    }
    matched += twins.size;
    for (const t of mine.trades) if (!twins.has(t)) predicted *= step(t.growth);
    equityApart = Math.max(equityApart, Math.abs(Math.log(mine.finalEquity / predicted)));
    rawEquityApart = Math.max(rawEquityApart, Math.abs(Math.log(mine.finalEquity / raw)));
  }
  const checks = {
    trades: ours >= theirs && ours <= (1 + EXTRA_TRADES_AT_MOST) * theirs,
    matched: matched >= MATCHED_AT_LEAST * ours,
    growth: growthApart <= GROWTH_APART,
    equity: equityApart <= EQUITY_APART,
    // Fresh capital keeps every copy trading: the copies are the same minutes, so the same trades.
    throughout: fewestCopyTrades === mostCopyTrades && fewestCopyTrades > 0,
  };
  const pass = Object.values(checks).every((x) => x);
  const line = {
    bench: "backtest.full.agreement",
    trades: { crypy: ours, grademark: theirs, matched, perCopy: fewestCopyTrades },
    worstGrowthApart: Number(growthApart.toExponential(3)),
    worstEquityLogApart: Number(equityApart.toExponential(3)),
    worstEquityLogApartAllGrademarkTrades: Number(rawEquityApart.toExponential(3)),
    feeModel: `grademark pays nothing; its growth g is expected as g × ${keep.toFixed(6)} in crypy (taker fee twice, half spread on both legs), ${SPENT} of quote spent per entry`,
    allowed: {
      extraTradesAtMost: EXTRA_TRADES_AT_MOST,
      matchedAtLeast: MATCHED_AT_LEAST,
      growthApart: GROWTH_APART,
      equityLogApart: EQUITY_APART,
      why: "grademark runs no rule on the bars it enters or exits at, so crypy also makes the trades of the crosses there; lot rounding",
    },
    checks,
    pass,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return pass;
}
