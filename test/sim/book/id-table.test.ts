import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdTable } from "../../../src/sim/book/id-table.js";

type IdOp = { kind: "add" | "delete" | "get"; key: number };

describe("book - IdTable", () => {
  it("book - IdTable behaves like a Map under insert/delete/lookup churn", () => {
    // Small keys collide and form long probe runs; large and negative safe integers hash too.
    const key = fc.oneof(
      fc.integer({ min: 0, max: 64 }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    );
    const op = fc.record({
      kind: fc.constantFrom<IdOp["kind"]>("add", "add", "delete", "get"),
      key,
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400, size: "max" }), (ops) => {
        const table = new IdTable<{ key: number }>();
        const map = new Map<number, { key: number }>();
        for (const o of ops) {
          if (o.kind === "add" && !map.has(o.key)) {
            const value = { key: o.key };
            table.add(o.key, value);
            map.set(o.key, value);
          } else if (o.kind === "delete") {
            expect(table.delete(o.key)).toBe(map.delete(o.key));
          }
          // Plain comparisons first: expect() per step would dominate the run time.
          const got = [table.get(o.key), table.has(o.key), table.size];
          const want = [map.get(o.key), map.has(o.key), map.size];
          if (got.some((g, i) => g !== want[i])) expect(got).toEqual(want);
        }
        for (const [k, v] of map) expect(table.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });
});
