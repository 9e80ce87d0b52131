/**
 * bench backtest's perpetual case: sma-long-short (it shorts) on BTC/USDT:USDT of
 * venues/sim-perp.yaml at 3x cross — funding every 8 hours, margin reserved on each entry, the
 * liquidation check and the mark at every path point — against sma-cross on the same venue file's
 * spot BTC/USDT over the same candles in the same rounds (the peer: the ratio is what the
 * perpetual costs). PERP_CANDLES of the looped real minutes keep it to seconds a round, as
 * CHUNKS backtests with fresh capital each: one run over the 100,000 minutes at 3x spends its
 * account by minute ~50,000 (1,044 and 913 trades in its first two quarters, 2 and 0 in the last
 * two), and a drained account trades nothing. Each perp run checks that every chunk traded and
 * paid or received funding, so the timed work is the real one throughout.
 */
import { fileURLToPath } from "node:url";
import { loadVenueConfig } from "../src/sim/config/index.js";
import type { CandleSeries } from "../src/sim/data/index.js";
import { runBacktest } from "../src/strategy/backtest/runner.js";
import type { BacktestResult } from "../src/strategy/backtest/types.js";
import { resolveParams } from "../src/strategy/params.js";
import { getStrategy } from "../src/strategy/registry.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const VENUE = fileURLToPath(new URL("../venues/sim-perp.yaml", import.meta.url));
/** 100,000 minutes: about 70 days, 200 fundings. */
const PERP_CANDLES = 100_000;
/** Backtests (fresh capital each) the minutes are cut into: about three weeks each. */
const CHUNKS = 4;
/** Fewest trades a chunk must make; and one must begin in its last LAST_ENTRY_WITHIN. */
const CHUNK_TRADES_AT_LEAST = 10;
const LAST_ENTRY_WITHIN = 0.1;
const ROUNDS = 3;

export async function runPerpCase(looped: CandleSeries): Promise<boolean> {
  const venue = await loadVenueConfig(VENUE);
  const total = Math.min(PERP_CANDLES, looped.length);
  const size = Math.floor(total / CHUNKS);
  const chunks = Array.from({ length: CHUNKS }, (_, k) => looped.slice(k * size, (k + 1) * size));
  const candles = size * CHUNKS;
  const short = getStrategy("sma-long-short");
  const shortParams = resolveParams(short, {});
  const cross = getStrategy("sma-cross");
  const crossParams = resolveParams(cross, {});
  const perp = () => {
    let seconds = 0;
    for (const [k, chunk] of chunks.entries()) {
      const start = nowNs();
      const result = runBacktest({
        strategy: short,
        params: shortParams,
        market: "BTC/USDT:USDT",
        candles: chunk,
        venue,
        leverage: 3,
      });
      seconds += elapsedSeconds(start);
      const c = result.contract!;
      if (!tradedToTheEnd(result, chunk) || c.fundingPayments === 0) {
        throw new Error(
          `bench backtest: chunk ${k + 1} of the perpetual run did not trade to its end through funding (${result.metrics.trades} trades, the last entered at ${result.trades.at(-1)?.entryTime}, ${c.fundingPayments} payments)`,
        );
      }
    }
    return candles / seconds;
  };
  const spot = () => {
    let seconds = 0;
    for (const [k, chunk] of chunks.entries()) {
      const start = nowNs();
      const result = runBacktest({
        strategy: cross,
        params: crossParams,
        market: "BTC/USDT",
        candles: chunk,
        venue,
      });
      seconds += elapsedSeconds(start);
      if (!tradedToTheEnd(result, chunk)) {
        throw new Error(
          `bench backtest: chunk ${k + 1} of the spot peer did not trade to its end (${result.metrics.trades} trades, the last entered at ${result.trades.at(-1)?.entryTime})`,
        );
      }
    }
    return candles / seconds;
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
    impl: `crypy runBacktest, sma-long-short on BTC/USDT:USDT at 3x (funding, margin, liquidation checks), ${CHUNKS} × ${size} candles, fresh capital each`,
    value: median(perpRates),
    unit: "candles/s",
    peer: "crypy runBacktest, sma-cross on spot BTC/USDT of the same venue file, same chunks",
    peer_value: median(spotRates),
  });
}

/** The run kept trading: enough trades, the last of them entered near the end of its candles. */
function tradedToTheEnd(result: BacktestResult, candles: CandleSeries): boolean {
  const last = result.trades.at(-1);
  const span = candles.endMs - candles.startMs;
  return (
    result.metrics.trades >= CHUNK_TRADES_AT_LEAST &&
    last !== undefined &&
    last.entryTime >= candles.endMs - LAST_ENTRY_WITHIN * span
  );
}
