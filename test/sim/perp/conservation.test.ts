/**
 * Random order flow on a perpetual and a delivery contract against a random price path (with
 * gaps), checking after every step: no USDT created or destroyed (accounts, makers, fees,
 * insurance fund), no negative balance, and every locked amount accounted for by open orders'
 * reservations plus positions' margin. The insurance fund is either large or nearly empty, so
 * gaps through bankruptcy prices are paid by it or auto-deleveraged (adl.ts); the delivery
 * contract expires inside the path, so its positions settle (delivery.ts) and it closes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CrypyError, InternalError } from "../../../src/domain/errors.js";
import { type Bar, MINUTE, T0 } from "../exchange-support.js";
import { checkPerp, DELIVERY, DELIVERY_VENUE, makePerpSim, PERP } from "./perp-support.js";

const ACCOUNTS = ["alice", "bob", "carol"] as const;
/** The delivery contract expires at 00:06, inside every path (8 to 20 one-minute bars). */
const EXPIRY = T0 + 6 * MINUTE;

function venue(fund: string): string {
  const edits: [string, string][] = [
    ['expiry: "2024-01-01T00:40:00Z"', 'expiry: "2024-01-01T00:06:00Z"'],
    ['insuranceFund: { USDT: "1000" }', `insuranceFund: { USDT: "${fund}" }`],
    ['bob: { USDT: "1000" }', 'bob: { USDT: "1000" }\n  carol: { USDT: "1000" }'],
  ];
  return edits.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`venue has no ${from}`);
    return text.replace(from, to);
  }, DELIVERY_VENUE);
}

const barsArb = fc
  .array(fc.integer({ min: -1500, max: 1500 }), { minLength: 8, maxLength: 20 })
  .map((steps) => {
    let price = 10_000; // ticks of 0.01
    return steps.map((step): Bar => {
      const open = price;
      price = Math.max(2_000, Math.min(30_000, price + step)); // gaps of up to 15 %
      return [open / 100, Math.max(open, price) / 100, Math.min(open, price) / 100, price / 100];
    });
  });

const opArb = fc.record({
  at: fc.integer({ min: 0, max: 8 }),
  symbol: fc.constantFrom(PERP, PERP, DELIVERY),
  account: fc.constantFrom(...ACCOUNTS),
  kind: fc.constantFrom(
    "market",
    "market",
    "limit",
    "limit",
    "stop_market",
    "cancel",
    "leverage",
    "mode",
  ),
  side: fc.constantFrom("buy", "sell"),
  lots: fc.integer({ min: 10, max: 20_000 }),
  offset: fc.integer({ min: -300, max: 300 }),
  reduceOnly: fc.constantFrom(false, false, false, true),
  isolated: fc.boolean(),
  leverage: fc.integer({ min: 1, max: 50 }),
  pick: fc.nat(),
});

/**
 * Each account's margin mode, leverage and opening position on each contract before the flow
 * starts: longs and shorts alternate, so a liquidation usually has opposite positions to
 * deleverage.
 */
const setupArb = fc.array(
  fc.record({
    isolated: fc.boolean(),
    leverage: fc.integer({ min: 2, max: 20 }),
    lots: fc.integer({ min: 0, max: 5_000 }),
  }),
  { minLength: ACCOUNTS.length * 2, maxLength: ACCOUNTS.length * 2 },
);

describe("sim perp - invariants under random order flow", () => {
  it("sim perp - money is conserved and nothing goes negative, through liquidations, auto-deleveraging and delivery", async () => {
    // What the runs went through, so the property is known to reach ADL and delivery (each
    // happens dozens of times in 120 runs).
    const seen = { liquidated: 0, adl: 0, delivered: 0 };
    await fc.assert(
      fc.asyncProperty(
        barsArb,
        fc.array(opArb, { minLength: 1, maxLength: 50 }),
        fc.constantFrom("1000", "1", "0"),
        setupArb,
        async (bars, ops, fund, setup) => {
          const { sim, clock, advance } = makePerpSim(bars, venue(fund));
          await advance(0);
          const total = sim.exchange.ledger.total("USDT");
          setup.forEach(({ isolated, leverage, lots }, i) => {
            const account = ACCOUNTS[i % ACCOUNTS.length]!;
            const symbol = i < ACCOUNTS.length ? PERP : DELIVERY;
            sim.derivatives.setMarginMode(account, symbol, isolated ? "isolated" : "cross");
            sim.derivatives.setLeverage(account, symbol, leverage);
            if (lots === 0) return;
            const side = i % 2 === 0 ? "buy" : "sell";
            const amount = String(lots / 1000);
            try {
              sim.placeOrder(account, { symbol, type: "market", side, amount });
            } catch (err) {
              expect(err).toBeInstanceOf(CrypyError);
            }
          });
          checkPerp(sim, total);
          const end = T0 + bars.length * MINUTE;
          for (const op of ops) {
            await advance(Math.min(end, clock.now() + op.at * (MINUTE / 4)) - clock.now());
            const m = sim.market(op.symbol);
            if (Number.isNaN(m.lastPrice)) continue;
            const price = String(Math.max(1, Math.round(m.lastPrice * 100) + op.offset) / 100);
            try {
              if (op.kind === "cancel") {
                const open = sim.openOrders(op.account);
                const target = open[op.pick % Math.max(1, open.length)];
                if (target !== undefined) sim.cancelOrder(op.account, { id: target.id });
              } else if (op.kind === "mode") {
                const mode = op.isolated ? "isolated" : "cross";
                sim.derivatives.setMarginMode(op.account, op.symbol, mode);
              } else if (op.kind === "leverage") {
                sim.exchange.positions.setLeverage(op.account, m.instrument.contract!, op.leverage);
              } else {
                sim.placeOrder(op.account, {
                  symbol: op.symbol,
                  type: op.kind,
                  side: op.side,
                  amount: String(op.lots / 1000),
                  price,
                  stopPrice: price,
                  reduceOnly: op.reduceOnly,
                });
              }
            } catch (err) {
              expect(err).toBeInstanceOf(CrypyError);
              expect(err).not.toBeInstanceOf(InternalError);
            }
            checkPerp(sim, total);
          }
          await advance(end - clock.now());
          checkPerp(sim, total);
          // every deleveraged account is a user's, and the contract delivered is closed
          for (const a of sim.derivatives.adl) expect(a.account.startsWith("__")).toBe(false);
          expect(end > EXPIRY).toBe(true);
          expect(sim.exchange.positions.openOn(DELIVERY)).toEqual([]);
          for (const a of ACCOUNTS) expect(sim.openOrders(a, DELIVERY)).toEqual([]);
          seen.adl += sim.derivatives.adl.length;
          seen.delivered += sim.derivatives.delivered.length;
          seen.liquidated += sim.derivatives.liquidations.length;
        },
      ),
      { numRuns: 120 },
    );
    expect(seen.liquidated).toBeGreaterThan(0);
    expect(seen.adl).toBeGreaterThan(0);
    expect(seen.delivered).toBeGreaterThan(0);
  });
});
