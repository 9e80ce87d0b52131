import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  loadDeskTemplate,
  loadHolderTemplate,
  loadTraderTemplate,
  parseTraderTemplate,
} from "../../../src/actors/templates/index.js";
import { ConfigError } from "../../../src/config/issues.js";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { DEFAULT_VENUE_FILE, shippedVenues } from "../../../src/sim/config/load.js";
import { errorLines, type Sandbox, sandbox } from "./support.js";

let box: Sandbox;
afterEach(() => box?.remove());

const TRADER = `strategies:
  - name: sma-cross
    params:
      fast: { min: 5, max: 50, step: 5 }
      slow: { min: 20, max: 200, step: 20 }
warmup: { candles: 2000, timeframe: 1m }
evaluation: { folds: 2, candidates: 12, objective: sharpe }
`;

/** TRADER with each [from, to] applied once. */
function trader(...edits: [string, string][]): string {
  let text = TRADER;
  for (const [from, to] of edits) {
    expect(text.split(from), from).toHaveLength(2);
    text = text.replace(from, to);
  }
  return text;
}

/** The error lines of a trader template text, named t.yaml, with paths relative to the sandbox. */
function traderErrors(...edits: [string, string][]): Promise<string[]> {
  return errorLines(parseTraderTemplate(trader(...edits), { file: "t.yaml", baseDir: box.dir }));
}

describe("templates - invalid templates are refused with file:line:col: field: message", () => {
  it("templates - the error is a ConfigError (an InvalidInputError) with structured issues", async () => {
    box = sandbox();
    const err = await parseTraderTemplate(trader(["folds: 2", "folds: 0"]), {
      file: "t.yaml",
      baseDir: box.dir,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as ConfigError).code).toBe("invalid_input");
    expect((err as ConfigError).issues).toEqual([
      {
        file: "t.yaml",
        line: 7,
        column: 22,
        field: "evaluation.folds",
        message: "expected an integer from 1 to 100, got 0",
      },
    ]);
  });

  it("templates - an unknown key, at the key, with the keys allowed there", async () => {
    box = sandbox();
    box.edit(box.holder, "  maxTraders: 2", "  maxTraders: 2\n  maxTrader: 3");
    expect(await errorLines(loadHolderTemplate(box.holder))).toEqual([
      `${box.holder}:26:3: allocation.maxTrader: unknown key, expected one of: fraction, maxTraders`,
    ]);
    expect(await traderErrors(["warmup:", "colour: blue\nwarmup:"])).toEqual([
      "t.yaml:6:1: colour: unknown key, expected one of: strategies, warmup, evaluation, exits, learned",
    ]);
  });

  it("templates - a strategy that is not a built-in, with the nearest name", async () => {
    box = sandbox();
    expect(await traderErrors(["name: sma-cross", "name: sma-cros"])).toEqual([
      "t.yaml:2:11: strategies[0].name: unknown strategy 'sma-cros' (did you mean 'sma-cross'?); " +
        "built-ins: sma-cross, ema-cross, macd, rsi-reversion, bollinger-breakout, donchian-breakout, sma-long-short",
    ]);
  });

  it("templates - a range with min above max", async () => {
    box = sandbox();
    expect(
      await traderErrors(["{ min: 5, max: 50, step: 5 }", "{ min: 50, max: 5, step: 5 }"]),
    ).toEqual(["t.yaml:4:13: strategies[0].params.fast: min (50) is above max (5)"]);
  });

  it("templates - a range beyond the strategy's own limits", async () => {
    box = sandbox();
    expect(
      await traderErrors(["{ min: 20, max: 200, step: 20 }", "{ min: 20, max: 900, step: 20 }"]),
    ).toEqual([
      "t.yaml:5:13: strategies[0].params.slow: expected a range within 5..400 (sma-cross's slow), got 20..900",
    ]);
  });

  it("templates - a parameter that strategy does not have", async () => {
    box = sandbox();
    expect(await traderErrors(["      slow:", "      period: 3\n      slow:"])).toEqual([
      "t.yaml:5:7: strategies[0].params.period: unknown parameter of sma-cross, expected one of: fast, slow",
    ]);
  });

  it("templates - a single value the strategy does not accept", async () => {
    box = sandbox();
    expect(await traderErrors(["{ min: 5, max: 50, step: 5 }", "1.5"])).toEqual([
      "t.yaml:4:13: strategies[0].params.fast: expected an integer from 2 to 200 (sma-cross's fast), got 1.5",
    ]);
  });

  it("templates - ranges in which no combination passes the strategy's check", async () => {
    box = sandbox();
    const lines = await traderErrors(
      ["{ min: 5, max: 50, step: 5 }", "{ min: 100, max: 200, step: 50 }"],
      ["{ min: 20, max: 200, step: 20 }", "{ min: 20, max: 60, step: 20 }"],
    );
    expect(lines).toEqual([
      "t.yaml:4:7: strategies[0].params: no combination in these ranges passes sma-cross's check " +
        "('fast' (100) must be less than 'slow' (20))",
    ]);
  });

  it("templates - a bad duration", async () => {
    box = sandbox();
    box.edit(box.holder, "mandateTtl: 1h", "mandateTtl: 1 hour");
    expect(await errorLines(loadHolderTemplate(box.holder))).toEqual([
      `${box.holder}:29:13: mandateTtl: expected a duration like "1h" (a whole number and one of ` +
        `ms, s, m, h, d, w), got "1 hour"`,
    ]);
  });

  it("templates - a holder template's may: each field checked, an unknown one named", async () => {
    box = sandbox();
    box.edit(box.holder, "  short: false", "  short: sometimes\n  margin: cross");
    box.edit(box.holder, "  leverage: 1", "  leverage: 0");
    expect(await errorLines(loadHolderTemplate(box.holder))).toEqual([
      `${box.holder}:55:10: may.short: expected true or false, got "sometimes"`,
      `${box.holder}:56:3: may.margin: unknown key, expected one of: short, leverage`,
      `${box.holder}:57:13: may.leverage: expected a number from 1 to 1000, got 0`,
    ]);
  });

  it("templates - a referenced file that is missing: holder template, trader template, strategy file", async () => {
    box = sandbox();
    box.edit(
      box.desk,
      "holderTemplate: ../holder/default.yaml",
      "holderTemplate: ../holder/nope.yaml",
    );
    // The line the edit is on, wherever the shipped template has it.
    const line =
      readFileSync(box.desk, "utf8")
        .split("\n")
        .findIndex((l) => l.startsWith("holderTemplate: ")) + 1;
    expect(await errorLines(loadDeskTemplate(box.desk))).toEqual([
      `${box.desk}:${line}:17: holderTemplate: file not found: ${join(box.dir, "templates", "holder", "nope.yaml")}`,
    ]);
    box.edit(
      box.holder,
      "[../trader/breakout.yaml]",
      "[../trader/breakout.yaml, ../trader/gone.yaml]",
    );
    expect(await errorLines(loadHolderTemplate(box.holder))).toEqual([
      `${box.holder}:32:44: traderTemplates[1]: file not found: ${join(box.dir, "templates", "trader", "gone.yaml")}`,
    ]);
    expect(await traderErrors(["name: sma-cross", "name: ./strategies/mine.ts"])).toEqual([
      `t.yaml:2:11: strategies[0].name: file not found: ${join(box.dir, "strategies", "mine.ts")}`,
    ]);
  });

  it("templates - a venue that is neither a shipped one nor a file is named, with the shipped ones", async () => {
    box = sandbox();
    const shipped = Object.keys(await shippedVenues()).join(", ");
    expect(shipped).toContain("sim");
    box.edit(box.desk, "venue: sim", "venue: binance");
    expect(await errorLines(loadDeskTemplate(box.desk))).toEqual([
      `${box.desk}:16:8: venue: "binance" is neither a shipped venue (${shipped}) nor a venue file (file not found: ${join(box.dir, "templates", "desk", "binance")})`,
    ]);
  });

  it("templates - the desk is checked against its venue: account, markets, held assets", async () => {
    box = sandbox();
    const venue = DEFAULT_VENUE_FILE;
    box.edit(box.desk, "account: main", "account: alt");
    box.edit(box.desk, "watch: [BTC/USDT, ETH/USDT]", "watch: [BTC/USDT, SOL/USDT]");
    expect(await errorLines(loadDeskTemplate(box.desk))).toEqual([
      `${box.desk}:19:10: account: no account "alt" in ${venue} (accounts: main)`,
      `${box.desk}:22:19: watch[1]: no market "SOL/USDT" in ${venue}`,
    ]);
    box.edit(box.desk, "account: alt", "account: main");
    box.edit(box.desk, "SOL/USDT", "ETH/USDT");
    box.edit(box.desk, "assets: [USDT]", "assets: [USDT, BTC]");
    expect(await errorLines(loadDeskTemplate(box.desk))).toEqual([
      `${box.desk}:30:16: assets[1]: account "main" holds no BTC in ${venue}`,
    ]);
  });

  it("templates - several issues are reported at once, in file order", async () => {
    box = sandbox();
    box.edit(box.desk, 'maxOrderNotional: "2500"', "maxOrderNotional: 2500");
    box.edit(box.desk, "tickerEveryMs: 1000", "tickerEveryMs: fast");
    box.edit(box.desk, "name: sim", "name: Sim");
    expect(await errorLines(loadDeskTemplate(box.desk))).toEqual([
      `${box.desk}:13:7: name: expected a name like "sim" (a-z, 0-9 and inner "-", up to 32 characters), got "Sim"`,
      `${box.desk}:26:18: marketData.tickerEveryMs: expected a whole number of milliseconds from 100 to 86400000, got "fast"`,
      `${box.desk}:35:21: risk.maxOrderNotional: expected a positive decimal string like "2500" ` +
        "(quote it: YAML reads an unquoted number as a binary float), got 2500",
    ]);
  });

  it("templates - broken YAML is reported with its position", async () => {
    box = sandbox();
    expect(await traderErrors(["warmup: { candles", "warmup: { candles: ["])).toEqual([
      "t.yaml:6:43: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "t.yaml:6:44: YAML: Flow map in block collection must be sufficiently indented and end with a }",
    ]);
  });

  it("templates - a template file that cannot be read is named", async () => {
    box = sandbox();
    const path = join(box.dir, "nope.yaml");
    await expect(loadTraderTemplate(path)).rejects.toThrow(
      `${path}: cannot read trader template (ENOENT)`,
    );
  });
});
