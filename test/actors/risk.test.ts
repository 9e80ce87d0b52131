import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RiskGate, type RiskLimits, type RiskOrder, utcDay } from "../../src/actors/desk/risk.js";
import { InvalidInputError, RiskDeniedError } from "../../src/domain/errors.js";
import { parseDecimal } from "../../src/domain/fixed.js";

const DECIMALS = 2;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 15, 12); // noon UTC
const usdt = (text: string) => parseDecimal(text, DECIMALS);

const LIMITS: RiskLimits = {
  maxOrderNotional: "1000",
  maxPositionNotional: "5000",
  maxDailyLoss: "500",
  maxOrdersPerSecond: 3,
};

const gate = (limits: Partial<RiskLimits> = {}) => new RiskGate({ ...LIMITS, ...limits }, DECIMALS);
const buy = (notional: string, market = "BTC/USDT"): RiskOrder => ({
  market,
  side: "buy",
  notional: usdt(notional),
});
const sell = (notional: string, market = "BTC/USDT"): RiskOrder => ({
  ...buy(notional, market),
  side: "sell",
});

/** Fills buys into a position without tripping the per-order limit. */
function fillLong(g: RiskGate, notional: string, market = "BTC/USDT"): void {
  g.recordFill(market, "buy", usdt(notional));
}

function denial(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(RiskDeniedError);
    return (err as Error).message;
  }
  throw new Error("expected a RiskDeniedError, nothing was thrown");
}

describe("risk - limits", () => {
  it("risk - limits are validated once, naming the field", () => {
    expect(() => gate({ maxOrderNotional: "lots" })).toThrow(/'maxOrderNotional'/);
    expect(() => gate({ maxPositionNotional: "0" })).toThrow(
      new InvalidInputError("risk limit 'maxPositionNotional' must be above 0, got 0"),
    );
    expect(() => gate({ maxDailyLoss: "-1" })).toThrow(/'maxDailyLoss' must be 0 or more/);
    expect(() => gate({ maxOrderNotional: "1.001" })).toThrow(/'maxOrderNotional'.*decimals/);
    expect(() => gate({ maxOrdersPerSecond: 0 })).toThrow(/'maxOrdersPerSecond'/);
    expect(() => gate({ maxOrdersPerSecond: 2.5 })).toThrow(InvalidInputError);
    expect(() => new RiskGate(LIMITS, -1)).toThrow(InvalidInputError);
    expect(() => gate({ maxDailyLoss: "0" })).not.toThrow();
  });

  it("risk - order notional: exactly at the limit passes, a cent above is denied", () => {
    const g = gate();
    expect(() => g.check(buy("1000"), T0)).not.toThrow();
    expect(denial(() => g.check(buy("1000.01"), T0))).toBe(
      "order notional 1000.01 USDT is above the desk's limit of 1000 USDT per order",
    );
    expect(denial(() => g.check(sell("1500", "ETH/BTC"), T0))).toBe(
      "order notional 1500 BTC is above the desk's limit of 1000 BTC per order",
    );
  });

  it("risk - the per-order limit holds for reductions too", () => {
    const g = gate();
    fillLong(g, "4000");
    expect(denial(() => g.check(sell("1000.01"), T0))).toMatch(/^order notional/);
  });

  it("risk - rate: the limit's worth of orders per sliding second, not one more", () => {
    const g = gate();
    for (const t of [0, 100, 200]) {
      g.check(buy("1"), T0 + t);
      g.recordOrder(T0 + t);
    }
    expect(denial(() => g.check(buy("1"), T0 + 999))).toBe(
      "3 orders in the last second already reach the desk's limit of 3 orders per second",
    );
    expect(() => g.check(buy("1"), T0 + 1000)).not.toThrow(); // the order at T0 has left the window
    g.recordOrder(T0 + 1000);
    expect(denial(() => g.check(buy("1"), T0 + 1099))).toMatch(/^3 orders/);
    expect(() => g.check(buy("1"), T0 + 1100)).not.toThrow();
  });

  it("risk - rate: denied checks do not count", () => {
    const g = gate({ maxOrdersPerSecond: 1 });
    for (let i = 0; i < 5; i++) expect(() => g.check(buy("2000"), T0)).toThrow(RiskDeniedError);
    expect(() => g.check(buy("1"), T0)).not.toThrow();
  });
});

describe("risk - positions", () => {
  it("risk - fills move the position: buys add, sells subtract, never below 0", () => {
    const g = gate();
    fillLong(g, "300");
    g.recordFill("BTC/USDT", "sell", usdt("100"));
    expect(g.positionOf("BTC/USDT")).toBe(usdt("200"));
    g.recordFill("BTC/USDT", "sell", usdt("900"));
    expect(g.positionOf("BTC/USDT")).toBe(0n);
    expect(g.positionOf("ETH/USDT")).toBe(0n);
    expect(() => g.recordFill("BTC/USDT", "buy", -1n)).toThrow(InvalidInputError);
  });

  it("risk - on a contract a short is a position: sells below flat count toward the limit, buys reduce it", () => {
    const g = gate();
    const perp = "BTC/USDT:USDT";
    g.recordFill(perp, "sell", usdt("4500"));
    expect(g.positionOf(perp)).toBe(-usdt("4500"));
    // Adding to the short is held to the limit; a buy against it is a reduction and passes.
    expect(denial(() => g.check(sell("600", perp), T0))).toMatch(
      /BTC\/USDT:USDT short position would be 5100 USDT, above the desk's limit of 5000 USDT/,
    );
    g.check(sell("500", perp), T0);
    g.check(buy("1000", perp), T0);
    g.recordFill(perp, "buy", usdt("4500"));
    expect(g.positionOf(perp)).toBe(0n);
    // A snapshot keeps the sign.
    g.recordFill(perp, "sell", usdt("10"));
    const restored = gate();
    restored.restore(g.saved());
    expect(restored.positionOf(perp)).toBe(-usdt("10"));
  });

  it("risk - margin usage: at the fraction of the balance passes, beyond it or with no balance known is denied", () => {
    const g = gate({ maxMarginUsage: "0.5" });
    const perp = "BTC/USDT:USDT";
    g.checkMargin(perp, usdt("500"), usdt("1000"));
    expect(denial(() => g.checkMargin(perp, usdt("500.01"), usdt("1000")))).toMatch(
      /margin in use would be 500\.01 USDT, above the desk's limit of 0\.5 of the 1000 USDT balance \(500 USDT\)/,
    );
    expect(denial(() => g.checkMargin(perp, 1n, undefined))).toMatch(/no USDT balance is known/);
    gate().checkMargin(perp, usdt("1000000"), undefined); // no limit: the venue's check only
    for (const bad of ["0", "1.5", "-0.1", "half"]) {
      expect(() => gate({ maxMarginUsage: bad })).toThrow(/'maxMarginUsage' must be a fraction/);
    }
  });

  it("risk - position limit per market: exactly at the limit passes, beyond is denied", () => {
    const g = gate({ maxOrderNotional: "10000" });
    fillLong(g, "4000");
    expect(() => g.check(buy("1000"), T0)).not.toThrow();
    expect(denial(() => g.check(buy("1000.01"), T0))).toBe(
      "BTC/USDT long position would be 5000.01 USDT, above the desk's limit of 5000 USDT per market",
    );
    expect(() => g.check(buy("1000", "ETH/USDT"), T0)).not.toThrow(); // another market
  });

  it("risk - reductions pass even when the position is beyond the limit", () => {
    const g = gate();
    fillLong(g, "7000"); // e.g. limits lowered by a template edit
    expect(() => g.check(buy("0.01"), T0)).toThrow(RiskDeniedError);
    expect(() => g.check(sell("1000"), T0)).not.toThrow();
  });

  it("risk - the part of a sell beyond the long is new exposure, held to the limit", () => {
    const g = gate({ maxOrderNotional: "10000" });
    fillLong(g, "100");
    expect(() => g.check(sell("5100"), T0)).not.toThrow(); // 5000 beyond: at the limit
    expect(denial(() => g.check(sell("5100.01"), T0))).toBe(
      "BTC/USDT short position would be 5000.01 USDT, above the desk's limit of 5000 USDT per market",
    );
  });
});

describe("risk - daily loss", () => {
  it("risk - at the limit passes; beyond it blocks exposure but lets reductions through", () => {
    const g = gate({ maxOrderNotional: "10000" });
    fillLong(g, "2000");
    g.recordPnl(usdt("-300"), utcDay(T0));
    g.recordPnl(usdt("-200"), utcDay(T0));
    expect(g.lossOn(T0)).toBe(usdt("500"));
    expect(() => g.check(buy("100"), T0)).not.toThrow();
    g.recordPnl(usdt("-0.01"), utcDay(T0));
    expect(denial(() => g.check(buy("100"), T0))).toBe(
      "today's loss of 500.01 USDT is above the desk's limit of 500 USDT per day;" +
        " only orders that reduce a position are allowed",
    );
    expect(() => g.check(sell("2000"), T0)).not.toThrow();
    expect(() => g.check(sell("2000.01"), T0)).toThrow(/today's loss/); // the part past flat
  });

  it("risk - profits offset losses within the day", () => {
    const g = gate();
    g.recordPnl(usdt("-800"), utcDay(T0));
    g.recordPnl(usdt("400"), utcDay(T0));
    expect(g.lossOn(T0)).toBe(usdt("400"));
    expect(() => g.check(buy("100"), T0)).not.toThrow();
  });

  it("risk - the loss resets at the UTC day boundary", () => {
    const g = gate();
    g.recordPnl(usdt("-600"), utcDay(T0));
    const midnight = (utcDay(T0) + 1) * DAY;
    expect(() => g.check(buy("100"), midnight - 1)).toThrow(/today's loss of 600 USDT/);
    expect(() => g.check(buy("100"), midnight)).not.toThrow();
    expect(g.lossOn(midnight)).toBe(0n);
    g.recordPnl(usdt("-1000"), utcDay(T0)); // late PnL of a closed day does not count today
    expect(g.lossOn(midnight)).toBe(0n);
    g.recordPnl(usdt("-501"), utcDay(midnight));
    expect(() => g.check(buy("100"), midnight + 5)).toThrow(RiskDeniedError);
  });

  it("risk - recording PnL for a new day starts that day from 0", () => {
    const g = gate();
    g.recordPnl(usdt("-600"), 100);
    g.recordPnl(usdt("-100"), 101);
    expect(g.lossOn(101 * DAY)).toBe(usdt("100"));
  });

  it("risk - marked PnL of open positions counts toward the day's loss", () => {
    const g = gate();
    g.recordPnl(usdt("-300"), utcDay(T0));
    g.markPnl("BTC/USDT", usdt("-150"));
    g.markPnl("ETH/USDT", usdt("-50.01"));
    expect(() => g.check(buy("1"), T0)).toThrow(/today's loss of 500.01 USDT/);
    g.markPnl("ETH/USDT", 0n);
    expect(g.lossOn(T0)).toBe(usdt("450"));
    expect(() => g.check(buy("1"), T0)).not.toThrow();
  });

  it("risk - utcDay counts whole UTC days since the epoch", () => {
    expect(utcDay(0)).toBe(0);
    expect(utcDay(DAY - 1)).toBe(0);
    expect(utcDay(DAY)).toBe(1);
    expect(utcDay(Date.UTC(1970, 0, 2, 23, 59))).toBe(1);
  });
});

describe("risk - properties", () => {
  const step = fc.record({
    market: fc.constantFrom("BTC/USDT", "ETH/USDT"),
    side: fc.constantFrom("buy" as const, "sell" as const),
    notional: fc.bigInt({ min: 1n, max: 300_000n }),
  });

  it("risk - checks deny only with RiskDeniedError, and positions never go below 0", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const g = gate();
        let now = T0;
        for (const order of steps) {
          now += 250;
          try {
            g.check(order, now);
          } catch (err) {
            expect(err).toBeInstanceOf(RiskDeniedError);
            continue;
          }
          g.recordOrder(now);
          g.recordFill(order.market, order.side, order.notional);
          expect(g.positionOf(order.market)).toBeGreaterThanOrEqual(0n);
          expect(g.positionOf(order.market)).toBeLessThanOrEqual(usdt("5000"));
        }
      }),
    );
  });
});
