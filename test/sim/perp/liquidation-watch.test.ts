/**
 * liquidation-watch.ts's claims: the liquidation check is skipped only where it would liquidate
 * nothing (and exactly there, while nothing changes), so a position is still liquidated at the
 * first path point whose mark makes it due, and a change of money or positions ends the band.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crossMargin, isolatedMargin, type Position } from "../../../src/sim/derivatives/margin.js";
import type { Exchange } from "../../../src/sim/exchange.js";
import { crossOthers } from "../../../src/sim/perp/adl.js";
import { LiquidationWatch } from "../../../src/sim/perp/liquidation-watch.js";
import { asPosition } from "../../../src/sim/perp/positions.js";
import type { Simulator } from "../../../src/sim/simulator.js";
import { type Bar, flat } from "../exchange-support.js";
import { checkPerp, makePerpSim, PERP } from "./perp-support.js";

/** Whether the check (liquidation.ts's test) finds any position on PERP due at `mark`. */
function anyDue(x: Exchange, mark: bigint): boolean {
  const spec = x.market(PERP).instrument.contract!;
  const markOf = (s: string) => (s === PERP ? mark : 0n);
  return x.positions.openOn(PERP).some((p) => {
    if (x.positions.setting(p.account, PERP).mode === "isolated") {
      return isolatedMargin(asPosition(spec, p), p.margin, mark).liquidatable;
    }
    const wallet = x.ledger.free(p.account, "USDT") + x.ledger.locked(p.account, "USDT");
    return crossMargin(wallet, crossOthers(x, p.account, markOf)).liquidatable;
  });
}

/** A ramp of one-minute bars from `from` by `step` a bar, each bar's four path points equal. */
function ramp(from: number, step: number, count: number): Bar[] {
  return Array.from(
    { length: count },
    (_, i) => flat(Math.round((from + i * step) * 100) / 100)[0]!,
  );
}

/**
 * Runs `sim` to its end, recording at each PERP path point (after the derivatives ran) its time,
 * its mark and whether `account` still holds a position.
 */
async function marksUntilEnd(t: ReturnType<typeof makePerpSim>, account: string) {
  const seen: Array<{ time: number; mark: bigint; open: boolean }> = [];
  t.sim.onTick((symbol, time) => {
    if (symbol !== PERP) return;
    const open = (t.sim.exchange.positions.get(account, PERP)?.qty ?? 0n) !== 0n;
    seen.push({ time, mark: t.sim.derivatives.mark(PERP), open });
  });
  await t.advance(24 * 60 * 60_000);
  return seen;
}

function snapshot(sim: Simulator, account: string): Position {
  const x = sim.exchange;
  return asPosition(x.market(PERP).instrument.contract!, x.positions.get(account, PERP)!);
}

describe("sim perp - liquidation watch", () => {
  it("sim perp - an isolated short is liquidated at the first path point whose mark makes it due, not later", async () => {
    // 100 for two minutes, then up 0.05 a minute: the 10x short's liquidation price (~108.8) is
    // reached after many skipped marks
    const t = makePerpSim([...flat(100, 2), ...ramp(100, 0.05, 400)]);
    await t.at(0, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    t.sim.derivatives.setLeverage("bob", PERP, 10);
    t.sim.derivatives.setMarginMode("bob", PERP, "isolated");
    t.sim.placeOrder("bob", { symbol: PERP, type: "market", side: "sell", amount: "1" });
    const position = snapshot(t.sim, "bob");
    const margin = x.positions.get("bob", PERP)!.margin;
    const seen = await marksUntilEnd(t, "bob");
    const first = seen.findIndex((s) => isolatedMargin(position, margin, s.mark).liquidatable);
    expect(first).toBeGreaterThan(100);
    expect(seen.slice(0, first).every((s) => s.open)).toBe(true);
    expect(seen[first]!.open).toBe(false);
    expect(t.sim.derivatives.liquidations).toHaveLength(1);
    expect(t.sim.derivatives.liquidations[0]!.time).toBe(seen[first]!.time);
    checkPerp(t.sim, total);
  });

  it("sim perp - a cross long is liquidated at the first path point whose mark makes it due", async () => {
    const t = makePerpSim([...flat(100, 2), ...ramp(100, -0.05, 600)]);
    await t.at(0, 1);
    const x = t.sim.exchange;
    const total = x.ledger.total("USDT");
    t.sim.derivatives.setLeverage("alice", PERP, 10);
    t.sim.placeOrder("alice", { symbol: PERP, type: "market", side: "buy", amount: "4" });
    t.sim.withdraw("alice", "USDT", "900");
    const position = snapshot(t.sim, "alice");
    const wallet = x.ledger.free("alice", "USDT") + x.ledger.locked("alice", "USDT");
    const seen = await marksUntilEnd(t, "alice");
    const due = (mark: bigint) => crossMargin(wallet, [{ position, mark }]).liquidatable;
    const first = seen.findIndex((s) => due(s.mark));
    expect(first).toBeGreaterThan(100);
    expect(seen.slice(0, first).every((s) => s.open)).toBe(true);
    expect(seen[first]!.open).toBe(false);
    expect(t.sim.derivatives.liquidations.map((l) => l.time)).toEqual([seen[first]!.time]);
    checkPerp(t.sim, total - 900n * 10n ** 8n);
  });

  it("sim perp - the check is skipped at a mark exactly when no position is due there (fast-check)", async () => {
    const orderArb = fc.record({
      leverage: fc.integer({ min: 1, max: 10 }),
      isolated: fc.boolean(),
      side: fc.constantFrom("buy" as const, "sell" as const),
      amount: fc.integer({ min: 1, max: 40 }).map((n) => (n / 10).toFixed(1)),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(orderArb, fc.option(orderArb, { nil: undefined })),
        fc.array(fc.bigInt({ min: -10n, max: 40_000n }), { minLength: 1, maxLength: 40 }),
        async ([a, b], marks) => {
          const t = makePerpSim(flat(100, 3));
          await t.at(0, 1);
          const x = t.sim.exchange;
          for (const [account, o] of [
            ["alice", a],
            ["bob", b],
          ] as const) {
            if (o === undefined) continue;
            t.sim.derivatives.setLeverage(account, PERP, o.leverage);
            if (o.isolated) t.sim.derivatives.setMarginMode(account, PERP, "isolated");
            t.sim.placeOrder(account, {
              symbol: PERP,
              type: "market",
              side: o.side,
              amount: o.amount,
            });
          }
          const now = t.sim.derivatives.mark(PERP);
          if (anyDue(x, now)) return;
          const watch = new LiquidationWatch(x, x.market(PERP));
          expect(watch.mustCheck(now)).toBe(true); // nothing known yet
          watch.checked(now);
          for (const mark of [now, now - 1n, now + 1n, ...marks]) {
            const due = mark < 1n || anyDue(x, mark);
            expect(watch.mustCheck(mark), `mark ${mark}`).toBe(due);
            expect(watch.mustCheckUnits(Number(mark)), `mark ${mark} as a double`).toBe(due);
          }
          // a move of money ends the band: the next mark runs the check whatever it is
          t.sim.deposit("alice", "USDT", "1");
          expect(watch.mustCheck(now)).toBe(true);
          watch.checked(now);
          expect(watch.mustCheck(now)).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });
});
