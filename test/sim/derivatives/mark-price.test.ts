import { describe, expect, it } from "vitest";
import { parseDecimal } from "../../../src/domain/fixed.js";
import {
  capped,
  fundingAdjustedIndex,
  markPrice,
  priceIndex,
  RollingBasis,
} from "../../../src/sim/derivatives/mark-price.js";
import { parseRate } from "../../../src/sim/derivatives/rate.js";

/** Prices at 2 decimals, as USDT prices of BTCUSDT are written. */
const px = (text: string) => parseDecimal(text, 2);
const rate = (text: string) => parseRate(text, "rate");
const HOUR = 3_600_000;

// Binance's price-index protections (Binance support FAQ, stored as the mirror
// https://bbapi.viigoo.eu.org/en/support/faq/detail/66607f4c63e748568f503fcbd8f08965 of
// binance.com/en/support/faq/detail/66607f4c63e748568f503fcbd8f08965): a source more than 3 % from
// the median of all sources is capped at 1.03 or 0.97 × the median — "if the median price … is
// 20,000 USDT and the price deviates by +7%, it will be capped at 20,600 USDT … if the deviation is
// -6%, the accounted value will be 19,400 USDT"; the BTC and ETH indexes use 1 %.
describe("derivatives price index - Binance's deviation cap", () => {
  it("index - +7 % from a 20,000 median counts as 20,600; −6 % as 19,400", () => {
    expect(capped(px("21400"), px("20000"), rate("0.03"))).toBe(px("20600"));
    expect(capped(px("18800"), px("20000"), rate("0.03"))).toBe(px("19400"));
    // and inside the band a source counts as it is
    expect(capped(px("20500"), px("20000"), rate("0.03"))).toBe(px("20500"));
  });

  it("index - the capped sources enter the weighted average", () => {
    // Sources 20,000 / 21,400 / 18,800 (median 20,000), equal weights, 3 % cap:
    // (20,000 + 20,600 + 19,400) / 3 = 60,000 / 3 = 20,000
    const sources = [px("20000"), px("21400"), px("18800")].map((price) => ({ price, weight: 1n }));
    expect(priceIndex(sources, rate("0.03"))).toBe(px("20000"));
    // BTC's 1 % cap: (20,000 + 20,200 + 19,800) / 3 = 20,000; with no cap: 60,200 / 3 = 20,066.67
    expect(priceIndex(sources, rate("0.01"))).toBe(px("20000"));
    expect(priceIndex(sources)).toBe(px("20066.67"));
  });

  it("index - weights are relative: Σ w × p / Σ w, rounded half-even once", () => {
    // By hand: weights 50 / 30 / 20 on 100.00 / 101.00 / 99.00:
    // (5,000 + 3,030 + 1,980) / 100 = 10,010 / 100 = 100.10
    const index = priceIndex([
      { price: px("100"), weight: 50n },
      { price: px("101"), weight: 30n },
      { price: px("99"), weight: 20n },
    ]);
    expect(index).toBe(px("100.1"));
    expect(() => priceIndex([])).toThrow(/no live sources/);
    expect(() => priceIndex([{ price: px("1"), weight: 0n }])).toThrow(/source 0 has weight ≤ 0/);
  });
});

// Binance, "What Are Mark Price and Price Index in USDⓈ-Margined Futures?",
// https://www.binance.com/en/support/faq/360033525071: mark = median(price 1, price 2, last price),
// price 1 = index × (1 + last funding rate × time until funding / 8 h), price 2 = index + the 5-min
// moving average of (bid1 + ask1)/2 − index. Its median rule, as Binance's COIN-M page words it
// (https://www.binance.com/en/support/faq/fff6ec1b3f5845d19f1fb924644a0877): "If Price 1 < Price 2
// < Contract Price, then Price 2 will be the Mark Price". The stored copies carry no USDⓈ-M worked
// numbers, so the figures below are by hand.
describe("derivatives mark price - by Binance's rule", () => {
  it("mark - price 1 carries the index by the funding still to accrue", () => {
    // 50,000 × (1 + 0.0001 × 4 h / 8 h) = 50,000 × 1.00005 = 50,002.50
    expect(fundingAdjustedIndex(px("50000"), rate("0.0001"), 4 * HOUR, 8 * HOUR)).toBe(
      px("50002.5"),
    );
    // at the funding time itself nothing is left to accrue
    expect(fundingAdjustedIndex(px("50000"), rate("0.0001"), 0, 8 * HOUR)).toBe(px("50000"));
    expect(() => fundingAdjustedIndex(px("1"), 0n, 9 * HOUR, 8 * HOUR)).toThrow(/longer than/);
  });

  it("mark - the basis average keeps only its window, half-units exact until it rounds", () => {
    const basis = new RollingBasis(3);
    expect(basis.average()).toBeUndefined();
    // (bid + ask)/2 − index: (100.00 + 100.01)/2 − 100.00 = 0.005; then 0.02, then 0.04
    basis.push({ bid: px("100"), ask: px("100.01"), index: px("100") });
    basis.push({ bid: px("100.01"), ask: px("100.03"), index: px("100") });
    basis.push({ bid: px("100.03"), ask: px("100.05"), index: px("100") });
    // (0.005 + 0.02 + 0.04) / 3 = 0.021666… → 0.02
    expect(basis.average()).toBe(px("0.02"));
    // a fourth sample pushes out the first: (0.02 + 0.04 + 0.065) / 3 = 0.041666… → 0.04
    basis.push({ bid: px("100.06"), ask: px("100.07"), index: px("100") });
    expect([basis.count, basis.average()]).toEqual([3, px("0.04")]);
  });

  it("mark - the median of three: price 1 < price 2 < last price gives price 2", () => {
    // index 50,000; price 1 = 50,002.50 (above); basis +5 → price 2 = 50,005; last 50,010
    const inputs = {
      index: px("50000"),
      lastFundingRate: rate("0.0001"),
      msUntilFunding: 4 * HOUR,
      fundingIntervalMs: 8 * HOUR,
      basisAverage: px("5"),
      lastPrice: px("50010"),
    };
    expect(markPrice(inputs)).toBe(px("50005"));
    // a last-price spike to 60,000 moves nothing; a crash to 49,000 leaves price 1 in the middle
    expect(markPrice({ ...inputs, lastPrice: px("60000") })).toBe(px("50005"));
    expect(markPrice({ ...inputs, lastPrice: px("49000") })).toBe(px("50002.5"));
  });
});
