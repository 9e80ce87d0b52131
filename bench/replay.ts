/**
 * bench replay — candles per second replayed through the whole simulator, against the floor of any
 * replay, measured in the same run on the same series.
 *
 * Payload: the real Binance.US BTC/USDT 1-minute file (test/fixtures, 30,240 candles) repeated
 * until the series holds at least 1,000,000 candles. Each copy is shifted in time by the file's
 * span so open times keep increasing; prices are repeated as they are (each copy starts again at
 * the file's first open, a jump like a gap in the data).
 *
 * Ours: a Simulator built by buildSimulator from a one-market venue config (BTC/USDT, liquidity
 * model on, defaults), driven by runVirtual on a VirtualClock to the end of the series, with one
 * candle listener attached (replay-tally.ts: counts the closes, sums them, checks their order), as
 * any real use of a replay has one; no strategy, no order. Every candle is four path points handed
 * to the exchange (Exchange.onPath) and a close told to the listener. Peer: a bare loop over the
 * same columns computing the same four path prices per candle (pathPrice) and handing each close,
 * as the same event, to the same listener, and nothing else.
 *
 * Both sides' tallies must equal the series' (every close, in order, the same close sum: no
 * difference allowed); every timed round checks its own. After timing, one checked run counts
 * what reached the exchange (4 path points per candle, every candle closed, the clock at the
 * series' end) and asserts that the liquidity model was never called: it must cost nothing until
 * an order needs the book. Rounds alternate ours/peer after a warm-up; medians are reported.
 * `value` is our absolute candles/s (the goal is >= 2,000,000 with the listener); the ratio is
 * against the peer. The same replay with no listener at all, and its bare loop, are reported
 * beside it (replay.no-listener).
 *
 * Perpetual case (replay-perp.ts): the first PERP_CANDLES of the series through a venue with the
 * spot market and a perpetual on its path (BTC/USDT:USDT), an account holding a 5x short from the
 * first path point, so every path point samples the mark and the premium, checks the account's
 * margin for liquidation, and funding is paid every 8 hours; a candle listener on the perpetual.
 * Its peer is this spot replay (with its listener) on the same candles in the same rounds: the
 * ratio is what funding and margin cost.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OHLCV } from "../src/domain/market-data.js";
import { buildSimulator } from "../src/sim/build.js";
import { parseVenueConfig } from "../src/sim/config/index.js";
import type { VenueConfig } from "../src/sim/config/types.js";
import { CandleSeries, loadCandles, pathPrice } from "../src/sim/data/index.js";
import { runVirtual } from "../src/sim/driver.js";
import { CandleFeed } from "../src/sim/feed.js";
import type { Simulator } from "../src/sim/simulator.js";
import { VirtualClock } from "../src/time/virtual-clock.js";
import { PERP_CANDLES, perpConfig, runPerp } from "./replay-perp.js";
import { CloseTally } from "./replay-tally.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures");
const FILE = "binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz";
const SYMBOL = "BTC/USDT";
const MIN_CANDLES = 1_000_000;
const WARMUP = 2;
const ROUNDS = 7;
const TARGET = 2_000_000;

const VENUE = `name: replay-bench
seed: 1
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: candles, file: ${FILE} }
accounts:
  main: { USDT: "10000" }
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "10000", USDT: "500000000" }
`;

/** `series` repeated until it holds at least `min` candles, each copy shifted by its span. */
export function loopSeries(series: CandleSeries, min: number): CandleSeries {
  const n = series.length;
  const copies = Math.ceil(min / n);
  const span = series.endMs - series.startMs;
  const columns = {
    time: new Float64Array(n * copies),
    open: new Float64Array(n * copies),
    high: new Float64Array(n * copies),
    low: new Float64Array(n * copies),
    close: new Float64Array(n * copies),
    volume: new Float64Array(n * copies),
  };
  for (let c = 0; c < copies; c++) {
    const at = c * n;
    for (let i = 0; i < n; i++) columns.time[at + i] = series.time[i]! + c * span;
    columns.open.set(series.open, at);
    columns.high.set(series.high, at);
    columns.low.set(series.low, at);
    columns.close.set(series.close, at);
    columns.volume.set(series.volume, at);
  }
  return new CandleSeries(columns, series.intervalMs);
}

export function build(
  config: VenueConfig,
  series: CandleSeries,
): { sim: Simulator; clock: VirtualClock } {
  const feed = new CandleFeed(series);
  const clock = new VirtualClock(feed.nextTime());
  const sim = buildSimulator(config, new Map([[SYMBOL, feed]]), { clock });
  return { sim, clock };
}

/** The replay did all of its work: every candle closed, the clock at the series' end. */
export function checkFinished(sim: Simulator, clock: VirtualClock, series: CandleSeries): void {
  const m = sim.market(SYMBOL);
  const last = series.length - 1;
  if (
    m.feed.closedCount !== series.length ||
    clock.now() !== series.endMs ||
    m.lastPrice !== series.close[last]
  ) {
    throw new Error(
      `bench replay: the replay stopped early (${m.feed.closedCount}/${series.length} closed, ` +
        `clock ${clock.now()} vs end ${series.endMs})`,
    );
  }
}

/**
 * One untimed run that counts what reached the exchange and the liquidity model (by wrapping
 * those instances' methods), so the timed runs are known to do the whole work and nothing more.
 */
async function checkedRun(config: VenueConfig, series: CandleSeries): Promise<void> {
  const { sim, clock } = build(config, series);
  const m = sim.market(SYMBOL);
  const tally = new CloseTally(SYMBOL);
  sim.on(tally.listener);
  let pathPoints = 0;
  const onPath = sim.exchange.onPath.bind(sim.exchange);
  sim.exchange.onPath = (market, price, volume) => {
    pathPoints++;
    onPath(market, price, volume);
  };
  let liquidityCalls = 0;
  const liquidity = m.liquidity as unknown as Record<string, unknown>;
  for (const name of ["levels", "materialize", "withdraw", "takerId"]) {
    const original = liquidity[name] as (...args: unknown[]) => unknown;
    liquidity[name] = (...args: unknown[]) => {
      liquidityCalls++;
      return original.apply(m.liquidity, args);
    };
  }
  await runVirtual(sim, clock);
  checkFinished(sim, clock, series);
  tally.check(series, "the checked run");
  if (pathPoints !== 4 * series.length) {
    throw new Error(
      `bench replay: ${pathPoints} path points reached the exchange, expected ${4 * series.length}`,
    );
  }
  if (liquidityCalls !== 0 || m.book.size !== 0) {
    throw new Error(
      `bench replay: the liquidity model was used ${liquidityCalls} times with no order`,
    );
  }
}

export async function runOurs(
  config: VenueConfig,
  series: CandleSeries,
  listen: boolean,
): Promise<number> {
  const { sim, clock } = build(config, series);
  const tally = new CloseTally(SYMBOL);
  if (listen) sim.on(tally.listener);
  const start = nowNs();
  await runVirtual(sim, clock);
  const seconds = elapsedSeconds(start);
  checkFinished(sim, clock, series);
  if (listen) tally.check(series, "crypy");
  return series.length / seconds;
}

let checksum = Number.NaN;

function runPeer(series: CandleSeries, listen: boolean): number {
  const { time, open, high, low, close, volume } = series;
  const n = series.length;
  const interval = series.intervalMs;
  const tally = new CloseTally(SYMBOL);
  const start = nowNs();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    for (let k = 0; k < 4; k++) sum += pathPrice(o, h, l, c, k);
    if (listen) {
      const candle: OHLCV = [time[i]!, o, h, l, c, volume[i]!];
      tally.listener({ type: "candle", time: time[i]! + interval, symbol: SYMBOL, candle });
    }
  }
  const seconds = elapsedSeconds(start);
  // The sum is used, so the loop cannot be optimised away; it must be the same every round.
  if (!Number.isNaN(checksum) && sum !== checksum) throw new Error("bench replay: peer diverged");
  checksum = sum;
  if (listen) tally.check(series, "the peer");
  return n / seconds;
}

/** Medians of ours and the peer's candles/s, alternating rounds after a warm-up. */
async function rounds(config: VenueConfig, series: CandleSeries, listen: boolean) {
  for (let i = 0; i < WARMUP; i++) {
    await runOurs(config, series, listen);
    runPeer(series, listen);
  }
  const ours: number[] = [];
  const peer: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await runOurs(config, series, listen));
    peer.push(runPeer(series, listen));
  }
  return { ours: median(ours), peer: median(peer) };
}

export async function run(): Promise<boolean> {
  const file = await loadCandles(join(FIXTURES, FILE));
  const series = loopSeries(file, MIN_CANDLES);
  const config = parseVenueConfig(VENUE, { file: "bench/replay.ts (venue)", baseDir: FIXTURES });
  process.stderr.write(
    `replay: ${FILE} (${file.length} candles) x ${series.length / file.length} = ` +
      `${series.length} candles, ${5 * series.length} market events (4 path points + a close each)\n`,
  );
  const listened = await rounds(config, series, true);
  const bare = await rounds(config, series, false);
  // Last: its wrappers would make the timed runs' call sites polymorphic.
  await checkedRun(config, series);
  const value = listened.ours;
  const ok = report({
    bench: "replay",
    impl: "crypy Simulator + runVirtual, one candle listener (its closes must equal the peer's exactly)",
    value,
    unit: "candles/s",
    peer: "bare pathPrice loop handing each close to the same listener",
    peer_value: listened.peer,
  });
  process.stderr.write(
    `replay: crypy ${Math.round(value)} candles/s with a listener (goal >= ${TARGET}: ${value >= TARGET ? "met" : "MISSED"})\n`,
  );
  report({
    bench: "replay.no-listener",
    impl: "crypy Simulator + runVirtual, nobody listening",
    value: bare.ours,
    unit: "candles/s",
    peer: "bare pathPrice loop",
    peer_value: bare.peer,
  });

  const short = series.slice(0, PERP_CANDLES);
  const perp = perpConfig(FIXTURES);
  await runPerp(perp, short);
  await runOurs(config, short, true);
  const perpRates: number[] = [];
  const spotRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    perpRates.push(await runPerp(perp, short));
    spotRates.push(await runOurs(config, short, true));
  }
  report({
    bench: "replay.perpetual",
    impl: "crypy Simulator + runVirtual, BTC/USDT:USDT with an open 5x short (mark, funding, margin), one candle listener",
    value: median(perpRates),
    unit: "candles/s",
    peer: "the same replay of spot BTC/USDT alone, one candle listener",
    peer_value: median(spotRates),
  });
  return ok && value >= TARGET;
}
