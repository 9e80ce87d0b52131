import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadTraderTemplate, recordTraderOutcome } from "../../../src/actors/templates/index.js";
import { type Sandbox, sandbox } from "./support.js";

/** When set, rename (the step after the temp file is written and fsynced) fails. */
const interrupt = vi.hoisted(() => ({ rename: false, renamed: [] as string[], written: "" }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...real,
    rename: async (from: string, to: string) => {
      interrupt.renamed.push(from);
      if (interrupt.rename) {
        interrupt.written = await real.readFile(from, "utf8");
        throw new Error("interrupted between write and rename");
      }
      return real.rename(from, to);
    },
  };
});

let box: Sandbox;
afterEach(() => {
  interrupt.rename = false;
  interrupt.renamed.length = 0;
  interrupt.written = "";
  box?.remove();
});

const OUTCOME = {
  strategy: "sma-cross",
  params: { fast: 10, slow: 40 },
  trades: 4,
  pnl: "12.5",
  returnPct: 0.5,
  at: Date.UTC(2024, 0, 1),
};

describe("templates - atomic write-back", () => {
  it("templates - the new text goes to a temp file in the same directory, renamed over the original", async () => {
    box = sandbox();
    await recordTraderOutcome(box.trader, "BTC/USDT", OUTCOME);
    expect(interrupt.renamed).toHaveLength(1);
    expect(dirname(interrupt.renamed[0]!)).toBe(dirname(box.trader));
    expect(readdirSync(dirname(box.trader)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("templates - a write interrupted before the rename leaves the original intact and no temp file", async () => {
    box = sandbox();
    await recordTraderOutcome(box.trader, "BTC/USDT", OUTCOME);
    const before = box.read(box.trader);
    interrupt.rename = true;
    await expect(
      recordTraderOutcome(box.trader, "BTC/USDT", { ...OUTCOME, trades: 9 }),
    ).rejects.toThrow("interrupted between write and rename");
    expect(interrupt.written).toContain("trades: 9"); // the new text was complete in the temp file
    expect(box.read(box.trader)).toBe(before);
    expect(readdirSync(dirname(box.trader)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    // The next write-back works from the intact file.
    interrupt.rename = false;
    await recordTraderOutcome(box.trader, "BTC/USDT", { ...OUTCOME, trades: 5 });
    const loaded = await loadTraderTemplate(box.trader);
    expect(loaded.learned.outcomes["BTC/USDT"]!.map((o) => o.trades)).toEqual([4, 5]);
  });
});
