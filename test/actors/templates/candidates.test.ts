import { describe, expect, it } from "vitest";
import {
  type Candidate,
  orderCandidates,
  parseTraderTemplate,
  type TraderTemplate,
} from "../../../src/actors/templates/index.js";

interface Past {
  pair?: string;
  strategy?: string;
  fast: number;
  slow: number;
  returnPct: number;
}

/** A trader template with sma-cross and ema-cross ranges and the given past outcomes. */
async function template(past: readonly Past[] = [], explore = 0.25): Promise<TraderTemplate> {
  const byPair = new Map<string, string[]>();
  past.forEach((p, k) => {
    const pair = p.pair ?? "BTC/USDT";
    const lines = byPair.get(pair) ?? [];
    lines.push(
      `      - { strategy: ${p.strategy ?? "sma-cross"}, params: { fast: ${p.fast}, slow: ${p.slow} }, ` +
        `trades: 3, pnl: "${p.returnPct}", returnPct: ${p.returnPct}, at: "2024-01-01T00:0${k % 10}:00Z" }`,
    );
    byPair.set(pair, lines);
  });
  const outcomes = [...byPair]
    .map(([pair, lines]) => `    ${pair}:\n${lines.join("\n")}`)
    .join("\n");
  const text = `strategies:
  - name: sma-cross
    params: { fast: { min: 5, max: 50, step: 5 }, slow: { min: 20, max: 200, step: 20 } }
  - name: ema-cross
    params: { fast: { min: 4, max: 40, step: 4 }, slow: { min: 18, max: 198, step: 20 } }
warmup: { candles: 2000, timeframe: 1m }
evaluation: { folds: 2, candidates: 12, objective: sharpe, explore: ${explore} }
learned:
  outcomes:${outcomes === "" ? " {}" : `\n${outcomes}`}
`;
  return parseTraderTemplate(text, { file: "t.yaml", baseDir: "." });
}

const sma = (fast: number, slow: number): Candidate => ({
  strategy: "sma-cross",
  params: { fast, slow },
});
const key = (c: Candidate) => `${c.strategy} ${JSON.stringify(c.params)}`;

describe("templates - orderCandidates (explore/exploit)", () => {
  it("templates - with no history: fresh candidates from the template's ranges, strategies in turn", async () => {
    const t = await template();
    const order = orderCandidates(t, "BTC/USDT", 7);
    expect(order).toHaveLength(24); // evaluation.candidates per strategy
    expect(order.slice(0, 4).map((c) => c.strategy)).toEqual([
      "sma-cross",
      "ema-cross",
      "sma-cross",
      "ema-cross",
    ]);
    for (const c of order) {
      const { fast, slow } = c.params as { fast: number; slow: number };
      expect(fast).toBeLessThan(slow);
      if (c.strategy === "sma-cross") {
        expect(fast % 5 === 0 && fast <= 50 && slow % 20 === 0 && slow <= 200).toBe(true);
      } else {
        expect(fast % 4 === 0 && fast <= 40 && (slow - 18) % 20 === 0 && slow <= 198).toBe(true);
      }
    }
    expect(new Set(order.map(key)).size).toBe(order.length);
  });

  it("templates - the same seed gives the same order; another seed another one", async () => {
    const t = await template([
      { fast: 10, slow: 40, returnPct: 1.5 },
      { fast: 20, slow: 60, returnPct: 0.7 },
    ]);
    expect(orderCandidates(t, "BTC/USDT", "run-1")).toEqual(
      orderCandidates(t, "BTC/USDT", "run-1"),
    );
    expect(orderCandidates(t, "BTC/USDT", "run-1")).not.toEqual(
      orderCandidates(t, "BTC/USDT", "run-2"),
    );
  });

  it("templates - the candidate that worked best on this pair comes first, on this pair only", async () => {
    const t = await template([
      { fast: 20, slow: 60, returnPct: 0.4 },
      { fast: 10, slow: 40, returnPct: 2 },
      { fast: 10, slow: 40, returnPct: 1 },
      { pair: "ETH/USDT", fast: 45, slow: 200, returnPct: 3 },
    ]);
    for (const seed of [1, 2, 3, "x"]) {
      const order = orderCandidates(t, "BTC/USDT", seed);
      expect(order[0]).toEqual(sma(10, 40));
      expect(order.filter((c) => key(c) === key(sma(10, 40)))).toHaveLength(1);
      expect(order.findIndex((c) => key(c) === key(sma(20, 60)))).toBeGreaterThan(0);
      expect(orderCandidates(t, "ETH/USDT", seed)[0]).toEqual(sma(45, 200));
    }
  });

  it("templates - untried candidates are still explored among the first slots", async () => {
    // Twelve good arms: exactly enough to fill the first `candidates` slots by exploitation alone.
    const past = [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 5, 10].map((fast, k) => ({
      fast,
      slow: k < 10 ? 60 : 80,
      returnPct: 1 + k / 10,
    }));
    const known = new Set(past.map((p) => key(sma(p.fast, p.slow))));
    const untriedIn = (t: TraderTemplate, seed: number) =>
      orderCandidates(t, "BTC/USDT", seed)
        .slice(0, t.evaluation.candidates)
        .filter((c) => !known.has(key(c))).length;

    const balanced = await template(past, 0.25);
    const explored = [1, 2, 3, 4, 5].map((seed) => untriedIn(balanced, seed));
    expect(explored.every((n) => n >= 1 && n < 11)).toBe(true);
    expect(untriedIn(await template(past, 0), 1)).toBe(0);
    expect(untriedIn(await template(past, 1), 1)).toBe(11); // all but the first, the best known
  });

  it("templates - failed candidates sink below every untried one", async () => {
    const t = await template([
      { fast: 10, slow: 40, returnPct: -2 },
      { fast: 15, slow: 40, returnPct: -0.5 },
      { fast: 20, slow: 60, returnPct: 0.3 },
    ]);
    const order = orderCandidates(t, "BTC/USDT", 11);
    expect(order[0]).toEqual(sma(20, 60));
    expect(order.slice(-2)).toEqual([sma(15, 40), sma(10, 40)]); // least bad first
  });

  it("templates - past params outside the template's current ranges are ignored", async () => {
    // A human narrowed sma-cross's slow to 20..200 after fast 10 / slow 400 had done well.
    const t = await template([
      { fast: 10, slow: 400, returnPct: 5 },
      { strategy: "macd", fast: 12, slow: 26, returnPct: 5 },
    ]);
    const order = orderCandidates(t, "BTC/USDT", 3);
    expect(order.some((c) => c.params.slow === 400 || c.strategy === "macd")).toBe(false);
  });

  it("templates - a strategy the Holder marked failed on this pair is tried last", async () => {
    const t = await template([{ fast: 10, slow: 40, returnPct: 2 }]);
    const failed = [{ strategy: "sma-cross", pairs: ["BTC/USDT"], trades: 5, pnl: "-10" }];
    const order = orderCandidates(t, "BTC/USDT", 5, { failed });
    const firstSma = order.findIndex((c) => c.strategy === "sma-cross");
    expect(order.slice(0, firstSma).every((c) => c.strategy === "ema-cross")).toBe(true);
    expect(order.slice(firstSma).every((c) => c.strategy === "sma-cross")).toBe(true);
    expect(order[firstSma]).toEqual(sma(10, 40));
    expect(orderCandidates(t, "ETH/USDT", 5, { failed })[0]?.strategy).toBe("sma-cross");
  });
});
