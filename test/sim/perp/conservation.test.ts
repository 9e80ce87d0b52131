/**
 * Random order flow on a perpetual against a random price path (with gaps), checking after every
 * step: no USDT created or destroyed (accounts, makers, fees, insurance fund), no negative
 * balance, and every locked amount accounted for by open orders' reservations plus positions'
 * margin.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CrypyError, InternalError } from "../../../src/domain/errors.js";
import { type Bar, MINUTE, T0 } from "../exchange-support.js";
import { checkPerp, makePerpSim, PERP } from "./perp-support.js";

const ACCOUNTS = ["alice", "bob"] as const;

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
  account: fc.constantFrom(...ACCOUNTS),
  kind: fc.constantFrom("market", "market", "limit", "limit", "stop_market", "cancel", "leverage"),
  side: fc.constantFrom("buy", "sell"),
  lots: fc.integer({ min: 10, max: 4_000 }),
  offset: fc.integer({ min: -300, max: 300 }),
  reduceOnly: fc.boolean(),
  leverage: fc.integer({ min: 1, max: 50 }),
  pick: fc.nat(),
});

describe("sim perp - invariants under random order flow", () => {
  it("sim perp - money is conserved and nothing goes negative", async () => {
    await fc.assert(
      fc.asyncProperty(
        barsArb,
        fc.array(opArb, { minLength: 1, maxLength: 50 }),
        async (bars, ops) => {
          const { sim, clock, advance } = makePerpSim(bars);
          await advance(0);
          const total = sim.exchange.ledger.total("USDT");
          const end = T0 + bars.length * MINUTE;
          for (const op of ops) {
            await advance(Math.min(end, clock.now() + op.at * (MINUTE / 4)) - clock.now());
            const m = sim.market(PERP);
            if (Number.isNaN(m.lastPrice)) continue;
            const price = String(Math.max(1, Math.round(m.lastPrice * 100) + op.offset) / 100);
            try {
              if (op.kind === "cancel") {
                const open = sim.openOrders(op.account);
                const target = open[op.pick % Math.max(1, open.length)];
                if (target !== undefined) sim.cancelOrder(op.account, { id: target.id });
              } else if (op.kind === "leverage") {
                sim.exchange.positions.setLeverage(op.account, m.instrument.contract!, op.leverage);
              } else {
                sim.placeOrder(op.account, {
                  symbol: PERP,
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
        },
      ),
      { numRuns: 120 },
    );
  });
});
