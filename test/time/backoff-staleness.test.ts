import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import { Backoff } from "../../src/time/backoff.js";
import { Staleness } from "../../src/time/staleness.js";

describe("backoff - exponential with full jitter, capped", () => {
  it("backoff - ceilings double from the base up to the cap; each delay is uniform below its ceiling; a success resets", () => {
    const draws = [0.999, 0.5, 0, 0.25, 0.999, 0.999, 0.999];
    let i = 0;
    const b = new Backoff({ baseMs: 500, capMs: 8_000, random: () => draws[i++]! });
    const seen: Array<[number, number]> = [];
    for (let n = 0; n < 7; n++) {
      const ceiling = b.ceiling;
      seen.push([ceiling, b.next()]);
    }
    expect(seen).toEqual([
      [500, 499],
      [1_000, 500],
      [2_000, 0],
      [4_000, 1_000],
      [8_000, 7_992],
      [8_000, 7_992], // capped
      [8_000, 7_992],
    ]);
    expect(b.attempt).toBe(7);
    b.reset();
    expect(b.ceiling).toBe(500);
    expect(() => new Backoff({ baseMs: 0, capMs: 1 })).toThrow(InvalidInputError);
    expect(() => new Backoff({ baseMs: 10, capMs: 5 })).toThrow(/0 < baseMs <= capMs/);
  });

  it("backoff - many clients cut off together spread out: their first retries differ", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 100 }, () =>
      new Backoff({ baseMs: 1_000, capMs: 30_000, random }).next(),
    );
    expect(new Set(delays).size).toBeGreaterThan(90);
    expect(Math.max(...delays)).toBeLessThan(1_000);
  });
});

describe("staleness - a stream silent past its expected rate", () => {
  it("staleness - fresh until graceFactor intervals pass without a message; a message makes it fresh", () => {
    const s = new Staleness(1_000, 0, 3);
    expect(s.stale(3_000)).toBe(false); // exactly the limit: not yet
    expect(s.stale(3_001)).toBe(true);
    s.heard(3_500);
    expect(s.stale(6_000)).toBe(false);
    expect(s.silentFor(6_000)).toBe(2_500);
    s.heard(100); // an old timestamp never moves it back
    expect(s.silentFor(6_000)).toBe(2_500);
    expect(() => new Staleness(0, 0)).toThrow(InvalidInputError);
  });
});
