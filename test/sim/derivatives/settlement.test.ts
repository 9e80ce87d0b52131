import { describe, expect, it } from "vitest";
import {
  formatMoney,
  parseDerivativeMarket,
  priceUnits,
  qtyUnits,
} from "../../../src/sim/derivatives/instrument.js";
import { openPosition } from "../../../src/sim/derivatives/margin.js";
import { deliver, settlementPrice } from "../../../src/sim/derivatives/settlement.js";
import { BTCUSDT, BTCUSDT_BRACKETS, linearSpec } from "./fixtures.js";

const EXPIRY = Date.UTC(2025, 2, 28, 8);
const QUARTERLY = parseDerivativeMarket({
  ...linearSpec("BTC", BTCUSDT_BRACKETS),
  symbol: "BTC/USDT:USDT-250328",
  kind: "delivery",
  expiry: EXPIRY,
});
const p = (text: string) => priceUnits(QUARTERLY, text);

// Binance's announcement of 2024-11-04 (reported by ChainCatcher,
// https://www.chaincatcher.com/en/article/2150246): from 2024-11-11 a delivery contract settles at
// "the average of the price index every second for the last 30 minutes before delivery … totaling
// 1,800 price indices" (before: the last hour, 3,600). See also Binance's COIN-M page
// "Delivery & Settlement of Quarterly Futures",
// https://www.binance.com/en/support/faq/a3401595e1734084959c61491bc0dbe3.
// No worked numbers are published; the examples are by hand.
describe("derivatives settlement - the 30-minute index average", () => {
  it("settlement - the mean of 1,800 per-second index samples", () => {
    // 900 samples at 60,000.00 and 900 at 60,001.00: (900 × 60,000 + 900 × 60,001) / 1,800
    // = 60,000.50 exactly
    const samples = [...Array(900).fill(p("60000")), ...Array(900).fill(p("60001"))];
    expect(settlementPrice(samples)).toBe(p("60000.5"));
    // one sample at 60,000.01 and 1,799 at 60,000.00: 60,000 + 0.01/1,800 → 60,000.00 (half-even)
    expect(settlementPrice([p("60000.01"), ...Array(1799).fill(p("60000"))])).toBe(p("60000"));
  });

  it("settlement - a window with a sample missing or extra is refused", () => {
    expect(() => settlementPrice(Array(1799).fill(p("1")))).toThrow(
      /1799 index samples given, the window has 1800/,
    );
    expect(settlementPrice(Array(3600).fill(p("2")), 3600)).toBe(p("2")); // the pre-2024 rule
  });

  it("settlement - open positions close at the settlement price, PnL exact", () => {
    // long 1.5 @ 60,000 settled at 61,000.50: 1.5 × 1,000.50 = 1,500.75; the short loses as much
    const long = openPosition(QUARTERLY, qtyUnits(QUARTERLY, "1.5"), p("60000"));
    const short = openPosition(QUARTERLY, qtyUnits(QUARTERLY, "-1.5"), p("60000"));
    const done = deliver([long, short], p("61000.5"), EXPIRY);
    expect(done.map((d) => formatMoney(QUARTERLY, d.pnl))).toEqual(["1500.75", "-1500.75"]);
  });

  it("settlement - only a delivery contract, at its expiry", () => {
    const pos = openPosition(QUARTERLY, 1n, p("60000"));
    expect(() => deliver([pos], p("60000"), EXPIRY - 1)).toThrow(/expires at/);
    const perp = openPosition(BTCUSDT, 1n, priceUnits(BTCUSDT, "60000"));
    expect(() => deliver([perp], p("60000"), EXPIRY)).toThrow(/is perpetual/);
  });
});
