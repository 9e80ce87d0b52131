import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LOSING_STREAK, plansFromTemplates } from "../../../src/actors/from-templates.js";
import {
  loadDeskTemplate,
  loadHolderTemplate,
  loadTraderTemplate,
  MAX_OUTCOMES_PER_PAIR,
  markFailedStrategy,
  markLosingAsset,
  recordTraderOutcome,
  type TraderOutcome,
} from "../../../src/actors/templates/index.js";
import { ConfigError } from "../../../src/config/issues.js";
import { InvalidInputError } from "../../../src/domain/errors.js";
import type { Clock } from "../../../src/time/clock.js";
import { type Sandbox, sandbox } from "./support.js";

let box: Sandbox;
afterEach(() => box?.remove());

const T0 = Date.UTC(2024, 0, 1);

function outcome(overrides: Partial<TraderOutcome> = {}): TraderOutcome {
  return {
    strategy: "sma-cross",
    params: { fast: 10, slow: 40 },
    trades: 4,
    pnl: "12.5",
    returnPct: 0.5,
    at: T0,
    ...overrides,
  };
}

/** The text before the top-level `learned:` key. */
function beforeLearned(text: string): string {
  return text.slice(0, text.indexOf("\nlearned:"));
}

function tempFiles(path: string): string[] {
  return readdirSync(dirname(path)).filter((name) => name.endsWith(".tmp"));
}

describe("templates - learning write-back", () => {
  it("templates - an outcome is appended under learned.outcomes; the rest of the file is untouched", async () => {
    box = sandbox();
    const original = box.read(box.trader);
    await recordTraderOutcome(box.trader, "BTC/USDT", outcome());
    const text = box.read(box.trader);
    expect(beforeLearned(text)).toBe(beforeLearned(original));
    expect(text.slice(text.indexOf("\nlearned:"))).toBe(`
learned:
  outcomes:
    BTC/USDT:
      - strategy: sma-cross
        params: { fast: 10, slow: 40 }
        trades: 4
        pnl: "12.5"
        returnPct: 0.5
        at: 2024-01-01T00:00:00.000Z
`);
    const loaded = await loadTraderTemplate(box.trader);
    expect(loaded.learned.outcomes).toEqual({ "BTC/USDT": [outcome()] });
  });

  it("templates - write-back keeps a comment and a blank line the human wrote elsewhere", async () => {
    box = sandbox();
    box.edit(box.trader, "exits:\n", "exits:\n  # tighter after the March crash\n\n");
    box.edit(box.trader, "warmup:\n", "\n\n# one day and a half\nwarmup:   \n");
    // The human also moved `learned:` above `exits:`; what follows it stays too.
    const text = box.read(box.trader);
    const learned = text.slice(text.indexOf("# Written by crypy"));
    box.write(
      box.trader,
      text.replace(learned, "").replace("# Exits the", `${learned}\n# Exits the`),
    );
    const original = box.read(box.trader);

    await recordTraderOutcome(box.trader, "ETH/USDT", outcome({ pnl: "-3", returnPct: -0.1 }));
    await recordTraderOutcome(box.trader, "ETH/USDT", outcome({ at: T0 + 60_000 }));

    const after = box.read(box.trader);
    expect(after).toContain("exits:\n  # tighter after the March crash\n\n  stopLossPct: 2");
    expect(after).toContain("\n\n\n# one day and a half\nwarmup:   \n");
    expect(beforeLearned(after)).toBe(beforeLearned(original));
    const tail = (s: string) => s.slice(s.indexOf("# Exits the"));
    expect(tail(after)).toBe(tail(original));
    const loaded = await loadTraderTemplate(box.trader);
    expect(loaded.learned.outcomes["ETH/USDT"]?.map((o) => o.pnl)).toEqual(["-3", "12.5"]);
    expect(loaded.exits.stopLossPct).toBe(2);
  });

  it("templates - a comment inside the learned section is kept", async () => {
    box = sandbox();
    box.edit(
      box.holder,
      "learned:\n  failedStrategies: []",
      "learned:\n  # reviewed on Monday\n  failedStrategies: []",
    );
    await markFailedStrategy(box.holder, "macd", "ETH/USDT", 3, "-1.5");
    expect(box.read(box.holder)).toContain(
      "learned:\n  # reviewed on Monday\n  failedStrategies:\n    - strategy: macd\n",
    );
  });

  it("templates - outcomes are kept oldest first, at most MAX_OUTCOMES_PER_PAIR per pair", async () => {
    box = sandbox();
    const total = MAX_OUTCOMES_PER_PAIR + 2;
    for (let k = 0; k < total; k++) {
      await recordTraderOutcome(box.trader, "BTC/USDT", outcome({ trades: k, at: T0 + k }));
    }
    await recordTraderOutcome(box.trader, "ETH/USDT", outcome({ trades: 99 }));
    const loaded = await loadTraderTemplate(box.trader);
    const kept = loaded.learned.outcomes["BTC/USDT"]!;
    expect(kept).toHaveLength(MAX_OUTCOMES_PER_PAIR);
    expect(kept.map((o) => o.trades)).toEqual(
      Array.from({ length: MAX_OUTCOMES_PER_PAIR }, (_, i) => i + 2),
    );
    expect(loaded.learned.outcomes["ETH/USDT"]!.map((o) => o.trades)).toEqual([99]);
  });

  it("templates - concurrent write-backs to one file are all kept", async () => {
    box = sandbox();
    await Promise.all(
      Array.from({ length: 8 }, (_, k) =>
        recordTraderOutcome(box.trader, "BTC/USDT", outcome({ trades: k })),
      ),
    );
    const loaded = await loadTraderTemplate(box.trader);
    expect(loaded.learned.outcomes["BTC/USDT"]!.map((o) => o.trades)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    expect(tempFiles(box.trader)).toEqual([]);
  });

  it("templates - a failed strategy is merged by strategy: pair added once, trades and pnl summed exactly", async () => {
    box = sandbox();
    const original = box.read(box.holder);
    await markFailedStrategy(box.holder, "macd", "ETH/USDT", 3, "-0.1");
    await markFailedStrategy(box.holder, "sma-cross", "BTC/USDT", 1, "-5");
    await markFailedStrategy(box.holder, "macd", "BTC/USDT", 2, "-0.2");
    await markFailedStrategy(box.holder, "macd", "ETH/USDT", 1, "0.05");
    const text = box.read(box.holder);
    expect(beforeLearned(text)).toBe(beforeLearned(original));
    expect(text.slice(text.indexOf("\nlearned:"))).toBe(`
learned:
  failedStrategies:
    - strategy: macd
      pairs: [ ETH/USDT, BTC/USDT ]
      trades: 6
      pnl: "-0.25"
    - strategy: sma-cross
      pairs: [ BTC/USDT ]
      trades: 1
      pnl: "-5"
`);
    expect((await loadHolderTemplate(box.holder)).learned.failedStrategies).toEqual([
      { strategy: "macd", pairs: ["ETH/USDT", "BTC/USDT"], trades: 6, pnl: "-0.25" },
      { strategy: "sma-cross", pairs: ["BTC/USDT"], trades: 1, pnl: "-5" },
    ]);
  });

  it("templates - a losing asset is recorded, and replaced by newer totals", async () => {
    box = sandbox();
    const original = box.read(box.desk);
    await markLosingAsset(box.desk, "USDT", 3, "-10", T0);
    await markLosingAsset(box.desk, "USDT", 7, "-42.25", T0 + 86_400_000);
    const text = box.read(box.desk);
    expect(beforeLearned(text)).toBe(beforeLearned(original));
    expect(text.slice(text.indexOf("\nlearned:"))).toBe(`
learned:
  losingAssets:
    - asset: USDT
      trades: 7
      pnl: "-42.25"
      since: 2024-01-02T00:00:00.000Z
`);
    expect((await loadDeskTemplate(box.desk)).learned.losingAssets).toEqual([
      { asset: "USDT", trades: 7, pnl: "-42.25", since: T0 + 86_400_000 },
    ]);
  });

  it("templates - a missing or empty learned section is created", async () => {
    box = sandbox();
    const original = box.read(box.desk);
    const withoutLearned = original.slice(0, original.indexOf("# Written by crypy"));
    box.write(box.desk, withoutLearned);
    await markLosingAsset(box.desk, "USDT", 1, "-1", T0);
    expect(box.read(box.desk).startsWith(withoutLearned)).toBe(true);
    expect((await loadDeskTemplate(box.desk)).learned.losingAssets).toHaveLength(1);

    box.write(box.desk, `${withoutLearned}learned:\n`);
    await markLosingAsset(box.desk, "USDT", 2, "-2", T0);
    expect(box.read(box.desk)).toBe(
      `${withoutLearned}learned:\n  losingAssets:\n    - asset: USDT\n      trades: 2\n      pnl: "-2"\n      since: 2024-01-01T00:00:00.000Z\n`,
    );
  });

  it("templates - a layout the section splice cannot handle is re-printed whole, data intact", async () => {
    box = sandbox();
    const path = `${box.dir}/flow.yaml`;
    box.write(path, "{ note: [a, b], learned: { losingAssets: [] } }\n");
    await markLosingAsset(path, "BTC", 1, "-2", T0);
    expect(parse(box.read(path))).toEqual({
      note: ["a", "b"],
      learned: {
        losingAssets: [{ asset: "BTC", trades: 1, pnl: "-2", since: "2024-01-01T00:00:00.000Z" }],
      },
    });
  });

  it("templates - bad arguments and broken files are refused and the file is left as it was", async () => {
    box = sandbox();
    const original = box.read(box.holder);
    await expect(markFailedStrategy(box.holder, "macd", "ETH/USDT", 1, "-1e3")).rejects.toThrow(
      InvalidInputError,
    );
    await expect(markFailedStrategy(box.holder, "macd", "ETHUSDT", 1, "-1")).rejects.toThrow(
      InvalidInputError,
    );
    await expect(markFailedStrategy(box.holder, "macd", "ETH/USDT", -1, "-1")).rejects.toThrow(
      InvalidInputError,
    );
    await expect(
      recordTraderOutcome(box.trader, "BTC/USDT", outcome({ at: Number.NaN })),
    ).rejects.toThrow(InvalidInputError);
    await expect(markLosingAsset(box.desk, "usdt", 1, "-1", T0)).rejects.toThrow(InvalidInputError);
    expect(box.read(box.holder)).toBe(original);

    const broken = original.replace("mandateTtl: 1h", "mandateTtl: [1h");
    box.write(box.holder, broken);
    await expect(markFailedStrategy(box.holder, "macd", "ETH/USDT", 1, "-1")).rejects.toThrow(
      ConfigError,
    );
    expect(box.read(box.holder)).toBe(broken);
    expect(tempFiles(box.holder)).toEqual([]);
  });

  it("templates - outcomes are written at a wall clock's fractional ms, as whole ms", async () => {
    box = sandbox();
    // What a WallClock answers: real elapsed time has a fraction of a millisecond.
    const now = 1704200460395.2292;
    const clock: Clock = { now: () => now, setTimeout: () => ({ id: 0 }), clearTimeout: () => {} };
    const { holderPlan } = await plansFromTemplates(box.desk, clock);
    const plan = await holderPlan("USDT");
    const lost = {
      trader: "sim-main_BTC-USDT",
      market: "BTC/USDT",
      strategy: "sma-cross",
      params: { fast: 10, slow: 40 },
      trades: 2,
      pnl: "-3.5",
      returnPct: -0.01,
    };
    const written: string[] = [];
    for (let i = 0; i < LOSING_STREAK; i++) written.push(...((await plan.onOutcome!(lost)) ?? []));
    expect(written).toContain(box.desk);
    const whole = Math.floor(now);
    // The Holder's (first) Trader template records the outcome.
    const trader = await loadTraderTemplate(box.breakout);
    expect(trader.learned.outcomes["BTC/USDT"]?.map((o) => o.at)).toEqual([whole, whole, whole]);
    expect((await loadDeskTemplate(box.desk)).learned.losingAssets).toEqual([
      { asset: "USDT", trades: 6, pnl: "-10.5", since: whole },
    ]);
    expect((await loadHolderTemplate(box.holder)).learned.failedStrategies).toMatchObject([
      { strategy: "sma-cross", pairs: ["BTC/USDT"], trades: 6 },
    ]);
  });

  it("templates - a fractional time is recorded as whole ms; one no Date can hold is refused", async () => {
    box = sandbox();
    await recordTraderOutcome(box.trader, "BTC/USDT", outcome({ at: T0 + 0.75 }));
    expect(box.read(box.trader)).toContain("at: 2024-01-01T00:00:00.000Z");
    await expect(
      recordTraderOutcome(box.trader, "BTC/USDT", outcome({ at: 9e15 })),
    ).rejects.toThrow(/at must be epoch milliseconds, got 9000000000000000/);
  });

  it("templates - an outcome is learnt in the trader template its Trader was made from", async () => {
    box = sandbox();
    box.edit(
      box.holder,
      "traderTemplates: [../trader/breakout.yaml]",
      "traderTemplates: [../trader/breakout.yaml, ../trader/multi-strategy.yaml]",
    );
    const clock: Clock = { now: () => T0, setTimeout: () => ({ id: 0 }), clearTimeout: () => {} };
    const { holderPlan } = await plansFromTemplates(box.desk, clock);
    const plan = await holderPlan("USDT");
    // Spawns take the templates in turn: BTC/USDT from breakout, then ETH/USDT from multi-strategy.
    await plan.traderPlan("BTC/USDT");
    await plan.traderPlan("ETH/USDT");
    const result = (market: string) => ({
      trader: `sim-main_${market.replace("/", "-")}`,
      market,
      strategy: "sma-cross",
      params: { fast: 10, slow: 40 },
      trades: 1,
      pnl: "2",
      returnPct: 0.001,
    });
    expect(await plan.onOutcome!(result("ETH/USDT"))).toEqual([box.multi]);
    expect(await plan.onOutcome!(result("BTC/USDT"))).toEqual([box.breakout]);
    expect(Object.keys((await loadTraderTemplate(box.multi)).learned.outcomes)).toEqual([
      "ETH/USDT",
    ]);
    expect(Object.keys((await loadTraderTemplate(box.breakout)).learned.outcomes)).toEqual([
      "BTC/USDT",
    ]);
  });
});
