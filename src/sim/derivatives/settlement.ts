/**
 * Delivery settlement of a delivery (quarterly) contract, by Binance's delivery rules.
 *
 * Rules:
 * - The settlement price is the arithmetic mean of the price index sampled once a second over the
 *   last 30 minutes before delivery: 1,800 samples (Binance since 2024-11-11; before that, the
 *   last hour, 3,600 samples). The caller gives exactly the window's samples, oldest first; a
 *   missing or extra sample is an error naming both counts, since the mean would silently shift.
 * - The mean rounds once, half-even, to the samples' price scale.
 * - At delivery every open position closes at the settlement price: its PnL is the unrealised PnL
 *   at that price (long: notional at settlement − entry notional; short: the reverse), exact in
 *   settle units, and the market trades no more.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { mulDiv } from "../../domain/fixed.js";
import { type Position, unrealizedPnl } from "./margin.js";

export const SETTLEMENT_WINDOW_SAMPLES = 1800;

export function settlementPrice(
  indexSamples: readonly bigint[],
  expected = SETTLEMENT_WINDOW_SAMPLES,
): bigint {
  if (indexSamples.length !== expected) {
    throw new InvalidInputError(
      `settlement price: ${indexSamples.length} index samples given, the window has ${expected}`,
    );
  }
  let sum = 0n;
  for (const sample of indexSamples) {
    if (sample <= 0n) throw new InvalidInputError(`settlement price: index sample ${sample} ≤ 0`);
    sum += sample;
  }
  return mulDiv(sum, 1n, BigInt(expected), "half-even");
}

export interface Delivery {
  position: Position;
  /** Realised PnL at the settlement price, settle units. */
  pnl: bigint;
}

/** Closes each position at the settlement price; `at` must be the market's expiry. */
export function deliver(positions: readonly Position[], price: bigint, at: number): Delivery[] {
  return positions.map((position) => {
    const { market } = position;
    if (market.kind !== "delivery" || market.expiry !== at) {
      throw new InvalidInputError(
        `${market.symbol}: delivery at ${at} but the contract ${
          market.kind === "delivery" ? `expires at ${market.expiry}` : "is perpetual"
        }`,
      );
    }
    return { position, pnl: unrealizedPnl(position, price) };
  });
}
