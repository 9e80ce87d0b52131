import { describe, expect, it } from "vitest";
import { InvalidInputError, NotSupportedError } from "../../../src/domain/errors.js";
import { bracketFor, parseBrackets } from "../../../src/sim/derivatives/brackets.js";
import {
  deliverySymbol,
  formatMoney,
  moneyUnits,
  notional,
  parseDerivativeMarket,
  priceUnits,
  qtyUnits,
} from "../../../src/sim/derivatives/instrument.js";
import { parseRate } from "../../../src/sim/derivatives/rate.js";
import { BTCUSDT, BTCUSDT_BRACKETS, ETHUSDT_BRACKETS, linearSpec } from "./fixtures.js";

// Worked numbers: Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
// https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 (BTCUSDT table).
describe("derivatives brackets - Binance's published tables", () => {
  it("brackets - the BTCUSDT table's published maintenance amounts are what the tiers give", () => {
    // Parsing checks every published cum against cum_k = cum_{k−1} + floor_k × (mmr_k − mmr_{k−1}).
    const withCum = parseBrackets(BTCUSDT_BRACKETS, 8);
    const withoutCum = parseBrackets(
      BTCUSDT_BRACKETS.map(({ maintAmount: _, ...rest }) => rest),
      8,
    );
    expect(withoutCum.map((b) => formatMoney(BTCUSDT, b.maintAmount))).toEqual([
      "0",
      "50",
      "1300",
      "16300",
      "266300",
      "1266300",
      "2516300",
      "5016300",
      "25016300",
      "100016300",
    ]);
    expect(withoutCum).toEqual(withCum);
  });

  it("brackets - the FAQ's level 3: 250,000 × (1 % − 0.5 %) + 50 = 1,300 USDT", () => {
    const [, , level3] = parseBrackets(BTCUSDT_BRACKETS.slice(0, 3), 8);
    expect(formatMoney(BTCUSDT, level3!.maintAmount)).toBe("1300");
  });

  it("brackets - the FAQ's lookups: 264,000 USDT → rate 1 %; 500,000 USDT → amount 1,300", () => {
    const at264k = bracketFor(BTCUSDT.brackets, moneyUnits(BTCUSDT, "264000"));
    expect(at264k.maintMarginRatio).toBe(parseRate("0.01", "mmr"));
    const at500k = bracketFor(BTCUSDT.brackets, moneyUnits(BTCUSDT, "500000"));
    expect(formatMoney(BTCUSDT, at500k.maintAmount)).toBe("1300");
  });

  it("brackets - the ETHUSDT table (2021) is consistent too", () => {
    const eth = parseBrackets(ETHUSDT_BRACKETS, 8);
    expect(eth[5]!.maintAmount).toBe(moneyUnits(BTCUSDT, "135365"));
  });

  it("brackets - a position at a cap is in the lower bracket: floor < notional ≤ cap", () => {
    expect(bracketFor(BTCUSDT.brackets, 0n).bracket).toBe(1);
    expect(bracketFor(BTCUSDT.brackets, moneyUnits(BTCUSDT, "50000")).bracket).toBe(1);
    expect(bracketFor(BTCUSDT.brackets, moneyUnits(BTCUSDT, "50000.00000001")).bracket).toBe(2);
    expect(() => bracketFor(BTCUSDT.brackets, moneyUnits(BTCUSDT, "500000001"))).toThrow(
      /beyond the last bracket's cap/,
    );
  });

  it("brackets - maintenance margin is continuous at every floor (what cum is for)", () => {
    for (const [i, b] of BTCUSDT.brackets.entries()) {
      const prev = BTCUSDT.brackets[i - 1];
      if (prev === undefined) continue;
      const f = b.notionalFloor;
      expect(f * prev.maintMarginRatio - prev.maintAmount * 10n ** 12n).toBe(
        f * b.maintMarginRatio - b.maintAmount * 10n ** 12n,
      );
    }
  });

  it("brackets - a wrong published cum, a gap or a falling rate is refused, naming the bracket", () => {
    const wrong = BTCUSDT_BRACKETS.map((b, i) => (i === 2 ? { ...b, maintAmount: "1250" } : b));
    expect(() => parseBrackets(wrong, 8)).toThrow(/leverage bracket 3: maintAmount 1250 disagrees/);
    const gap = BTCUSDT_BRACKETS.map((b, i) => (i === 1 ? { ...b, notionalFloor: "60000" } : b));
    expect(() => parseBrackets(gap, 8)).toThrow(/leverage bracket 2: notionalFloor must equal/);
    const falling = BTCUSDT_BRACKETS.map((b, i) =>
      i === 1 ? { ...b, maintMarginRatio: "0.003", maintAmount: undefined } : b,
    );
    expect(() =>
      parseBrackets(
        falling.map(({ maintAmount, ...rest }) =>
          maintAmount === undefined ? rest : { ...rest, maintAmount },
        ),
        8,
      ),
    ).toThrow(/leverage bracket 2: maintMarginRatio is below/);
    expect(() => parseBrackets([], 8)).toThrow(InvalidInputError);
  });
});

describe("derivatives instrument - ccxt symbols and exact units", () => {
  it("instrument - delivery symbols carry the expiry's UTC date, as ccxt writes them", () => {
    const expiry = Date.UTC(2025, 2, 28, 8); // 2025-03-28 08:00 UTC, Binance's delivery time
    expect(deliverySymbol("BTC", "USDT", "USDT", expiry)).toBe("BTC/USDT:USDT-250328");
    const spec = {
      ...linearSpec("BTC", BTCUSDT_BRACKETS),
      symbol: "BTC/USDT:USDT-250328",
      kind: "delivery" as const,
      expiry,
    };
    expect(parseDerivativeMarket(spec).expiry).toBe(expiry);
    expect(() => parseDerivativeMarket({ ...spec, symbol: "BTC/USDT:USDT-250627" })).toThrow(
      /symbol date 250627 is not the expiry's UTC day 250328/,
    );
    const { expiry: _, ...noExpiry } = spec;
    expect(() => parseDerivativeMarket(noExpiry)).toThrow(/needs an expiry/);
    expect(() => parseDerivativeMarket({ ...linearSpec("BTC", BTCUSDT_BRACKETS), expiry })).toThrow(
      /a perpetual has no expiry/,
    );
  });

  it("instrument - symbol, settle currency and linearity must agree", () => {
    const spec = linearSpec("BTC", BTCUSDT_BRACKETS);
    expect(() => parseDerivativeMarket({ ...spec, symbol: "BTCUSDT" })).toThrow(/BASE\/QUOTE/);
    expect(() => parseDerivativeMarket({ ...spec, symbol: "ETH/USDT:USDT" })).toThrow(/disagrees/);
    expect(() => parseDerivativeMarket({ ...spec, linear: false })).toThrow(
      /an inverse contract settles in its base/,
    );
  });

  it("instrument - notional is exact, or the market is refused", () => {
    // 109.488 BTC × 32,481.98 = 3,556,387.02624 USDT (Binance FAQ example's BTC entry notional)
    const n = notional(BTCUSDT, qtyUnits(BTCUSDT, "109.488"), priceUnits(BTCUSDT, "32481.98"));
    expect(formatMoney(BTCUSDT, n)).toBe("3556387.02624");
    expect(() =>
      parseDerivativeMarket({ ...linearSpec("BTC", BTCUSDT_BRACKETS), settleDecimals: 4 }),
    ).toThrow(/need 5 decimals for an exact notional/);
    expect(() => priceUnits(BTCUSDT, "1.005")).toThrow(InvalidInputError);
  });

  it("instrument - inverse contracts fit the shape but are not computed yet", () => {
    const inverse = parseDerivativeMarket({
      ...linearSpec("BTC", BTCUSDT_BRACKETS),
      symbol: "BTC/USD:BTC",
      quote: "USD",
      settle: "BTC",
      linear: false,
      contractSize: "100",
      lotSize: "1",
    });
    expect(() => notional(inverse, 1n, 100n)).toThrow(NotSupportedError);
  });
});
