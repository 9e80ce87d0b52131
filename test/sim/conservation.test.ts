/**
 * Random order flow against a random price path, checking after every step what must always hold:
 * no asset created or destroyed, no negative balance, the book never crossed, every locked amount
 * accounted for by an open order's reservation, and no internal error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CrypyError, InternalError } from "../../src/domain/errors.js";
import type { Simulator } from "../../src/sim/simulator.js";
import { type Bar, MINUTE, makeSim, T0, venueWith } from "./exchange-support.js";

const BTC = "BTC/USDT";
const ACCOUNTS = ["alice", "bob"] as const;
const ASSETS = ["BTC", "USDT"] as const;

const barsArb = fc
  .array(fc.integer({ min: -60, max: 60 }), { minLength: 12, maxLength: 24 })
  .map((steps) => {
    let price = 10_000; // ticks of 0.01
    return steps.map((step): Bar => {
      const open = price;
      price = Math.max(9_000, Math.min(11_000, price + step));
      const high = Math.max(open, price) + Math.abs(step % 7);
      const low = Math.min(open, price) - Math.abs(step % 5);
      return [open / 100, high / 100, low / 100, price / 100];
    });
  });

const opArb = fc.record({
  at: fc.integer({ min: 0, max: 40 }), // quarter-minutes after the previous op
  account: fc.constantFrom(...ACCOUNTS),
  kind: fc.constantFrom(
    "market",
    "limit",
    "limit",
    "limit",
    "stop_market",
    "stop_limit",
    "cancel",
    "amend",
  ),
  side: fc.constantFrom("buy", "sell"),
  lots: fc.integer({ min: 10, max: 4_000 }), // 0.01 BTC and up: above the minimum notional
  offset: fc.integer({ min: -150, max: 150 }), // ticks from the current price
  tif: fc.constantFrom("GTC", "GTC", "IOC", "FOK", "PO"),
  pick: fc.nat(),
});

function check(sim: Simulator, totals: Map<string, bigint>): void {
  const ledger = sim.exchange.ledger;
  for (const asset of ASSETS) {
    expect(ledger.total(asset), `total ${asset}`).toBe(totals.get(asset));
    for (const account of ledger.accounts()) {
      expect(ledger.free(account, asset) >= 0n, `${account} free ${asset}`).toBe(true);
      expect(ledger.locked(account, asset) >= 0n, `${account} locked ${asset}`).toBe(true);
    }
  }
  for (const account of ACCOUNTS) {
    for (const asset of ASSETS) {
      let reserved = 0n;
      for (const o of sim.exchange.orders.values()) {
        if (o.account === account && o.status === "open" && o.reservedAsset === asset)
          reserved += o.reserved;
      }
      expect(ledger.locked(account, asset), `${account} locked ${asset} = reservations`).toBe(
        reserved,
      );
    }
  }
  const book = sim.market(BTC).book;
  const bid = book.bestBid();
  const ask = book.bestAsk();
  if (!Number.isNaN(bid) && !Number.isNaN(ask)) expect(bid).toBeLessThan(ask);
}

describe("sim - invariants under random order flow", () => {
  for (const rule of ["through", "touch"] as const) {
    it(`sim - money is conserved and nothing goes negative (${rule} rule)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          barsArb,
          fc.array(opArb, { minLength: 1, maxLength: 60 }),
          async (bars, ops) => {
            const yaml = venueWith(["fillRule: through", `fillRule: ${rule}`]);
            const { sim, clock, advance } = makeSim(bars, yaml);
            await advance(0);
            const totals = new Map(ASSETS.map((a) => [a, sim.exchange.ledger.total(a)]));
            const end = T0 + bars.length * MINUTE;
            for (const op of ops) {
              const target = Math.min(end, clock.now() + op.at * (MINUTE / 4));
              await advance(target - clock.now());
              const m = sim.market(BTC);
              if (Number.isNaN(m.lastPrice)) continue;
              const here = Math.round(m.lastPrice * 100);
              const price = String(Math.max(1, here + op.offset) / 100);
              const amount = String(op.lots / 1000);
              const open = sim.openOrders(op.account);
              try {
                if (op.kind === "cancel" || op.kind === "amend") {
                  const target = open[op.pick % Math.max(1, open.length)];
                  if (target === undefined) continue;
                  if (op.kind === "cancel") sim.cancelOrder(op.account, { id: target.id });
                  else sim.amendOrder(op.account, target.id, amount, price);
                } else {
                  sim.placeOrder(op.account, {
                    symbol: BTC,
                    type: op.kind,
                    side: op.side,
                    amount,
                    price,
                    stopPrice: price,
                    timeInForce: op.tif,
                  });
                }
              } catch (err) {
                // Refusals are ordinary results; a broken invariant is not.
                expect(err).toBeInstanceOf(CrypyError);
                expect(err).not.toBeInstanceOf(InternalError);
              }
              check(sim, totals);
            }
            await advance(end - clock.now());
            check(sim, totals);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
