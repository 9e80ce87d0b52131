/**
 * A market order's protective price follows the slippage cap it is given, order by order: the
 * exposure keeps the last cap it read, and must read a changed one again.
 */
import { describe, expect, it } from "vitest";
import { SpotExposure } from "../../src/actors/desk/gateway/exposure.js";
import { parseIncrement } from "../../src/domain/fixed.js";
import type { Ticker } from "../../src/domain/market-data.js";

const exposure = new SpotExposure({
  symbol: "BTC/USDT",
  base: "BTC",
  quote: "USDT",
  baseScale: 8,
  quoteScale: 2,
  tick: parseIncrement("0.01"),
  taker: "0.001",
});
const ticker = { ask: "100", bid: "99", last: "99.5" } as Ticker;
const buy = { side: "buy" as const, type: "market" as const, amount: 100_000_000n };
const sell = { side: "sell" as const, type: "market" as const, amount: 100_000_000n };

describe("exposure - slippage", () => {
  it("exposure - each market order is bounded by the cap it comes with, when the cap changes", () => {
    expect(exposure.price(buy, ticker, "0.01").price).toBe("101");
    expect(exposure.price(buy, ticker, "0.02").price).toBe("102");
    expect(exposure.price(sell, ticker, "0.02").price).toBe("97.02");
    expect(exposure.price(buy, ticker, "0.01").price).toBe("101");
    expect(exposure.price(buy, ticker, "0.01").notional).toBe(10_100n);
  });

  it("exposure - a bad cap is refused every time, not only the first", () => {
    expect(() => exposure.price(buy, ticker, "1.5")).toThrow(/slippage cap 1.5 must be/);
    expect(exposure.price(buy, ticker, "0.01").price).toBe("101");
    expect(() => exposure.price(buy, ticker, "1.5")).toThrow(/slippage cap 1.5 must be/);
    expect(() => exposure.price(buy, ticker, "x")).toThrow(/slippage cap "x"/);
  });
});
