import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import { BUILTIN_MODULES, loadOneStrategy } from "../../src/strategy/load-one.js";
import { getStrategy, strategyNames } from "../../src/strategy/registry.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-load-one-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadOneStrategy", () => {
  it("knows every built-in the registry knows, as the very same object", async () => {
    expect(Object.keys(BUILTIN_MODULES).sort()).toEqual(strategyNames().sort());
    for (const name of strategyNames()) {
      expect(await loadOneStrategy(name)).toBe(getStrategy(name));
    }
  });

  it("gives an unknown name the registry's error, with its suggestion", async () => {
    const err = await loadOneStrategy("sma-cros").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(
      /unknown strategy 'sma-cros' \(did you mean 'sma-cross'\?\)/,
    );
  });

  it("loads a strategy file, and names a missing one", async () => {
    const path = join(dir, "hold.mjs");
    await writeFile(
      path,
      `export default { name: "hold", description: "never trades", params: {},
        warmup: () => 0, create: () => ({ onCandle: () => undefined }) };`,
    );
    expect((await loadOneStrategy(path)).name).toBe("hold");
    await expect(loadOneStrategy(join(dir, "nope.mjs"))).rejects.toThrow(/strategy file not found/);
  });

  it("keeps a backtest worker's static imports free of the heavy packages it never uses", async () => {
    // What a worker loads before its first task, following static imports (not `import type`,
    // not the on-demand `import()` of one strategy): the validation and YAML libraries (venue
    // files), the indicator library (five built-ins) would cost it ~400 ms of start-up.
    const packages = await staticPackages(
      new URL("../../src/strategy/search/worker.ts", import.meta.url).pathname,
    );
    expect(packages).not.toContain("trading-signals");
    expect(packages).not.toContain("zod");
    expect(packages).not.toContain("yaml");
    // The walk itself finds packages: the runner does import node's own modules.
    expect(packages).toContain("node:worker_threads");
  });
});

/** Every bare specifier reachable from `entry` through static value imports of relative files. */
async function staticPackages(entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(file, "utf8");
    for (const m of text.matchAll(/^(import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)";/gms)) {
      const spec = m[2]!;
      if (!spec.startsWith(".")) packages.add(spec);
      else pending.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
    }
  }
  return [...packages];
}
