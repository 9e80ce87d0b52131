/**
 * The model's invariants, over random positions (fast-check):
 * - liquidation triggers at the liquidation price and not one tick on the safe side of it, in
 *   isolated and in cross margin (the formula and the margin check agree);
 * - the bankruptcy price lies beyond the liquidation price;
 * - funding moves money only between accounts: the transfers and the remainder sum to zero.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { settleFunding } from "../../../src/sim/derivatives/funding.js";
import {
  bankruptcyPrice,
  type ExactPrice,
  liquidationPrice,
  roundToTick,
} from "../../../src/sim/derivatives/liquidation-price.js";
import {
  crossMargin,
  initialMargin,
  isolatedMargin,
  openPosition,
  type Position,
} from "../../../src/sim/derivatives/margin.js";
import { RATE_ONE } from "../../../src/sim/derivatives/rate.js";
import { BTCUSDT, ETHUSDT } from "./fixtures.js";

const TICK = BTCUSDT.tick.step;
/** Contracts 0.001 .. 50 (lot units), entry prices 100.00 .. 100,000.00 (tick units). */
const qtyArb = fc.bigInt({ min: 1n, max: 50_000n });
const priceArb = fc.bigInt({ min: 10_000n, max: 10_000_000n });
const sideArb = fc.constantFrom(1n, -1n);

function position(side: bigint, qty: bigint, entry: bigint): Position {
  return openPosition(BTCUSDT, side * qty, entry);
}

/** Rounded toward danger (long: down, short: up) and one tick past it on the safe side. */
function around(lp: ExactPrice, side: bigint): { danger: bigint; safe: bigint } {
  const danger = roundToTick(BTCUSDT, lp, side > 0n ? "down" : "up");
  const safe = roundToTick(BTCUSDT, lp, side > 0n ? "up" : "down") + side * TICK;
  return { danger, safe };
}

describe("derivatives properties - liquidation", () => {
  it("properties - isolated: liquidatable at the liquidation price, not a tick safer", () => {
    fc.assert(
      fc.property(sideArb, qtyArb, priceArb, fc.integer({ min: 1, max: 125 }), (s, q, e, lev) => {
        const pos = position(s, q, e);
        const bracket = BTCUSDT.brackets.find((b) => b.notionalCap >= pos.entryNotional)!;
        const wallet = initialMargin(pos, e, Math.min(lev, bracket.maxLeverage));
        const lp = liquidationPrice({ position: pos, walletBalance: wallet });
        if (lp === null) return; // 1x long: never liquidated by a falling price
        const { danger, safe } = around(lp, s);
        if (danger > 0n) expect(isolatedMargin(pos, wallet, danger).liquidatable).toBe(true);
        if (safe > 0n) expect(isolatedMargin(pos, wallet, safe).liquidatable).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("properties - cross: the formula's price is where the whole account turns liquidatable", () => {
    fc.assert(
      fc.property(
        sideArb,
        qtyArb,
        priceArb,
        fc.bigInt({ min: 1n, max: 10_000_000n * 10n ** 8n }),
        fc.bigInt({ min: 1n, max: 500_000n }),
        fc.bigInt({ min: 10_000n, max: 500_000n }),
        (s, q, e, wallet, ethQty, ethMark) => {
          const pos = position(s, q, e);
          const eth = {
            position: openPosition(ETHUSDT, -ethQty, 200_000n), // short ETH @ 2,000
            mark: ethMark,
          };
          const lp = liquidationPrice({ position: pos, walletBalance: wallet, others: [eth] });
          if (lp === null) return;
          const { danger, safe } = around(lp, s);
          const at = (mark: bigint) => crossMargin(wallet, [{ position: pos, mark }, eth]);
          if (danger > 0n) expect(at(danger).liquidatable).toBe(true);
          if (safe > 0n) expect(at(safe).liquidatable).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("properties - the bankruptcy price is beyond the liquidation price", () => {
    fc.assert(
      fc.property(
        sideArb,
        qtyArb,
        priceArb,
        fc.bigInt({ min: 1n, max: 10n ** 14n }),
        (s, q, e, w) => {
          const input = { position: position(s, q, e), walletBalance: w };
          const lp = liquidationPrice(input);
          const bp = bankruptcyPrice(input);
          if (lp === null) return;
          if (bp === null) {
            expect(s).toBe(1n); // only a long's bankruptcy can be at or below 0
            return;
          }
          // compare lp and bp as fractions: long bp < lp, short bp > lp
          const diff = bp.numerator * lp.denominator - lp.numerator * bp.denominator;
          expect(s > 0n ? diff < 0n : diff > 0n).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("derivatives properties - funding", () => {
  it("properties - funding sums to zero across longs, shorts and the fund", () => {
    const sizes = fc.array(qtyArb, { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(
        sizes,
        priceArb,
        fc.bigInt({ min: -(RATE_ONE * 3n) / 1000n, max: (RATE_ONE * 3n) / 1000n }),
        (longs, mark, rate) => {
          // the shorts hold the same open interest, split differently: one short of it all
          const total = longs.reduce((acc, qty) => acc + qty, 0n);
          const positions = [
            ...longs.map((qty) => position(1n, qty, mark)),
            position(-1n, total, mark),
          ];
          const { transfers, residual } = settleFunding(positions, mark, rate);
          const sum = transfers.reduce((acc, t) => acc + t.amount, 0n);
          expect(sum + residual).toBe(0n);
          expect(residual >= 0n && residual < BigInt(positions.length)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
