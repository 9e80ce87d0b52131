import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import {
  bollingerBreakout,
  defineStrategy,
  donchianBreakout,
  gridOf,
  type ParamValues,
  parseParamList,
  randomOf,
  resolveParams,
  type Strategy,
  smaCross,
  valuesOf,
} from "../../src/strategy/index.js";

const noop = { onCandle: () => undefined };

const picky = defineStrategy({
  name: "picky",
  description: "three kinds of parameter",
  params: {
    a: { type: "int", default: 1, min: 1, max: 3 },
    b: { type: "float", default: 0.5, min: 0, max: 1 },
    c: { type: "choice", default: "close", options: ["close", "hl2"] },
  },
  warmup: () => 1,
  create: () => noop,
});

const bare = defineStrategy({
  name: "always-long",
  description: "no parameters",
  params: {},
  warmup: () => 1,
  create: () => noop,
});

/** A grid too big to enumerate in randomOf: 100³ combinations, a + b odd ones valid. */
const wide = defineStrategy<{ a: number; b: number; c: number }>({
  name: "wide",
  description: "a large grid",
  params: {
    a: { type: "int", default: 1, min: 1, max: 100 },
    b: { type: "int", default: 2, min: 1, max: 100 },
    c: { type: "int", default: 1, min: 1, max: 100 },
  },
  validate: ({ a, b }) => ((a + b) % 2 === 1 ? undefined : "'a' + 'b' must be odd"),
  warmup: () => 1,
  create: () => noop,
});

function errorOf(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return err as InvalidInputError;
  }
  throw new Error("expected an error");
}

describe("params", () => {
  it("params - defaults fill what is not given, in schema order, frozen", () => {
    const params = resolveParams(smaCross, { slow: "50" });
    expect(params).toEqual({ fast: 10, slow: 50 });
    expect(Object.keys(params)).toEqual(["fast", "slow"]);
    expect(Object.isFrozen(params)).toBe(true);
    expect(resolveParams(picky, {})).toEqual({ a: 1, b: 0.5, c: "close" });
  });

  it("params - text from a command line is parsed by type", () => {
    expect(resolveParams(picky, { a: "3", b: " 0.25 ", c: "hl2" })).toEqual({
      a: 3,
      b: 0.25,
      c: "hl2",
    });
    expect(resolveParams(picky, { a: "2.0", b: ".5" })).toMatchObject({ a: 2, b: 0.5 });
    expect(resolveParams(picky, { a: 2, b: 1 })).toMatchObject({ a: 2, b: 1 });
    expect(resolveParams(bollingerBreakout, { stdDev: "2.5", period: "1e1" })).toMatchObject({
      period: 10,
      stdDev: 2.5,
    });
  });

  it("params - a bad value names the strategy, the parameter and what is allowed", () => {
    const fast = (v: string | number) =>
      errorOf(() => resolveParams(smaCross, { fast: v })).message;
    expect(fast("abc")).toBe(
      `sma-cross: parameter 'fast' must be an integer from 2 to 200, got "abc"`,
    );
    expect(fast("2.5")).toBe(
      `sma-cross: parameter 'fast' must be an integer from 2 to 200, got "2.5"`,
    );
    expect(fast("201")).toBe(
      `sma-cross: parameter 'fast' must be an integer from 2 to 200, got "201"`,
    );
    expect(fast(1)).toBe("sma-cross: parameter 'fast' must be an integer from 2 to 200, got 1");
    for (const bad of ["", " ", "NaN", "Infinity", "0x10", "1,5", "5abc"]) {
      expect(fast(bad)).toContain(`got ${JSON.stringify(bad)}`);
    }
    expect(errorOf(() => resolveParams(bollingerBreakout, { stdDev: "0.5" })).message).toBe(
      `bollinger-breakout: parameter 'stdDev' must be a number from 1 to 3, got "0.5"`,
    );
    expect(errorOf(() => resolveParams(picky, { c: "open" })).message).toBe(
      `picky: parameter 'c' must be one of close, hl2, got "open"`,
    );
  });

  it("params - an unknown name is refused, listing the parameters", () => {
    expect(errorOf(() => resolveParams(smaCross, { fats: "10" })).message).toBe(
      "sma-cross has no parameter 'fats' (parameters: fast, slow)",
    );
    expect(errorOf(() => resolveParams(bare, { x: 1 })).message).toBe(
      "always-long has no parameter 'x' (it takes no parameters)",
    );
    expect(errorOf(() => resolveParams(smaCross, { toString: "1" })).message).toContain(
      "no parameter 'toString'",
    );
  });

  it("params - cross-parameter constraints come from the strategy's validate", () => {
    expect(errorOf(() => resolveParams(smaCross, { fast: "30", slow: "10" })).message).toBe(
      "sma-cross: 'fast' (30) must be less than 'slow' (10)",
    );
    expect(errorOf(() => resolveParams(smaCross, { fast: "40" })).message).toBe(
      "sma-cross: 'fast' (40) must be less than 'slow' (30)",
    );
  });

  it("params - parseParamList reads name=value pairs", () => {
    expect(parseParamList("fast=10,slow=30")).toEqual({ fast: "10", slow: "30" });
    expect(parseParamList(" fast = 10 , source=close ")).toEqual({ fast: "10", source: "close" });
    expect(parseParamList("")).toEqual({});
    expect(parseParamList("   ")).toEqual({});
  });

  it("params - parseParamList names the bad piece", () => {
    const message = (text: string) => errorOf(() => parseParamList(text)).message;
    expect(message("fast10,slow=30")).toBe(
      `parameter list "fast10,slow=30": "fast10" is not name=value`,
    );
    expect(message("fast=10,,slow=30")).toBe(
      `parameter list "fast=10,,slow=30": "" is not name=value`,
    );
    expect(message("=3")).toBe(`parameter list "=3": "=3" is not name=value`);
    expect(message("fast=")).toBe(`parameter list "fast=": "fast=" is not name=value`);
    expect(message("fast=1,fast=2")).toBe(
      `parameter list "fast=1,fast=2": parameter 'fast' is given twice`,
    );
  });
});

describe("grid", () => {
  it("grid - numeric params step from min to max, the first param varying slowest", () => {
    expect(valuesOf(picky.params.b!)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(valuesOf(picky.params.a!)).toEqual([1, 2, 3]);
    expect(valuesOf(smaCross.params.slow!)).toHaveLength(80);
    const grid = gridOf(picky);
    expect(grid).toHaveLength(3 * 11 * 2);
    expect(grid.slice(0, 3)).toEqual([
      { a: 1, b: 0, c: "close" },
      { a: 1, b: 0, c: "hl2" },
      { a: 1, b: 0.1, c: "close" },
    ]);
    expect(grid.at(-1)).toEqual({ a: 3, b: 1, c: "hl2" });
    expect(new Set(grid.map((p) => JSON.stringify(p))).size).toBe(grid.length);
    expect(gridOf(bare)).toEqual([{}]);
  });

  it("grid - combinations failing validate are skipped; the result is deterministic", () => {
    const grid = gridOf(smaCross);
    let expected = 0;
    for (let fast = 2; fast <= 200; fast += 2) {
      for (let slow = 5; slow <= 400; slow += 5) if (fast < slow) expected++;
    }
    expect(grid).toHaveLength(expected);
    expect(grid.every((p) => (p.fast as number) < (p.slow as number))).toBe(true);
    expect(gridOf(smaCross)).toEqual(grid);
  });

  it("grid - too many combinations is refused, naming the count", () => {
    expect(errorOf(() => gridOf(smaCross, { maxCombinations: 1000 })).message).toBe(
      "sma-cross: the parameter grid has 8,000 combinations, more than the limit of 1,000",
    );
    expect(errorOf(() => gridOf(wide)).message).toBe(
      "wide: the parameter grid has 1,000,000 combinations, more than the limit of 10,000",
    );
    expect(gridOf(picky, { maxCombinations: 66 })).toHaveLength(66);
  });
});

describe("fixed parameters", () => {
  it("grid - fixed parameters are held at one value, parsed like the CLI's", () => {
    const fixed = { stopLossPct: 0, takeProfitPct: "0" };
    const grid = gridOf(donchianBreakout, { fixed });
    expect(grid).toHaveLength(20 * 13);
    expect(grid.every((p) => p.stopLossPct === 0 && p.takeProfitPct === 0)).toBe(true);
    // Pinned outside the step grid is fine, as in resolveParams.
    expect(gridOf(smaCross, { fixed: { fast: "7" } }).map((p) => p.slow)[0]).toBe(10);
    const draw = randomOf(donchianBreakout, 50, "s", { fixed });
    expect(new Set(draw.map((p) => JSON.stringify(p))).size).toBe(50);
    expect(draw.every((p) => p.stopLossPct === 0 && p.takeProfitPct === 0)).toBe(true);
  });

  it("grid - a bad fixed parameter is refused like a bad CLI value", () => {
    expect(errorOf(() => gridOf(smaCross, { fixed: { fats: 3 } })).message).toBe(
      "sma-cross has no parameter 'fats' (parameters: fast, slow)",
    );
    expect(errorOf(() => randomOf(smaCross, 3, 1, { fixed: { fast: "x" } })).message).toBe(
      `sma-cross: parameter 'fast' must be an integer from 2 to 200, got "x"`,
    );
  });
});

describe("random", () => {
  const onGrid = (strategy: Strategy, p: ParamValues) =>
    Object.entries(strategy.params).every(([name, spec]) => valuesOf(spec).includes(p[name]!));

  for (const strategy of [smaCross, wide] as Strategy[]) {
    it(`random - ${strategy.name}: seeded, unique, valid and on the grid`, () => {
      const draw = randomOf(strategy, 200, "seed-1");
      expect(draw).toHaveLength(200);
      expect(randomOf(strategy, 200, "seed-1")).toEqual(draw);
      expect(randomOf(strategy, 200, "seed-2")).not.toEqual(draw);
      expect(new Set(draw.map((p) => JSON.stringify(p))).size).toBe(200);
      for (const p of draw) {
        expect(strategy.validate?.(p)).toBeUndefined();
        expect(onGrid(strategy, p)).toBe(true);
        expect(resolveParams(strategy, p)).toEqual(p);
      }
      // A longer draw from the same seed starts with the shorter one.
      expect(randomOf(strategy, 250, "seed-1").slice(0, 200)).toEqual(draw);
      expect(randomOf(strategy, 5, 42)).toEqual(randomOf(strategy, 5, 42));
    });
  }

  it("random - asking for more than the grid holds returns all of it, shuffled", () => {
    const draw = randomOf(picky, 500, 1);
    expect(draw).toHaveLength(66);
    expect(new Set(draw.map((p) => JSON.stringify(p)))).toEqual(
      new Set(gridOf(picky).map((p) => JSON.stringify(p))),
    );
    expect(draw).not.toEqual(gridOf(picky));
    expect(randomOf(picky, 0, 1)).toEqual([]);
  });

  it("random - a count that is not a whole number is refused", () => {
    expect(errorOf(() => randomOf(picky, -1, 1)).message).toBe(
      "picky: count must be an integer >= 0, got -1",
    );
    expect(errorOf(() => randomOf(picky, 1.5, 1)).message).toContain("got 1.5");
  });
});
