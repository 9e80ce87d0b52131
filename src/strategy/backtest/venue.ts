/**
 * The venue a backtest runs on: the chosen venue file's rules for one market (tick, lot, fees,
 * order types, liquidity, latency), one account holding the starting capital, no faults (a
 * backtest measures the strategy, not the network) and no rate limit.
 *
 * A contract market keeps its index market too, listed first (the simulator breaks time ties in
 * venue-file order, so the index has moved before the contract's mark is taken), and the capital
 * is in its settle asset.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { parseDecimal } from "../../domain/fixed.js";
import type { VenueConfig } from "../../sim/config/types.js";

export function backtestVenue(
  venue: VenueConfig,
  market: string,
  account: string,
  capital: string,
): VenueConfig {
  const spec = venue.markets[market];
  if (spec === undefined) {
    throw new InvalidInputError(
      `${market} is not a market of ${venue.file} (markets: ${Object.keys(venue.markets).join(", ")}); add it there or pick another venue file`,
    );
  }
  const contract = spec.contract;
  const asset = contract === undefined ? spec.quote : contract.spec.settle;
  const index = contract === undefined ? undefined : venue.markets[contract.index];
  if (contract !== undefined && index === undefined) {
    throw new InvalidInputError(
      `${market}'s index market ${contract.index} is not a market of ${venue.file}`,
    );
  }
  const decimals = venue.assets[asset]!.decimals;
  let units: bigint;
  try {
    units = parseDecimal(capital, decimals);
  } catch {
    throw new InvalidInputError(
      `capital must be a positive decimal with at most ${decimals} decimals of ${asset}, got ${JSON.stringify(capital)}`,
    );
  }
  if (units <= 0n) throw new InvalidInputError(`capital must be positive, got ${capital}`);
  return {
    ...venue,
    markets: index === undefined ? { [market]: spec } : { [index.symbol]: index, [market]: spec },
    accounts: { [account]: { [asset]: { value: capital, units } } },
    faults: {
      rejectProbability: 0,
      lostReplies: { probability: 0, as: "drop" },
      disconnects: [],
      staleData: [],
      streams: { skipDepthProbability: 0, duplicateProbability: 0, dropConnectionEvery: 0 },
    },
  };
}
