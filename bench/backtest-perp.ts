/**
 * bench backtest's perpetual case: sma-long-short (it shorts) on BTC/USDT:USDT of
 * venues/sim-perp.yaml at 3x cross — funding every 8 hours, margin reserved on each entry, the
 * liquidation check and the mark at every path point — against sma-cross on the same venue file's
 * spot BTC/USDT over the same candles in the same rounds (the peer: the ratio is what the
 * perpetual costs). PERP_CANDLES of the looped real minutes keep it to seconds a round. Each perp
 * run checks it traded both ways and paid or received funding, so the timed work is the real one.
 */
import { fileURLToPath } from "node:url";
import { loadVenueConfig } from "../src/sim/config/index.js";
import type { CandleSeries } from "../src/sim/data/index.js";
import { runBacktest } from "../src/strategy/backtest/runner.js";
import { resolveParams } from "../src/strategy/params.js";
import { getStrategy } from "../src/strategy/registry.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const VENUE = fileURLToPath(new URL("../venues/sim-perp.yaml", import.meta.url));
/** 100,000 minutes: about 70 days, 200 fundings. */
const PERP_CANDLES = 100_000;
const ROUNDS = 3;

export async function runPerpCase(looped: CandleSeries): Promise<boolean> {
  const venue = await loadVenueConfig(VENUE);
  const candles = looped.slice(0, PERP_CANDLES);
  const short = getStrategy("sma-long-short");
  const shortParams = resolveParams(short, {});
  const cross = getStrategy("sma-cross");
  const crossParams = resolveParams(cross, {});
  const perp = () => {
    const start = nowNs();
    const result = runBacktest({
      strategy: short,
      params: shortParams,
      market: "BTC/USDT:USDT",
      candles,
      venue,
      leverage: 3,
      metricsOnly: true,
    });
    const seconds = elapsedSeconds(start);
    const c = result.contract!;
    if (result.metrics.trades < 10 || c.fundingPayments === 0) {
      throw new Error(
        `bench backtest: the perpetual run did not trade through funding (${result.metrics.trades} trades, ${c.fundingPayments} payments)`,
      );
    }
    return candles.length / seconds;
  };
  const spot = () => {
    const start = nowNs();
    runBacktest({
      strategy: cross,
      params: crossParams,
      market: "BTC/USDT",
      candles,
      venue,
      metricsOnly: true,
    });
    return candles.length / elapsedSeconds(start);
  };
  perp();
  spot();
  const perpRates: number[] = [];
  const spotRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    perpRates.push(perp());
    spotRates.push(spot());
  }
  return report({
    bench: "backtest.perpetual",
    impl: "crypy runBacktest, sma-long-short on BTC/USDT:USDT at 3x (funding, margin, liquidation checks)",
    value: median(perpRates),
    unit: "candles/s",
    peer: "crypy runBacktest, sma-cross on spot BTC/USDT of the same venue file, same candles",
    peer_value: median(spotRates),
  });
}
