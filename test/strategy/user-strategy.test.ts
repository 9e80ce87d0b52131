import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStrategy } from "../../src/strategy/registry.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-strategy-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("strategies - a user's own file outside any project", () => {
  it("strategies - a TypeScript file that imports only types loads and runs", async () => {
    const file = join(dir, "momentum.ts");
    await writeFile(
      file,
      `import type { Strategy } from "crypy";
const momentum: Strategy = {
  name: "momentum",
  description: "test",
  params: { lookback: { type: "int", default: 3, min: 1, max: 10 } },
  warmup: (p) => Number(p.lookback),
  create: () => ({ onCandle: (_c, ctx) => (ctx.inPosition ? undefined : { action: "enter", side: "long" }) }),
};
export default momentum;
`,
    );
    const strategy = await loadStrategy(file);
    expect(strategy.name).toBe("momentum");
    expect(
      strategy
        .create({ lookback: 3 })
        .onCandle(
          { timestamp: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 },
          { inPosition: false, side: undefined, entryPrice: Number.NaN },
        ),
    ).toEqual({ action: "enter", side: "long" });
  });

  it("strategies - importing crypy at run time from outside gives one line with the fix", async () => {
    const file = join(dir, "runtime-import.ts");
    await writeFile(
      file,
      `import { defineStrategy } from "crypy";\nexport default defineStrategy({} as never);\n`,
    );
    const err = (await loadStrategy(file).catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain("\n");
    expect(err.message).toMatch(
      /Cannot find module 'crypy'.*import types only: import type \{ Strategy \} from "crypy"/,
    );
  });
});
