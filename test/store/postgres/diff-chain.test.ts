/** Binance's rules for whether a stored diff follows the book at update id `id` (diff-chain.ts). */
import { describe, expect, test } from "vitest";
import { chainBreak, lostThrough } from "../../../src/store/postgres/diff-chain.js";

const ids = (first: number | undefined, last: number, prev?: number) => ({ first, last, prev });

describe("diff chain", () => {
  test("spot - joining: first <= id + 1 <= last; chained: first == id + 1 exactly", () => {
    expect(chainBreak(100, true, ids(95, 102))).toBeUndefined();
    expect(chainBreak(100, true, ids(101, 101))).toBeUndefined();
    expect(chainBreak(100, true, ids(102, 103))).toBe(
      "diff U 102 u 103 does not join update id 100 + 1",
    );
    expect(chainBreak(100, false, ids(101, 104))).toBeUndefined();
    expect(chainBreak(100, false, ids(100, 104))).toBe("U 100 is not the last u 100 + 1");
    expect(chainBreak(100, false, ids(102, 104))).toBe("U 102 is not the last u 100 + 1");
  });

  test("futures - joining: first <= id <= last or pu == id; chained: pu == id, whatever U", () => {
    expect(chainBreak(100, true, ids(90, 105, 85))).toBeUndefined();
    expect(chainBreak(100, true, ids(110, 112, 100))).toBeUndefined();
    expect(chainBreak(100, true, ids(101, 112, 99))).toBe(
      "diff U 101 u 112 pu 99 does not join update id 100",
    );
    expect(chainBreak(100, false, ids(150, 160, 100))).toBeUndefined();
    // Spanning the id is the joining rule only.
    expect(chainBreak(100, false, ids(90, 105, 85))).toBe("pu 85 is not the last u 100");
  });

  test("a diff stored without its first id is assumed to follow", () => {
    expect(chainBreak(100, false, ids(undefined, 500))).toBeUndefined();
    expect(chainBreak(100, true, ids(undefined, 500))).toBeUndefined();
  });

  test("the lost ids end before the breaking diff's first (spot) or at its pu (futures), never at or below id", () => {
    expect(lostThrough(100, ids(108, 110))).toBe(107);
    expect(lostThrough(100, ids(150, 160, 140))).toBe(140);
    expect(lostThrough(100, ids(100, 104))).toBe(101);
    expect(lostThrough(100, ids(90, 105, 85))).toBe(101);
  });
});
