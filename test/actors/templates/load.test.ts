import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  holderPairs,
  loadDeskTemplate,
  loadHolderTemplate,
  loadTraderTemplate,
  parseDeskTemplate,
  parseTraderTemplate,
} from "../../../src/actors/templates/index.js";
import { DEFAULT_VENUE_FILE, shippedVenues } from "../../../src/sim/config/load.js";
import { gridOf } from "../../../src/strategy/params.js";
import { getStrategy, strategyNames } from "../../../src/strategy/registry.js";
import { PRISTINE_LEARNED, REPO, type Sandbox, sandbox } from "./support.js";

let box: Sandbox;
afterEach(() => box?.remove());

describe("templates - shipped", () => {
  it("templates - the shipped desk template loads: its venue by name, paths resolved against it", async () => {
    box = sandbox();
    const desk = await loadDeskTemplate(box.desk);
    expect(desk).toEqual({
      file: box.desk,
      name: "sim",
      venue: DEFAULT_VENUE_FILE,
      account: "main",
      watch: ["BTC/USDT", "ETH/USDT"],
      marketData: { candleTimeframe: "1m", tickerEveryMs: 1000 },
      assets: ["USDT"],
      risk: {
        maxOrderNotional: "2500",
        maxPositionNotional: "5000",
        maxSlippage: "0.01",
        maxMarginUsage: "0.5",
        maxDailyLoss: "500",
        maxOrdersPerSecond: 5,
      },
      balanceTolerance: { relative: "0.0001", absolute: "0.00000001" },
      holderTemplate: box.holder,
      learned: { losingAssets: [] },
    });
    expect(Object.isFrozen(desk.risk)).toBe(true);
  });

  it("templates - the shipped holder template loads", async () => {
    box = sandbox();
    expect(await loadHolderTemplate(box.holder)).toEqual({
      file: box.holder,
      criteria: { minSharpe: 0.5, maxDrawdown: 0.2, minTrades: 3, minReturnOverBuyAndHold: -0.05 },
      allocation: { fraction: 0.25, maxTraders: 2 },
      mandateTtlMs: 3_600_000,
      approval: "review",
      reviewMs: 1_800_000,
      may: { short: false, leverage: 1 },
      traderTemplates: [box.breakout],
      pairs: undefined,
      learned: { failedStrategies: [] },
    });
  });

  it("templates - the shipped moving-average trader template loads", async () => {
    box = sandbox();
    const trader = await loadTraderTemplate(box.trader);
    expect(trader.strategies.map((s) => [s.name, s.ref, s.params])).toEqual([
      [
        "sma-cross",
        "sma-cross",
        { fast: { min: 5, max: 50, step: 5 }, slow: { min: 20, max: 200, step: 20 } },
      ],
      [
        "ema-cross",
        "ema-cross",
        { fast: { min: 4, max: 40, step: 4 }, slow: { min: 18, max: 198, step: 20 } },
      ],
    ]);
    expect(trader.warmup).toEqual({ candles: 2000, timeframe: "1m" });
    expect(trader.evaluation).toEqual({
      inSampleFraction: 0.7,
      folds: 2,
      candidates: 12,
      objective: "sharpe",
      explore: 0.25,
    });
    expect(trader.exits).toEqual({ stopLossPct: 2, takeProfitPct: 0 });
    expect(trader.learned).toEqual({ outcomes: {} });
  });

  it("templates - the shipped breakout trader template loads: a short entry channel, a long exit one, the Trader's stop in the backtest", async () => {
    box = sandbox();
    const trader = await loadTraderTemplate(box.breakout);
    expect(trader.strategies.map((s) => [s.name, s.params])).toEqual([
      [
        "donchian-breakout",
        {
          entry: { min: 5, max: 15, step: 5 },
          exit: { min: 40, max: 50, step: 2 },
          stopLossPct: 2,
        },
      ],
    ]);
    expect(trader.warmup).toEqual({ candles: 2000, timeframe: "1m" });
    expect(trader.evaluation).toMatchObject({ inSampleFraction: 0.8, candidates: 12 });
    expect(trader.exits).toEqual({ stopLossPct: 2, takeProfitPct: 0 });
  });

  it("templates - the shipped multi-strategy trader template names every built-in that trades spot", async () => {
    box = sandbox();
    const trader = await loadTraderTemplate(box.multi);
    // sma-long-short needs shorting (a perpetual): a spot Trader would only drop it.
    const spot = strategyNames().filter((name) => getStrategy(name).needs?.short !== true);
    expect(trader.strategies.map((s) => s.name)).toEqual(spot);
  });

  it("templates - the repo's templates ship with empty learned sections", () => {
    for (const [file, learned] of Object.entries(PRISTINE_LEARNED)) {
      const text = readFileSync(join(REPO, "templates", file), "utf8");
      expect(text.slice(text.indexOf("\nlearned:") + 1), file).toBe(learned);
    }
  });

  it("templates - the templates in the repo itself load", async () => {
    const dir = join(REPO, "templates");
    const desk = await loadDeskTemplate(join(dir, "desk", "sim.yaml"));
    expect(desk.venue).toBe(DEFAULT_VENUE_FILE);
    await loadHolderTemplate(desk.holderTemplate);
    await loadTraderTemplate(join(dir, "trader", "breakout.yaml"));
    await loadTraderTemplate(join(dir, "trader", "moving-average.yaml"));
    await loadTraderTemplate(join(dir, "trader", "multi-strategy.yaml"));
  });
});

describe("templates - loading", () => {
  it("templates - a trader strategy is narrowed to the template's bounds; left-out params keep their default", async () => {
    box = sandbox();
    const trader = await loadTraderTemplate(box.multi);
    const sma = trader.strategies[0]!.strategy;
    const grid = gridOf(sma);
    expect(grid.length).toBeGreaterThan(0);
    for (const p of grid) {
      expect([5, 10, 15, 20, 25, 30, 35, 40, 45, 50]).toContain(p.fast);
      expect(Number(p.slow) % 20).toBe(0);
      expect(p.fast).toBeLessThan(Number(p.slow));
    }
    const rsi = trader.strategies.find((s) => s.name === "rsi-reversion")!.strategy;
    expect(new Set(gridOf(rsi).map((p) => p.stopLossPct))).toEqual(new Set([0]));
  });

  it("templates - a pinned value, a range without step, and a file strategy resolved against the template", async () => {
    box = sandbox();
    box.write(
      join(box.dir, "templates", "trader", "always-long.mjs"),
      `export default { name: "always-long", description: "buys", params: { size: { type: "int", default: 1, min: 1, max: 9 } }, warmup: () => 1, create: () => ({ onCandle: () => undefined }) };\n`,
    );
    const text = `strategies:
  - name: ./always-long.mjs
    params: { size: 3 }
  - name: sma-cross
    params: { fast: 8, slow: { min: 20, max: 40 } }
warmup: { candles: 100, timeframe: 5m }
evaluation: { folds: 1, candidates: 4, objective: calmar }
`;
    const trader = await parseTraderTemplate(text, {
      file: "inline.yaml",
      baseDir: join(box.dir, "templates", "trader"),
    });
    expect(trader.strategies[0]!.ref).toBe(join(box.dir, "templates", "trader", "always-long.mjs"));
    expect(gridOf(trader.strategies[0]!.strategy)).toEqual([{ size: 3 }]);
    // A range without a step searches by the strategy's own step (5 for sma-cross's slow).
    expect(gridOf(trader.strategies[1]!.strategy).map((p) => p.slow)).toEqual([20, 25, 30, 35, 40]);
    expect(trader.exits).toEqual({ stopLossPct: 0, takeProfitPct: 0 });
    expect(trader.evaluation.inSampleFraction).toBe(0.7);
  });

  it("templates - a venue is a shipped one by name, or a file relative to the template", async () => {
    box = sandbox();
    expect(await shippedVenues()).toMatchObject({ sim: DEFAULT_VENUE_FILE });
    box.edit(box.desk, "venue: sim", "venue: ../../venues/sim.yaml");
    expect((await loadDeskTemplate(box.desk)).venue).toBe(join(box.dir, "venues", "sim.yaml"));
    box.edit(box.desk, "venue: ../../venues/sim.yaml", "venue: sim");
    expect((await loadDeskTemplate(box.desk)).venue).toBe(DEFAULT_VENUE_FILE);
  });

  it("templates - venue defaults to the repo's venues/sim.yaml; learned may be absent", async () => {
    box = sandbox();
    const text = `name: sim
account: main
watch: [BTC/USDT]
assets: [USDT]
risk: { maxOrderNotional: "100", maxPositionNotional: "200", maxDailyLoss: "10", maxOrdersPerSecond: 1 }
holderTemplate: ../holder/default.yaml
learned:
`;
    const desk = await parseDeskTemplate(text, {
      file: "inline.yaml",
      baseDir: join(box.dir, "templates", "desk"),
    });
    expect(desk.venue).toBe(DEFAULT_VENUE_FILE);
    expect(desk.learned).toEqual({ losingAssets: [] });
    expect(desk.marketData).toEqual({ candleTimeframe: "1m", tickerEveryMs: 1000 });
  });

  it("templates - a human edit applies at the next load: nothing is cached", async () => {
    box = sandbox();
    expect((await loadHolderTemplate(box.holder)).allocation.fraction).toBe(0.25);
    box.edit(box.holder, "fraction: 0.25", "fraction: 0.1");
    expect((await loadHolderTemplate(box.holder)).allocation.fraction).toBe(0.1);

    expect((await loadTraderTemplate(box.trader)).strategies).toHaveLength(2);
    box.edit(box.trader, "  - name: ema-cross", "  - name: macd");
    box.edit(box.trader, "fast: { min: 4, max: 40, step: 4 }", "fast: 12");
    box.edit(box.trader, "slow: { min: 18, max: 198, step: 20 }", "slow: 26");
    const trader = await loadTraderTemplate(box.trader);
    expect(trader.strategies.map((s) => s.name)).toEqual(["sma-cross", "macd"]);
    expect(gridOf(trader.strategies[1]!.strategy)).toEqual([{ fast: 12, slow: 26, signal: 9 }]);
  });

  it("templates - holderPairs: the template's pairs quoted in the asset, or all of the venue's", async () => {
    box = sandbox();
    const holder = await loadHolderTemplate(box.holder);
    const markets = ["BTC/USDT", "ETH/USDT", "ETH/BTC", "BTC/USDC"];
    expect(holderPairs(holder, "USDT", markets)).toEqual(["BTC/USDT", "ETH/USDT"]);
    expect(holderPairs(holder, "BTC", markets)).toEqual(["ETH/BTC"]);
    box.edit(box.holder, "# pairs: [BTC/USDT]", "pairs: [ETH/USDT, ETH/BTC, SOL/USDT]");
    const narrowed = await loadHolderTemplate(box.holder);
    expect(holderPairs(narrowed, "USDT", markets)).toEqual(["ETH/USDT"]);
  });
});
