/**
 * The request-weight window: a worked minute of Binance-like spending (60 weight a minute), waits
 * that end exactly when enough weight rolls off, the venue's own count adopted, and bad costs
 * refused by name.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { WeightWindow } from "../../../src/venues/budget/weight-window.js";

const T = 1_700_000_000_000;

describe("weight window", () => {
  it("weight window - spends up to the limit, then says how long until the oldest weight rolls off", () => {
    const w = new WeightWindow({ weight: 60, windowMs: 60_000 });
    expect(w.take(20, T)).toBe(0);
    expect(w.take(20, T + 10_000)).toBe(0);
    expect(w.take(20, T + 20_000)).toBe(0);
    expect(w.used(T + 20_000)).toBe(60);
    // Full: 5 more must wait until the first 20 (spent at T) leave the window at T + 60 s.
    expect(w.take(5, T + 30_000)).toBe(30_001);
    expect(w.used(T + 30_000)).toBe(60); // a refused take spends nothing
    // 30 more need the first two spendings gone: until T + 10 s + 60 s.
    expect(w.take(30, T + 30_000)).toBe(40_001);
    expect(w.take(5, T + 60_001)).toBe(0);
    expect(w.used(T + 60_001)).toBe(45);
    // A minute after the last spending the window is empty.
    expect(w.used(T + 20_000 + 60_001)).toBe(5);
    expect(w.used(T + 60_001 + 60_000)).toBe(0);
  });

  it("weight window - a cost above the whole limit goes only into an empty window", () => {
    const w = new WeightWindow({ weight: 10, windowMs: 1_000 });
    expect(w.take(1, T)).toBe(0);
    expect(w.take(50, T)).toBe(1_001);
    expect(w.take(50, T + 1_001)).toBe(0);
    expect(w.take(1, T + 1_001)).toBe(1_001);
  });

  it("weight window - the venue's own count, when higher, is spent now; a lower one changes nothing", () => {
    const w = new WeightWindow({ weight: 100, windowMs: 60_000 });
    w.take(10, T);
    w.observe(90, T + 1_000); // other clients on the address spent 80 more
    expect(w.used(T + 1_000)).toBe(90);
    expect(w.take(20, T + 2_000)).toBeGreaterThan(0);
    w.observe(5, T + 2_000);
    expect(w.used(T + 2_000)).toBe(90);
  });

  it("weight window - a bad cost or limit is refused, naming it", () => {
    const w = new WeightWindow({ weight: 10, windowMs: 1_000 });
    expect(() => w.take(-1, T)).toThrow(InvalidInputError);
    expect(() => w.take(Number.NaN, T)).toThrow(/weight must be a number >= 0, got NaN/);
    expect(() => new WeightWindow({ weight: 0, windowMs: 1_000 })).toThrow(/weight > 0/);
    expect(() => new WeightWindow({ weight: 5, windowMs: 0.5 })).toThrow(/windowMs/);
  });

  it("weight window - over a long run it counts only the last window, compacting as it goes", () => {
    const w = new WeightWindow({ weight: 1_000, windowMs: 1_000 });
    let refused = 0;
    for (let i = 0; i < 100_000; i++) if (w.take(1, T + i) !== 0) refused++;
    expect(refused).toBe(0);
    expect(w.used(T + 100_000)).toBe(999);
  });
});
