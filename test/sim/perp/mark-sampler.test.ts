/**
 * The mark sampler's shortcuts into the makers' book (liquidity.ts, liquidity-source.ts) read the
 * same book as the full levels: `bestLevel` is the first of `levels`, and `levels` limited to k
 * levels is the first k of them, after matches have taken from the levels (fast-check).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUY, SELL, type Side } from "../../../src/sim/book/index.js";
import type { Level } from "../../../src/sim/liquidity-source.js";
import { flat } from "../exchange-support.js";
import { makePerpSim, PERP } from "./perp-support.js";

describe("sim perp - mark sampler's book shortcuts", () => {
  it("sim perp - bestLevel and the first k levels are the full levels' head, after fills (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            side: fc.constantFrom("buy" as const, "sell" as const),
            amount: fc.integer({ min: 1, max: 300 }).map((n) => (n / 10).toFixed(1)),
          }),
          { maxLength: 6 },
        ),
        fc.integer({ min: 1, max: 10_000_000 }),
        async (orders, ref) => {
          const t = makePerpSim(flat(100, 3));
          await t.at(0, 1);
          for (const o of orders) {
            try {
              t.sim.placeOrder("alice", { symbol: PERP, type: "market", ...o });
            } catch {
              // refused (margin): it took nothing from the book
            }
          }
          const m = t.sim.market(PERP);
          const now = t.clock.now();
          for (const side of [BUY, SELL] as Side[]) {
            for (const r of [Math.max(1, Math.round(m.lastPrice / m.tickSize)), ref]) {
              const all = m.liquidity.levels(side, r, now, Number.NaN, Number.MAX_SAFE_INTEGER);
              for (const k of [1, 2, 3]) {
                const first = m.liquidity.levels(
                  side,
                  r,
                  now,
                  Number.NaN,
                  Number.MAX_SAFE_INTEGER,
                  k,
                );
                expect(first).toEqual(all.slice(0, k));
              }
              const into: Level = { index: -1, price: -1, qty: -1 };
              expect(m.liquidity.bestLevel(side, r, now, into)).toBe(all.length > 0);
              if (all.length > 0) expect(into).toEqual(all[0]);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
