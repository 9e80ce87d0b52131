/**
 * The mark's hot path keeps running state instead of recomputing from stored samples; each piece
 * gives exactly what the stated rule computes from scratch (fast-check):
 * - FundingCarry.at is fundingAdjustedIndex (price 1), whatever the rate;
 * - RollingBasis's ring averages the last `window` samples as the rule says;
 * - PremiumAverage is averagePremium of the samples it was given;
 * - the safe-integer double paths (safe-int.ts, FundingCarry.atUnits, RollingBasis.addUnits)
 *   give the bigint value or NaN, never a rounded one, and a value wherever doubles hold it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulDiv } from "../../../src/domain/fixed.js";
import { averagePremium, PremiumAverage } from "../../../src/sim/derivatives/funding.js";
import {
  FundingCarry,
  fundingAdjustedIndex,
  RollingBasis,
} from "../../../src/sim/derivatives/mark-price.js";
import { RATE_ONE } from "../../../src/sim/derivatives/rate.js";
import { addDivHalfEven, median3n, safeMul } from "../../../src/sim/derivatives/safe-int.js";

const HOUR = 3_600_000;

describe("derivatives incremental state - the same values as the rules", () => {
  it("FundingCarry - price 1 equals fundingAdjustedIndex for any rate, index and time", () => {
    const rateArb = fc.oneof(
      fc.bigInt({ min: -RATE_ONE / 100n, max: RATE_ONE / 100n }),
      fc.constantFrom(0n, RATE_ONE / 10_000n, -RATE_ONE / 10_000n, (RATE_ONE * 3n) / 1000n),
    );
    fc.assert(
      fc.property(
        rateArb,
        fc.constantFrom(1, 4, 8),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rate, hours, index, share) => {
          const interval = hours * HOUR;
          const until = Math.floor(share * interval);
          const carry = new FundingCarry(rate, interval);
          expect(carry.at(index, until)).toBe(fundingAdjustedIndex(index, rate, until, interval));
        },
      ),
    );
  });

  it("FundingCarry - a time outside the interval is refused as fundingAdjustedIndex refuses it", () => {
    const carry = new FundingCarry(RATE_ONE / 10_000n, 8 * HOUR);
    expect(() => carry.at(100n, 8 * HOUR + 1)).toThrow(/longer than the funding interval/);
    expect(() => carry.at(100n, -1)).toThrow(/not a whole ≥ 0/);
    expect(() => new FundingCarry(0n, 0)).toThrow(/not a whole > 0/);
  });

  it("RollingBasis - the ring's average is the half-even mean of the last window samples", () => {
    const sampleArb = fc
      .tuple(
        fc.bigInt({ min: 1n, max: 1_000_000n }),
        fc.bigInt({ min: 0n, max: 1000n }),
        fc.bigInt({ min: 1n, max: 1_000_000n }),
      )
      .map(([bid, spread, index]) => ({ bid, ask: bid + spread, index }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(sampleArb, { maxLength: 40 }),
        (w, s) => {
          const basis = new RollingBasis(w);
          for (const [i, sample] of s.entries()) {
            basis.push(sample);
            const last = s.slice(Math.max(0, i + 1 - w), i + 1);
            const twice = last.reduce((sum, x) => sum + x.bid + x.ask - 2n * x.index, 0n);
            expect(basis.count).toBe(last.length);
            expect(basis.average()).toBe(mulDiv(twice, 1n, 2n * BigInt(last.length), "half-even"));
          }
        },
      ),
    );
  });

  it("PremiumAverage - equals averagePremium of its samples, and starts again when cleared", () => {
    const premiumArb = fc.oneof(
      fc.constant(0n),
      fc.bigInt({ min: -RATE_ONE / 100n, max: RATE_ONE / 100n }),
    );
    fc.assert(
      fc.property(fc.array(premiumArb, { maxLength: 60 }), fc.nat(60), (samples, cut) => {
        const average = new PremiumAverage();
        expect(average.average()).toBeUndefined();
        const first = samples.slice(0, cut);
        for (const p of first) average.add(p);
        if (first.length > 0) expect(average.average()).toBe(averagePremium(first));
        average.clear();
        const rest = samples.slice(cut);
        for (const p of rest) average.add(p);
        expect(average.count).toBe(rest.length);
        expect(average.average()).toBe(rest.length === 0 ? undefined : averagePremium(rest));
      }),
    );
  });

  it("safe-int - addDivHalfEven is the bigint half-even quotient, or NaN out of range", () => {
    const MAX = Number.MAX_SAFE_INTEGER;
    const intArb = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.integer(),
      fc.double({ min: -MAX, max: MAX, noNaN: true }).map(Math.trunc),
    );
    fc.assert(
      fc.property(
        intArb,
        intArb,
        fc.oneof(fc.integer({ min: 1, max: 600 }), fc.nat()),
        (b, n, d) => {
          fc.pre(d > 0);
          const got = addDivHalfEven(b, n, d);
          const exact = mulDiv(BigInt(b) * BigInt(d) + BigInt(n), 1n, BigInt(d), "half-even");
          if (Number.isNaN(got)) {
            const room =
              Math.abs(n) <= MAX - d && BigInt(MAX) >= (exact < 0n ? -exact : exact) + 1n;
            expect(room && Math.abs(b) < 2 ** 52 && Math.abs(n) < 2 ** 52).toBe(false);
          } else {
            expect(BigInt(got)).toBe(exact);
          }
        },
      ),
    );
    // ties go to the even neighbour, on both sides of zero
    expect([addDivHalfEven(0, 5, 2), addDivHalfEven(0, 7, 2), addDivHalfEven(0, -5, 2)]).toEqual([
      2, 4, -2,
    ]);
    expect(addDivHalfEven(1, 1, 2)).toBe(2);
    expect(safeMul(2 ** 27, 2 ** 27)).toBeNaN();
    expect(median3n(3, 1, 2)).toBe(2);
  });

  it("FundingCarry - atUnits is at() in doubles, and holds a realistic mark at a round rate", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(0n, RATE_ONE / 10_000n, -RATE_ONE / 10_000n, (RATE_ONE * 3n) / 1000n),
          fc.bigInt({ min: -RATE_ONE / 100n, max: RATE_ONE / 100n }),
        ),
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rate, index, share) => {
          const interval = 8 * HOUR;
          const until = Math.floor(share * interval);
          const carry = new FundingCarry(rate, interval);
          const got = carry.atUnits(index, until);
          if (!Number.isNaN(got)) expect(BigInt(got)).toBe(carry.at(BigInt(index), until));
          if (rate % (RATE_ONE / 10_000n) === 0n) expect(got).not.toBeNaN();
        },
      ),
    );
    expect(new FundingCarry(0n, 8 * HOUR).atUnits(100, 8 * HOUR + 1)).toBeNaN();
  });

  it("RollingBasis - samples as doubles or as bigints give the same averages, past 2^53 too", () => {
    const big = 2n ** 60n;
    const valueArb = fc.oneof(
      fc.bigInt({ min: -1_000_000n, max: 1_000_000n }),
      fc.bigInt({ min: -big, max: big }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(valueArb, { maxLength: 30 }),
        (w, xs) => {
          const asUnits = new RollingBasis(w);
          const asBig = new RollingBasis(w);
          for (const x of xs) {
            // a sample with bid = ask = x and index 0: its doubled basis is 2x
            const units = Number(x);
            if (Number.isSafeInteger(units)) asUnits.addUnits(units, units, 0);
            else asUnits.add(x, x, 0n);
            asBig.push({ bid: x, ask: x, index: 0n });
            expect(asUnits.average()).toBe(asBig.average());
            const u = asUnits.averageUnits();
            if (!Number.isNaN(u)) expect(BigInt(u)).toBe(asBig.average());
          }
        },
      ),
    );
  });
});
