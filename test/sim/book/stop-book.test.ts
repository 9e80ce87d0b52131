import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { BUY, SELL, type Side, StopBook } from "../../../src/sim/book/index.js";

describe("stops - StopBook", () => {
  it("stops - a buy stop triggers at or above its price, a sell stop at or below", () => {
    const stops = new StopBook();
    stops.add(1, BUY, 105);
    stops.add(2, SELL, 95);
    expect(stops.trigger(100)).toEqual([]);
    expect(stops.trigger(104)).toEqual([]);
    expect(stops.trigger(105)).toEqual([1]);
    expect(stops.trigger(96)).toEqual([]);
    expect(stops.trigger(95)).toEqual([2]);
    expect(stops.size).toBe(0);
  });

  it("stops - nothing triggered returns one shared, frozen empty array", () => {
    const stops = new StopBook();
    const none = stops.trigger(100);
    stops.add(1, BUY, 105);
    stops.add(2, SELL, 95);
    expect(stops.trigger(101)).toBe(none);
    expect(stops.trigger(99)).toBe(none);
    expect(Object.isFrozen(none)).toBe(true);
    expect(none).toHaveLength(0);
  });

  it("stops - buys trigger in the order a rising price reaches them", () => {
    const stops = new StopBook();
    stops.trigger(100);
    stops.add(1, BUY, 104);
    stops.add(2, BUY, 102);
    stops.add(3, BUY, 103);
    stops.add(4, BUY, 110);
    expect(stops.trigger(105)).toEqual([2, 3, 1]);
    expect(stops.has(4)).toBe(true);
  });

  it("stops - sells trigger in the order a falling price reaches them", () => {
    const stops = new StopBook();
    stops.trigger(100);
    stops.add(1, SELL, 96);
    stops.add(2, SELL, 98);
    stops.add(3, SELL, 97);
    expect(stops.trigger(90)).toEqual([2, 3, 1]);
  });

  it("stops - ties at one stop price go by insertion order", () => {
    const stops = new StopBook();
    stops.trigger(100);
    stops.add(3, BUY, 102);
    stops.add(1, BUY, 102);
    stops.add(2, BUY, 101);
    expect(stops.trigger(102)).toEqual([2, 3, 1]);
  });

  it("stops - stops already through at the previous price trigger first, by insertion", () => {
    const stops = new StopBook();
    stops.trigger(100);
    stops.add(1, BUY, 101);
    stops.add(2, SELL, 100);
    stops.add(3, BUY, 99);
    stops.add(4, BUY, 100);
    // From 100 up to 102: the buys at 99 and 100 were through at 100, the one at 101 comes after.
    // The sell at 100 waits: only the new price counts, and 102 is not at or below 100.
    expect(stops.trigger(102)).toEqual([3, 4, 1]);
    expect(stops.has(2)).toBe(true);
  });

  it("stops - with no previous price every triggered stop goes by insertion order", () => {
    const stops = new StopBook();
    stops.add(1, BUY, 103);
    stops.add(2, BUY, 101);
    expect(stops.lastPrice).toBeNaN();
    expect(stops.trigger(105)).toEqual([1, 2]);
    expect(stops.lastPrice).toBe(105);
  });

  it("stops - remove, has and size", () => {
    const stops = new StopBook();
    stops.add(1, BUY, 105);
    stops.add(2, BUY, 105);
    stops.add(3, SELL, 95);
    expect(stops.size).toBe(3);
    expect(stops.remove(1)).toBe(true);
    expect(stops.remove(1)).toBe(false);
    expect(stops.has(1)).toBe(false);
    expect(stops.trigger(105)).toEqual([2]);
    expect(stops.has(2)).toBe(false);
    expect(stops.size).toBe(1);
    stops.add(1, SELL, 90);
    expect(stops.trigger(80)).toEqual([3, 1]);
  });

  it("stops - malformed input throws InvalidInputError", () => {
    const stops = new StopBook();
    stops.add(1, BUY, 105);
    expect(() => stops.add(1, SELL, 95)).toThrow(InvalidInputError);
    expect(() => stops.add(2, BUY, 1.5)).toThrow(InvalidInputError);
    expect(() => stops.add(2.5, BUY, 1)).toThrow(InvalidInputError);
    expect(() => stops.add(2, 3 as never, 1)).toThrow(InvalidInputError);
    expect(stops.size).toBe(1);
  });
});

/** The rule, written plainly: where on the path from `from` each stop triggers, then insertion. */
class NaiveStops {
  stops: Array<{ id: number; side: Side; stop: number; seq: number }> = [];
  seq = 0;
  previous = Number.NaN;
  add(id: number, side: Side, stop: number) {
    this.stops.push({ id, side, stop, seq: this.seq++ });
  }
  remove(id: number) {
    const before = this.stops.length;
    this.stops = this.stops.filter((s) => s.id !== id);
    return this.stops.length < before;
  }
  trigger(price: number): number[] {
    const from = Number.isNaN(this.previous) ? price : this.previous;
    this.previous = price;
    const hit = this.stops.filter((s) => (s.side === BUY ? price >= s.stop : price <= s.stop));
    this.stops = this.stops.filter((s) => !hit.includes(s));
    const at = (s: (typeof hit)[number]) =>
      s.side === BUY ? Math.max(0, s.stop - from) : Math.max(0, from - s.stop);
    return hit.sort((a, b) => at(a) - at(b) || a.seq - b.seq).map((s) => s.id);
  }
}

type StopOp =
  | { kind: "add"; side: Side; stop: number }
  | { kind: "remove"; pick: number }
  | { kind: "trigger"; price: number };

describe("stops - property", () => {
  it("stops - agrees with the plain rule on random sequences", () => {
    const price = fc.integer({ min: 90, max: 110 });
    const op: fc.Arbitrary<StopOp> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("add" as const),
          side: fc.constantFrom<Side>(BUY, SELL),
          stop: price,
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant("remove" as const), pick: fc.nat(1_000) }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("trigger" as const), price }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100, size: "max" }), (ops) => {
        const stops = new StopBook();
        const naive = new NaiveStops();
        let nextId = 1;
        for (const o of ops) {
          if (o.kind === "add") {
            stops.add(nextId, o.side, o.stop);
            naive.add(nextId++, o.side, o.stop);
          } else if (o.kind === "remove") {
            const id = (o.pick % nextId) + 1;
            expect(stops.remove(id)).toBe(naive.remove(id));
          } else {
            expect(stops.trigger(o.price)).toEqual(naive.trigger(o.price));
          }
          expect(stops.size).toBe(naive.stops.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
