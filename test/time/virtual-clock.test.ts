import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import type { TimerHandle } from "../../src/time/index.js";
import { VirtualClock } from "../../src/time/index.js";

describe("VirtualClock", () => {
  it("virtual clock - starts at the given time and stays there until advanced", () => {
    const clock = new VirtualClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.pending).toBe(0);
    expect(clock.nextTimerAt()).toBeUndefined();
    clock.advanceTo(5_000);
    expect(clock.now()).toBe(5_000);
  });

  it("virtual clock - timers fire in time order, each seeing its own due time", () => {
    const clock = new VirtualClock(0);
    const seen: [string, number][] = [];
    clock.setTimeout(() => seen.push(["c", clock.now()]), 300);
    clock.setTimeout(() => seen.push(["a", clock.now()]), 100);
    clock.setTimeout(() => seen.push(["b", clock.now()]), 200);
    expect(clock.nextTimerAt()).toBe(100);
    clock.advanceTo(250);
    expect(seen).toEqual([
      ["a", 100],
      ["b", 200],
    ]);
    expect(clock.now()).toBe(250);
    expect(clock.pending).toBe(1);
    expect(clock.nextTimerAt()).toBe(300);
  });

  it("virtual clock - timers due at the same time fire in scheduling order", () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.advanceTo(50);
    clock.setTimeout(() => seen.push(1), 50); // due 100
    clock.advanceTo(60);
    clock.setTimeout(() => seen.push(2), 40); // due 100, scheduled later
    for (let i = 3; i <= 20; i++) clock.setTimeout(() => seen.push(i), 40);
    clock.advanceTo(100);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("virtual clock - a negative delay means now, after timers already due now", () => {
    const clock = new VirtualClock(10);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push("zero"), 0);
    clock.setTimeout(() => seen.push("negative"), -5);
    expect(clock.nextTimerAt()).toBe(10);
    clock.advanceTo(10);
    expect(seen).toEqual(["zero", "negative"]);
  });

  it("virtual clock - clearTimeout removes a timer; clearing again or after firing does nothing", () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    const handles = [1, 2, 3, 4, 5].map((i) => clock.setTimeout(() => seen.push(i), i * 10));
    clock.clearTimeout(handles[2]!);
    clock.clearTimeout(handles[2]!);
    clock.clearTimeout(handles[0]!);
    expect(clock.pending).toBe(3);
    clock.advanceTo(20);
    clock.clearTimeout(handles[1]!); // already fired
    clock.clearTimeout({ id: 4 }); // not a handle of this clock
    expect(clock.pending).toBe(2);
    clock.advanceTo(100);
    expect(seen).toEqual([2, 4, 5]);
  });

  it("virtual clock - a handle from another clock clears nothing", () => {
    const a = new VirtualClock(0);
    const b = new VirtualClock(0);
    let fired = false;
    a.setTimeout(() => {
      fired = true;
    }, 10);
    const foreign = b.setTimeout(() => {}, 10);
    a.clearTimeout(foreign);
    a.advanceTo(10);
    expect(fired).toBe(true);
    expect(b.pending).toBe(1);
  });

  it("virtual clock - advanceTo refuses to go backwards", () => {
    const clock = new VirtualClock(100);
    expect(() => clock.advanceTo(99)).toThrow(InvalidInputError);
    expect(() => clock.advanceTo(99)).toThrow("time cannot go backwards (now 100, asked 99)");
    expect(() => clock.advanceTo(Number.NaN)).toThrow(InvalidInputError);
    expect(clock.now()).toBe(100);
  });

  it("virtual clock - refuses a NaN or infinite delay and a non-finite start", () => {
    const clock = new VirtualClock(0);
    expect(() => clock.setTimeout(() => {}, Number.NaN)).toThrow(InvalidInputError);
    expect(() => clock.setTimeout(() => {}, Number.POSITIVE_INFINITY)).toThrow(InvalidInputError);
    expect(() => new VirtualClock(Number.NaN)).toThrow(InvalidInputError);
  });

  it("virtual clock - timers scheduled by a running timer run in the same advance when due", () => {
    const clock = new VirtualClock(0);
    const seen: [string, number][] = [];
    clock.setTimeout(() => {
      seen.push(["outer", clock.now()]);
      clock.setTimeout(() => seen.push(["inner+0", clock.now()]), 0);
      clock.setTimeout(() => {
        seen.push(["inner+50", clock.now()]);
        clock.setTimeout(() => seen.push(["inner+50+50", clock.now()]), 50);
      }, 50);
      clock.setTimeout(() => seen.push(["late", clock.now()]), 500);
    }, 100);
    clock.setTimeout(() => seen.push(["other", clock.now()]), 120);
    clock.advanceTo(200);
    expect(seen).toEqual([
      ["outer", 100],
      ["inner+0", 100],
      ["other", 120],
      ["inner+50", 150],
      ["inner+50+50", 200],
    ]);
    expect(clock.pending).toBe(1);
    expect(clock.nextTimerAt()).toBe(600);
  });

  it("virtual clock - runNext jumps to the next due time and runs everything due then", () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    expect(clock.runNext()).toBe(false);
    clock.setTimeout(() => seen.push("b"), 200);
    clock.setTimeout(() => {
      seen.push("a1");
      clock.setTimeout(() => seen.push("a3 (scheduled by a1, due now)"), 0);
    }, 100);
    clock.setTimeout(() => seen.push("a2"), 100);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(100);
    expect(seen).toEqual(["a1", "a2", "a3 (scheduled by a1, due now)"]);
    expect(clock.runNext()).toBe(true);
    expect(clock.now()).toBe(200);
    expect(clock.runNext()).toBe(false);
    expect(clock.now()).toBe(200);
  });

  it("virtual clock - advanceBy moves relative to now", () => {
    const clock = new VirtualClock(1_000);
    let at = 0;
    clock.setTimeout(() => {
      at = clock.now();
    }, 30);
    clock.advanceBy(50);
    expect(at).toBe(1_030);
    expect(clock.now()).toBe(1_050);
  });

  it("virtual clock - a throwing timer propagates its error and leaves the heap consistent", () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(1), 10);
    clock.setTimeout(() => {
      throw new Error("boom");
    }, 20);
    clock.setTimeout(() => seen.push(3), 30);
    clock.setTimeout(() => seen.push(4), 40);
    expect(() => clock.advanceTo(100)).toThrow("boom");
    expect(clock.now()).toBe(20);
    expect(clock.pending).toBe(2);
    expect(clock.nextTimerAt()).toBe(30);
    clock.advanceTo(100);
    expect(seen).toEqual([1, 3, 4]);
    expect(clock.now()).toBe(100);
  });

  it("virtual clock - a callback may advance the clock itself without time going backwards", () => {
    const clock = new VirtualClock(0);
    const times: number[] = [];
    clock.setTimeout(() => clock.advanceTo(500), 10);
    clock.setTimeout(() => times.push(clock.now()), 300);
    clock.advanceTo(100);
    expect(times).toEqual([300]);
    expect(clock.now()).toBe(500);
  });

  it("virtual clock - any mix of schedules and clears fires like a sorted list (property)", () => {
    type Op =
      | { kind: "add"; delay: number }
      | { kind: "clear"; pick: number }
      | { kind: "advance"; by: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), delay: fc.integer({ min: -5, max: 100 }) }),
      fc.record({ kind: fc.constant("clear" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("advance" as const), by: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const clock = new VirtualClock(0);
        const fired: number[] = [];
        const model: { id: number; time: number; seq: number }[] = [];
        const expected: number[] = [];
        const handles: { handle: TimerHandle; id: number }[] = [];
        let now = 0;
        let seq = 0;
        const runModel = (to: number) => {
          model.sort((a, b) => a.time - b.time || a.seq - b.seq);
          while (model.length > 0 && model[0]!.time <= to) expected.push(model.shift()!.id);
          now = to;
        };
        for (const o of ops) {
          if (o.kind === "add") {
            const id = seq++;
            handles.push({ handle: clock.setTimeout(() => fired.push(id), o.delay), id });
            model.push({ id, time: now + Math.max(0, o.delay), seq: id });
          } else if (o.kind === "clear" && handles.length > 0) {
            const { handle, id } = handles[o.pick % handles.length]!;
            clock.clearTimeout(handle);
            const k = model.findIndex((m) => m.id === id);
            if (k >= 0) model.splice(k, 1);
          } else if (o.kind === "advance") {
            clock.advanceTo(now + o.by);
            runModel(now + o.by);
          }
          expect(clock.pending).toBe(model.length);
        }
        clock.advanceTo(now + 1_000);
        runModel(now + 1_000);
        expect(fired).toEqual(expected);
        expect(clock.pending).toBe(0);
      }),
    );
  });
});
