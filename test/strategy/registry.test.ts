import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import {
  BUILTIN_STRATEGIES,
  getStrategy,
  loadStrategy,
  resolveParams,
  smaCross,
  strategyNames,
} from "../../src/strategy/index.js";
import { candlesOf, runOnCandle } from "./strategy-support.js";

const STRATEGY_API = new URL("../../src/strategy/strategy.js", import.meta.url).pathname;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-strategies-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(nameOrPath: string): Promise<InvalidInputError> {
  const err = await loadStrategy(nameOrPath).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  return err as InvalidInputError;
}

const BUY_BELOW_MJS = `
export default {
  name: "buy-below",
  description: "buys under a level, sells over it",
  params: { level: { type: "float", default: 100, min: 1, max: 1000 } },
  warmup: () => 0,
  create: ({ level }) => ({
    onCandle: (c, ctx) =>
      !ctx.inPosition && c.close < level
        ? { action: "enter", side: "long" }
        : ctx.inPosition && c.close > level
          ? { action: "exit" }
          : undefined,
  }),
};
`;

describe("registry", () => {
  it("registry - the seven built-ins, by name; the long-only ones have a fast path", () => {
    expect(strategyNames()).toEqual([
      "sma-cross",
      "ema-cross",
      "macd",
      "rsi-reversion",
      "bollinger-breakout",
      "donchian-breakout",
      "sma-long-short",
    ]);
    for (const name of strategyNames()) {
      expect(getStrategy(name)).toBe(BUILTIN_STRATEGIES[name]);
      expect(getStrategy(name).name).toBe(name);
      // The fast path models long or flat: a strategy that shorts has none (sweeps go full).
      const shorts = getStrategy(name).needs?.short === true;
      expect(typeof getStrategy(name).positions).toBe(shorts ? "undefined" : "function");
    }
    expect(Object.isFrozen(BUILTIN_STRATEGIES)).toBe(true);
  });

  it("registry - an unknown name lists the built-ins and suggests the closest", () => {
    const message = (name: string) => {
      try {
        getStrategy(name);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidInputError);
        return (err as Error).message;
      }
      throw new Error("expected an error");
    };
    const list =
      "built-ins: sma-cross, ema-cross, macd, rsi-reversion, bollinger-breakout, donchian-breakout, sma-long-short";
    expect(message("sma-cros")).toBe(
      `unknown strategy 'sma-cros' (did you mean 'sma-cross'?); ${list}`,
    );
    expect(message("SMA-Cross")).toContain("(did you mean 'sma-cross'?)");
    expect(message("bollinger")).toContain("(did you mean 'bollinger-breakout'?)");
    expect(message("rsi")).toContain("(did you mean 'rsi-reversion'?)");
    expect(message("quantum-arbitrage")).toBe(`unknown strategy 'quantum-arbitrage'; ${list}`);
    expect(message("toString")).toContain("unknown strategy 'toString'");
  });

  it("registry - loadStrategy takes a built-in name", async () => {
    expect(await loadStrategy("sma-cross")).toBe(smaCross);
    expect((await loadError("sma-crosss")).message).toContain("did you mean 'sma-cross'?");
  });

  it("registry - loadStrategy imports a .mjs file's default export", async () => {
    const path = await file("buy-below.mjs", BUY_BELOW_MJS);
    const strategy = await loadStrategy(path);
    expect(strategy.name).toBe("buy-below");
    const params = resolveParams(strategy, { level: "10" });
    const run = runOnCandle(strategy, params, candlesOf([11, 9, 8, 12, 9]));
    expect(run.signals.map((s) => `${s.signal.action}@${s.index}`)).toEqual([
      "enter@1",
      "exit@3",
      "enter@4",
    ]);
    // A relative path resolves from the working directory.
    expect((await loadStrategy(relative(process.cwd(), path))).name).toBe("buy-below");
  });

  it("registry - loadStrategy compiles a .ts file and takes its `strategy` export", async () => {
    const path = await file(
      "typed.ts",
      `import { defineStrategy } from ${JSON.stringify(STRATEGY_API)};
type P = { n: number };
const first = (n: number): number => n;
export const strategy = defineStrategy<P>({
  name: "typed",
  description: "TypeScript, with types",
  params: { n: { type: "int", default: 3, min: 1, max: 9 } },
  warmup: ({ n }: P) => first(n),
  create: () => ({ onCandle: () => undefined }),
});
`,
    );
    const strategy = await loadStrategy(path);
    expect(strategy.name).toBe("typed");
    expect(strategy.warmup(resolveParams(strategy, {}))).toBe(3);
  });

  it("registry - loadStrategy takes an ES module TypeScript file's default export", async () => {
    const path = await file(
      "buy-below.mts",
      BUY_BELOW_MJS.replace("({ level })", "({ level }: { level: number })"),
    );
    expect((await loadStrategy(path)).name).toBe("buy-below");
  });

  it("registry - a missing file is named by its resolved path", async () => {
    const path = join(dir, "nope.mjs");
    expect((await loadError(path)).message).toBe(`strategy file not found: ${path}`);
    const relativePath = relative(process.cwd(), path);
    expect((await loadError(relativePath)).message).toBe(`strategy file not found: ${path}`);
    expect((await loadError(dir)).message).toBe(`strategy file is not a file: ${dir}`);
  });

  it("registry - a file that does not export a strategy says what is missing", async () => {
    const partial = await file("partial.mjs", `export default { name: "half", params: {} };`);
    expect((await loadError(partial)).message).toBe(
      `${partial}: not a strategy: missing or wrong 'description' (a string), ` +
        "'warmup' (a function), 'create' (a function)",
    );
    const nothing = await file("nothing.mjs", "export const x = 1;");
    expect((await loadError(nothing)).message).toBe(
      `${nothing}: no strategy exported (expected \`export default defineStrategy({...})\` or ` +
        "`export const strategy`)",
    );
    const scalar = await file("scalar.mjs", "export default 42;");
    expect((await loadError(scalar)).message).toBe(
      `${scalar}: not a strategy: expected an object, got number`,
    );
    const badSchema = await file(
      "bad-schema.mjs",
      BUY_BELOW_MJS.replace("default: 100, min: 1", "default: 5000, min: 1"),
    );
    expect((await loadError(badSchema)).message).toBe(
      `${badSchema}: not a strategy: parameter 'level': 'default' must be a number in min..max`,
    );
  });

  it("registry - a file that fails to load is named with the reason", async () => {
    const broken = await file("broken.mjs", "export default {;");
    const err = await loadError(broken);
    expect(err.message).toMatch(new RegExp(`^cannot load strategy file ${broken}: `));
    expect(err.cause).toBeInstanceOf(Error);
    const throwing = await file("throwing.ts", `throw new Error("boom");\nexport default {};\n`);
    expect((await loadError(throwing)).message).toBe(`cannot load strategy file ${throwing}: boom`);
  });
});
