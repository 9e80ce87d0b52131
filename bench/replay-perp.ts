/**
 * bench replay's perpetual case: the simulator replaying a spot market and a perpetual on its
 * path, with an account holding a short, so the derivatives' per-path-point work (index, premium
 * and mark sampling, the liquidation check of every open position, funding at each 8-hour
 * boundary) is all in the timed loop, with a candle listener on the perpetual as a real use has.
 * Each run checks that it did that work: the position is still open at the end (never liquidated:
 * 5x on a small short), funding was paid at every boundary the series crosses, and the listener
 * was told every close of the perpetual, in order.
 */
import { buildSimulator } from "../src/sim/build.js";
import { parseVenueConfig } from "../src/sim/config/index.js";
import type { VenueConfig } from "../src/sim/config/types.js";
import type { CandleSeries } from "../src/sim/data/index.js";
import { runVirtual } from "../src/sim/driver.js";
import { CandleFeed } from "../src/sim/feed.js";
import { VirtualClock } from "../src/time/virtual-clock.js";
import { CloseTally } from "./replay-tally.js";
import { elapsedSeconds, nowNs } from "./report.js";

/** Candles of the perpetual case (and of its spot peer): 70 days of minutes. */
export const PERP_CANDLES = 100_000;
const SPOT = "BTC/USDT";
const PERP = "BTC/USDT:USDT";
const FUNDING_MS = 8 * 3_600_000;

/** bench/replay.ts's venue plus sim-perp.yaml's perpetual (no data: it trades on the spot path). */
export function perpConfig(fixtures: string): VenueConfig {
  const text = `name: replay-bench-perp
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
    data: { source: gbm, startPrice: "23000", volatility: 0.6 }
  BTC/USDT:USDT:
    type: perpetual
    tickSize: "0.1"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "1000"
    minNotional: "5"
    contractSize: "1"
    index: BTC/USDT
    funding: { intervalHours: 8, interestRate: "0.0001", cap: "0.003" }
    liquidationFee: "0.0125"
    leverageBrackets:
      - { notionalFloor: "0", notionalCap: "50000", maxLeverage: 125, maintMarginRatio: "0.004" }
      - { notionalFloor: "50000", notionalCap: "500000", maxLeverage: 100, maintMarginRatio: "0.005" }
derivatives:
  insuranceFund: { USDT: "1000000" }
accounts:
  main: { USDT: "10000" }
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "10000", USDT: "500000000" }
`;
  return parseVenueConfig(text, { file: "bench/replay-perp.ts (venue)", baseDir: fixtures });
}

/** One timed replay of `series` with a 5x short of 0.1 BTC opened at the first path point. */
export async function runPerp(config: VenueConfig, series: CandleSeries): Promise<number> {
  const feeds = new Map([
    [SPOT, new CandleFeed(series)],
    [PERP, new CandleFeed(series)],
  ]);
  const clock = new VirtualClock(series.time[0]!);
  const sim = buildSimulator(config, feeds, { clock });
  sim.derivatives.setLeverage("main", PERP, 5);
  const tally = new CloseTally(PERP);
  sim.on(tally.listener);
  const start = nowNs();
  sim.processUntil(series.time[0]!);
  sim.placeOrder("main", { symbol: PERP, type: "market", side: "sell", amount: "0.1" });
  await runVirtual(sim, clock);
  const seconds = elapsedSeconds(start);
  const position = sim.exchange.positions.get("main", PERP);
  const boundaries =
    Math.floor((series.endMs - 1) / FUNDING_MS) - Math.floor(series.time[0]! / FUNDING_MS);
  const fundings = sim.derivatives.fundingHistory(PERP, undefined, 100_000).length;
  if (
    position?.qty !== -100n ||
    position.funding === 0n ||
    fundings < boundaries - 1 ||
    sim.market(PERP).feed.closedCount !== series.length ||
    clock.now() !== series.endMs
  ) {
    throw new Error(
      `bench replay: the perpetual replay did not do its work (position ${position?.qty}, ` +
        `${fundings} fundings of ${boundaries}, ${sim.market(PERP).feed.closedCount}/${series.length} closed)`,
    );
  }
  tally.check(series, "the perpetual replay");
  return series.length / seconds;
}
