/**
 * The venue a backtest runs on: the chosen venue file's rules for one market (tick, lot, fees,
 * order types, liquidity, latency), one account holding the starting capital, no faults (a
 * backtest measures the strategy, not the network) and no rate limit.
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
  const decimals = venue.assets[spec.quote]!.decimals;
  let units: bigint;
  try {
    units = parseDecimal(capital, decimals);
  } catch {
    throw new InvalidInputError(
      `capital must be a positive decimal with at most ${decimals} decimals of ${spec.quote}, got ${JSON.stringify(capital)}`,
    );
  }
  if (units <= 0n) throw new InvalidInputError(`capital must be positive, got ${capital}`);
  return {
    ...venue,
    markets: { [market]: spec },
    accounts: { [account]: { [spec.quote]: { value: capital, units } } },
    faults: {
      rejectProbability: 0,
      lostReplies: { probability: 0, as: "drop" },
      disconnects: [],
      staleData: [],
    },
  };
}
