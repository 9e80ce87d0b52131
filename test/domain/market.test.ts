import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import {
  type MarketId,
  marketFromToken,
  marketToken,
  parseMarket,
} from "../../src/domain/market.js";

const cases: { symbol: string; token: string; id: MarketId }[] = [
  {
    symbol: "BTC/USDT",
    token: "BTC-USDT",
    id: { symbol: "BTC/USDT", base: "BTC", quote: "USDT", kind: "spot" },
  },
  {
    symbol: "BTC/USDT:USDT",
    token: "BTC-USDT-PERP",
    id: { symbol: "BTC/USDT:USDT", base: "BTC", quote: "USDT", settle: "USDT", kind: "perpetual" },
  },
  {
    symbol: "BTC/USDT:USDT-250328",
    token: "BTC-USDT-250328",
    id: {
      symbol: "BTC/USDT:USDT-250328",
      base: "BTC",
      quote: "USDT",
      settle: "USDT",
      kind: "delivery",
      expiry: "250328",
    },
  },
  {
    symbol: "BTC/USD:BTC",
    token: "BTC-USD-PERP-BTC",
    id: { symbol: "BTC/USD:BTC", base: "BTC", quote: "USD", settle: "BTC", kind: "perpetual" },
  },
  {
    symbol: "BTC/USD:BTC-250328",
    token: "BTC-USD-250328-BTC",
    id: {
      symbol: "BTC/USD:BTC-250328",
      base: "BTC",
      quote: "USD",
      settle: "BTC",
      kind: "delivery",
      expiry: "250328",
    },
  },
  {
    symbol: "1000SHIB/USDT",
    token: "1000SHIB-USDT",
    id: { symbol: "1000SHIB/USDT", base: "1000SHIB", quote: "USDT", kind: "spot" },
  },
  {
    symbol: "PERP/USDT:PERP",
    token: "PERP-USDT-PERP-PERP",
    id: {
      symbol: "PERP/USDT:PERP",
      base: "PERP",
      quote: "USDT",
      settle: "PERP",
      kind: "perpetual",
    },
  },
];

function expectInvalid(run: () => unknown, ...fragments: string[]): void {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InvalidInputError);
  for (const fragment of fragments) expect((thrown as Error).message).toContain(fragment);
}

describe("market", () => {
  for (const { symbol, token, id } of cases) {
    it(`market - ${symbol} parses into its parts`, () => {
      expect(parseMarket(symbol)).toStrictEqual(id);
    });
    it(`market - ${symbol} ↔ ${token} round-trips`, () => {
      expect(marketToken(symbol)).toBe(token);
      expect(marketToken(id)).toBe(token);
      expect(marketFromToken(token)).toStrictEqual(id);
    });
  }

  it("market - tokens use only the subject alphabet", () => {
    for (const { token } of cases) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("market - a leap day is a real expiry, the 29th of February otherwise is not", () => {
    expect(parseMarket("BTC/USDT:USDT-240229").expiry).toBe("240229");
    expect(parseMarket("BTC/USDT:USDT-000229").expiry).toBe("000229");
    expectInvalid(() => parseMarket("BTC/USDT:USDT-250229"), "250229", "not a real date");
  });

  it("market - any valid symbol round-trips through its token", () => {
    const asset = fc.stringMatching(/^[A-Z0-9]{1,20}$/);
    const expiry = fc
      .record({
        yy: fc.integer({ min: 0, max: 99 }),
        mm: fc.integer({ min: 1, max: 12 }),
        dd: fc.integer({ min: 1, max: 28 }),
      })
      .map(({ yy, mm, dd }) => [yy, mm, dd].map((n) => String(n).padStart(2, "0")).join(""));
    const symbol = fc.oneof(
      fc.tuple(asset, asset).map(([b, q]) => `${b}/${q}`),
      fc.tuple(asset, asset, asset).map(([b, q, s]) => `${b}/${q}:${s}`),
      fc.tuple(asset, asset, asset, expiry).map(([b, q, s, e]) => `${b}/${q}:${s}-${e}`),
    );
    fc.assert(
      fc.property(symbol, (s) => {
        const token = marketToken(s);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(marketFromToken(token)).toStrictEqual(parseMarket(s));
        expect(marketToken(marketFromToken(token))).toBe(token);
      }),
    );
  });

  const badSymbols: [string, string][] = [
    ["", "expected"],
    ["BTCUSDT", "expected"],
    ["BTC-USDT", "expected"],
    ["btc/usdt", 'must be uppercase ("BTC")'],
    ["BTC/usdt", 'quote asset "usdt" must be uppercase'],
    ["BTC/USDT:usdt", 'settle asset "usdt" must be uppercase'],
    ["/USDT", "base asset is empty"],
    ["BTC/", "quote asset is empty"],
    ["BTC/USDT:", "settle asset is empty"],
    ["BTC/USDT ", "must match [A-Z0-9]{1,20}"],
    [" BTC/USDT", "must match [A-Z0-9]{1,20}"],
    ["BTC/US.DT", "must match [A-Z0-9]{1,20}"],
    ["BTC/USDT/ETH", "must match [A-Z0-9]{1,20}"],
    ["ABCDEFGHIJKLMNOPQRSTU/USDT", "must match [A-Z0-9]{1,20}"],
    ["BTC/USDT:USDT-", "must be YYMMDD"],
    ["BTC/USDT:USDT-2503", "must be YYMMDD"],
    ["BTC/USDT:USDT-20250328", "must be YYMMDD"],
    ["BTC/USDT:USDT-251301", "not a real date"],
    ["BTC/USDT:USDT-250001", "not a real date"],
    ["BTC/USDT:USDT-250230", "not a real date"],
    ["BTC/USDT:USDT-250431", "not a real date"],
    ["BTC/USDT:USDT-250300", "not a real date"],
    ["BTC/USDT:USDT-250328-40000-C", "options"],
  ];
  for (const [symbol, why] of badSymbols) {
    it(`market - symbol ${JSON.stringify(symbol)} is rejected naming it`, () => {
      expectInvalid(() => parseMarket(symbol), `"${symbol}"`, why);
      expectInvalid(() => marketToken(symbol), `"${symbol}"`, why);
    });
  }

  const badTokens: [string, string][] = [
    ["", "expected"],
    ["BTC", "expected"],
    ["BTC-USDT-PERP-BTC-X", "expected"],
    ["BTC/USDT", "expected"],
    ["btc-usdt", "must be uppercase"],
    ["BTC--USDT", "quote asset is empty"],
    ["BTC-USDT-", "must be YYMMDD"],
    ["BTC-USDT-perp", "must be YYMMDD"],
    ["BTC-USDT-WEEK", "must be YYMMDD"],
    ["BTC-USDT-250230", "not a real date"],
    ["BTC-USDT-PERP-USDT", "equals the quote"],
    ["BTC-USDT-250328-USDT", "equals the quote"],
    ["BTC-USD-PERP-", "settle asset is empty"],
    ["BTC_X-USDT", "must match [A-Z0-9]{1,20}"],
    ["BTC.USDT", "expected"],
  ];
  for (const [token, why] of badTokens) {
    it(`market - token ${JSON.stringify(token)} is rejected naming it`, () => {
      expectInvalid(() => marketFromToken(token), `"${token}"`, why);
    });
  }

  it("market - a non-string symbol or token is rejected, not coerced", () => {
    expectInvalid(() => parseMarket(42 as unknown as string), "not a string");
    expectInvalid(() => marketFromToken(null as unknown as string), "not a string");
  });

  it("market - a MarketId whose fields disagree with its symbol is rejected", () => {
    const id: MarketId = { symbol: "BTC/USDT", base: "ETH", quote: "USDT", kind: "spot" };
    expectInvalid(() => marketToken(id), "disagree", '"BTC/USDT"');
    const perp: MarketId = { symbol: "BTC/USDT:USDT", base: "BTC", quote: "USDT", kind: "spot" };
    expectInvalid(() => marketToken(perp), "disagree");
  });
});
