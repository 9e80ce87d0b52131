import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import { WallClock } from "../../src/time/index.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WallClock", () => {
  it("wall clock - starts at the real time by default", () => {
    const before = Date.now();
    const now = new WallClock().now();
    expect(now).toBeGreaterThanOrEqual(before - 5);
    expect(now).toBeLessThanOrEqual(Date.now() + 5);
  });

  it("wall clock - starts at startMs when given", () => {
    const clock = new WallClock({ startMs: 1_000_000 });
    expect(clock.now()).toBeGreaterThanOrEqual(1_000_000);
    expect(clock.now()).toBeLessThan(1_000_000 + 1_000);
  });

  it("wall clock - speed scales elapsed time (speed 100: 20 ms real ≈ 2 s simulated)", async () => {
    const realStart = performance.now();
    const clock = new WallClock({ speed: 100, startMs: 0 });
    await sleep(20);
    const simulated = clock.now();
    const real = performance.now() - realStart;
    // Scaling, not timing: ≈ 2 s simulated, and ~100× the real span whatever the scheduler did.
    expect(simulated).toBeGreaterThan(2_000 * 0.5);
    expect(simulated / real).toBeGreaterThan(50);
    expect(simulated / real).toBeLessThanOrEqual(100);
  });

  it("wall clock - a timer waits its delay divided by speed, and sees now() at or after its due time", async () => {
    const clock = new WallClock({ speed: 100, startMs: 0 });
    const due = clock.now() + 1_000;
    const realStart = performance.now();
    const firedAt = await new Promise<number>((resolve) => {
      clock.setTimeout(() => resolve(clock.now()), 1_000);
    });
    const real = performance.now() - realStart;
    expect(firedAt).toBeGreaterThanOrEqual(due);
    expect(real).toBeGreaterThanOrEqual(9);
    expect(real).toBeLessThan(1_000); // it did not wait the unscaled 1 s
    expect(clock.pending).toBe(0);
  });

  it("wall clock - clearTimeout stops a timer; foreign handles clear nothing", async () => {
    const clock = new WallClock();
    const other = new WallClock();
    let fired = 0;
    const handle = clock.setTimeout(() => fired++, 5);
    const kept = clock.setTimeout(() => fired++, 5);
    expect(clock.pending).toBe(2);
    clock.clearTimeout(handle);
    other.clearTimeout(kept);
    other.clearTimeout({ id: kept.id });
    expect(clock.pending).toBe(1);
    await sleep(30);
    expect(fired).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it("wall clock - speed must be a number > 0", () => {
    for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new WallClock({ speed })).toThrow(InvalidInputError);
    }
    expect(() => new WallClock({ speed: 0 })).toThrow("option 'speed' must be a number > 0, got 0");
    expect(() => new WallClock({ startMs: Number.NaN })).toThrow(InvalidInputError);
    expect(() => new WallClock().setTimeout(() => {}, Number.NaN)).toThrow(InvalidInputError);
  });
});
