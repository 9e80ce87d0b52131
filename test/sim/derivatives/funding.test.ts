import { describe, expect, it } from "vitest";
import {
  averagePremium,
  capFromMaintenance,
  fundingRate,
  impactMarginNotional,
  impactPrice,
  premiumIndex,
  settleFunding,
} from "../../../src/sim/derivatives/funding.js";
import {
  formatMoney,
  formatPrice,
  parseDerivativeMarket,
  priceUnits,
  qtyUnits,
} from "../../../src/sim/derivatives/instrument.js";
import { openPosition } from "../../../src/sim/derivatives/margin.js";
import { formatRate, parseRate } from "../../../src/sim/derivatives/rate.js";
import { BTCUSDT, linearSpec } from "./fixtures.js";

const rate = (text: string) => parseRate(text, "rate");
const p = (text: string) => priceUnits(BTCUSDT, text);
const q = (text: string) => qtyUnits(BTCUSDT, text);
const usdt = (units: bigint) => formatMoney(BTCUSDT, units);
const btcFunding = { ...capFromMaintenance(BTCUSDT, rate("0.75")) };

// Binance, "Introduction to Binance Futures Funding Rates",
// https://www.binance.com/en/support/faq/360033525031 (text as copied into public repositories:
// "Impact Margin Notional (IMN) = 200 USDT / Initial margin rate at maximum leverage level …
// the maximum leverage of BTCUSDT perpetual contract is 125x, and its corresponding Initial Margin
// Rate is 0.8%, then the Impact Margin Notional (IMN) is 25,000 USDT"; "Funding Rate (F) =
// [Average Premium Index (P) + clamp (interest rate − Premium Index (P), 0.05%, −0.05%)] / (8/N)"
// and "as long as the premium index is between −0.04% to 0.06%, the funding rate will equal 0.01%";
// "Floor = −0.75 × Maintenance Margin Ratio, Cap = 0.75 × Maintenance Margin Ratio").
describe("derivatives funding - Binance's published numbers", () => {
  it("funding - BTCUSDT at 125x: IMN = 200 / 0.8 % = 25,000 USDT", () => {
    expect(usdt(impactMarginNotional(BTCUSDT))).toBe("25000");
  });

  it("funding - at 20x (initial margin rate 5 %) IMN = 4,000 USDT", () => {
    // The FAQ's earlier BNBUSDT example: max leverage 20x, IMN = 200 / 5 % = 4,000 USDT.
    const spec = linearSpec("BNB", [
      { notionalFloor: "0", notionalCap: "10000", maxLeverage: 20, maintMarginRatio: "0.025" },
    ]);
    expect(usdt(impactMarginNotional(parseDerivativeMarket(spec)))).toBe("4000");
  });

  it("funding - any premium from −0.04 % to +0.06 % gives the interest rate, 0.01 %", () => {
    for (const premium of ["-0.0004", "-0.0001", "0", "0.0001", "0.0003", "0.0006"]) {
      expect(formatRate(fundingRate(rate(premium), btcFunding))).toBe("0.0001");
    }
  });

  it("funding - outside that band the clamp passes the rest of the premium through", () => {
    // By hand from the formula: P = 0.07 %: 0.07 % + clamp(0.01 % − 0.07 %) = 0.07 − 0.05 = 0.02 %
    expect(formatRate(fundingRate(rate("0.0007"), btcFunding))).toBe("0.0002");
    // P = −0.05 %: −0.05 % + clamp(0.06 %) = −0.05 + 0.05 = 0
    expect(formatRate(fundingRate(rate("-0.0005"), btcFunding))).toBe("0");
    // P = −0.1 %: −0.1 + 0.05 = −0.05 %
    expect(formatRate(fundingRate(rate("-0.001"), btcFunding))).toBe("-0.0005");
  });

  it("funding - BTCUSDT's cap and floor: ±0.75 × 0.4 % = ±0.3 %", () => {
    // 0.75 × 0.004 = 0.003; Binance's fundingInfo shows ±0.3 % for BTCUSDT.
    expect([formatRate(btcFunding.floor), formatRate(btcFunding.cap)]).toEqual(["-0.003", "0.003"]);
    // P = 1 %: 1 % − 0.05 % = 0.95 %, capped at 0.3 %
    expect(formatRate(fundingRate(rate("0.01"), btcFunding))).toBe("0.003");
    expect(formatRate(fundingRate(rate("-0.01"), btcFunding))).toBe("-0.003");
  });

  it("funding - a 4-hour interval takes N/8 of the 8-hour rate", () => {
    // (0 + clamp(0.01 %)) / (8 / 4) = 0.005 %
    const rule = { ...btcFunding, intervalHours: 4 };
    expect(formatRate(fundingRate(0n, rule))).toBe("0.00005");
  });
});

// The stored copies of the funding doc carry no premium or payment worked numbers; these are by
// hand from its formulas (impact price = average fill price of IMN; P = [max(0, impact bid −
// index) − max(0, index − impact ask)] / index; time-weighted average with weights 1..n;
// "Funding Amount = Nominal Value of Positions × Funding Rate", nominal at mark price).
describe("derivatives funding - by hand", () => {
  it("funding - the impact ask is the average price of buying IMN up the book", () => {
    // asks: 0.2 BTC @ 50,000 (10,000 USDT) then 1 BTC @ 50,010; IMN 25,000:
    // 15,000 USDT more at 50,010 buys 15,000 / 50,010 BTC; the average is
    // 25,000 / (0.2 + 15,000/50,010) = 25,000 × 50,010 / (10,002 + 15,000)
    // = 1,250,250,000 / 25,002 = 50,005.99952… → 50,006.00
    const asks = [
      { price: p("50000"), qty: q("0.2") },
      { price: p("50010"), qty: q("1") },
    ];
    const ask = impactPrice(BTCUSDT, asks, impactMarginNotional(BTCUSDT));
    expect(formatPrice(BTCUSDT, ask!)).toBe("50006");
    // a book that cannot absorb IMN has no impact price
    expect(impactPrice(BTCUSDT, asks.slice(0, 1), impactMarginNotional(BTCUSDT))).toBeUndefined();
  });

  it("funding - premium index from the impact prices", () => {
    // bid 50,010 above index 50,000: (10 − 0) / 50,000 = 0.0002
    expect(formatRate(premiumIndex(p("50010"), p("50020"), p("50000")))).toBe("0.0002");
    // ask 49,995 below the index: (0 − 5) / 50,000 = −0.0001
    expect(formatRate(premiumIndex(p("49990"), p("49995"), p("50000")))).toBe("-0.0001");
    // the index inside the impact spread: 0
    expect(premiumIndex(p("49990"), p("50010"), p("50000"))).toBe(0n);
  });

  it("funding - later premium samples weigh more: Σ i × P_i / Σ i", () => {
    // (1 × 0.01 % + 2 × 0.02 % + 3 × 0.04 %) / 6 = 0.17 % / 6 = 0.028333…% → 0.000283333333
    const avg = averagePremium([rate("0.0001"), rate("0.0002"), rate("0.0004")]);
    expect(formatRate(avg)).toBe("0.000283333333");
  });

  it("funding - longs pay shorts notional at mark × rate; a negative rate reverses it", () => {
    // 2 BTC at mark 50,000 = 100,000 USDT × 0.01 % = 10 USDT
    const long = openPosition(BTCUSDT, q("2"), p("48000"));
    const short = openPosition(BTCUSDT, q("-2"), p("51000"));
    const paid = settleFunding([long, short], p("50000"), rate("0.0001"));
    expect(paid.transfers.map((t) => usdt(t.amount))).toEqual(["-10", "10"]);
    expect(paid.residual).toBe(0n);
    const back = settleFunding([long, short], p("50000"), rate("-0.0001"));
    expect(back.transfers.map((t) => usdt(t.amount))).toEqual(["10", "-10"]);
  });

  it("funding - payers round up, receivers down, the remainder to the insurance fund", () => {
    // 0.001 BTC × 12,345.67 = 12.34567 USDT × 0.01 % = 0.001234567: the long pays 0.00123457,
    // the short gets 0.00123456, and 0.00000001 is left for the fund.
    const long = openPosition(BTCUSDT, q("0.001"), p("12000"));
    const short = openPosition(BTCUSDT, q("-0.001"), p("12000"));
    const paid = settleFunding([long, short], p("12345.67"), rate("0.0001"));
    expect(paid.transfers.map((t) => usdt(t.amount))).toEqual(["-0.00123457", "0.00123456"]);
    expect(usdt(paid.residual)).toBe("0.00000001");
  });
});
