import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { edit, errorLines, failure, MINIMAL } from "./venue-text.js";

describe("config errors", () => {
  it("config - a rejected file throws an InvalidInputError with structured issues", () => {
    const err = failure(edit(['tickSize: "0.01"', 'tickSize: "abc"']));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe("invalid_input");
    expect(err.retryable).toBe(false);
    expect(err.issues).toEqual([
      {
        file: "venues/test.yaml",
        line: 7,
        column: 15,
        field: 'markets."BTC/USDT".tickSize',
        message: 'expected a positive decimal string like "0.01", got "abc"',
      },
    ]);
  });

  it("config - an unknown top-level key is rejected with file, line and field", () => {
    expect(errorLines(`${MINIMAL}colour: blue\n`)).toEqual([
      "venues/test.yaml:18:1: colour: unknown key, expected one of: name, seed, start, assets, " +
        "fees, orderTypes, timeInForce, selfTradePrevention, capabilities, markets, derivatives, " +
        "accounts, latency, rateLimit, faults, liquidity",
    ]);
  });

  it("config - an unknown nested key is rejected at the key, with the keys allowed there", () => {
    const [line] = errorLines(
      edit(['    minNotional: "5"', '    minNotional: "5"\n    tickSise: "1"']),
    );
    expect(line).toBe(
      'venues/test.yaml:12:5: markets."BTC/USDT".tickSise: unknown key, expected one of: ' +
        "type, contractSize, index, expiry, leverageBrackets, funding, liquidationFee, tickSize, " +
        "lotSize, minQty, maxQty, minNotional, maxPrice, fees, data, liquidity",
    );
  });

  it("config - an unknown key inside a flow mapping is rejected", () => {
    const text = edit(["volatility: 0.6 }", "volatility: 0.6, vol: 1 }"]);
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:12:64: markets."BTC/USDT".data.vol: unknown key, expected one of: ' +
        "source, startPrice, volatility, drift, timeframe, jumps, regimes, volume",
    ]);
  });

  it("config - a bad decimal names the field and what was found", () => {
    expect(errorLines(edit(['maxQty: "9000"', 'maxQty: "9,000"']))).toEqual([
      'venues/test.yaml:10:13: markets."BTC/USDT".maxQty: expected a positive decimal string like "9000", got "9,000"',
    ]);
  });

  it("config - an unquoted number where a decimal string belongs gets a hint", () => {
    expect(errorLines(edit(['lotSize: "0.00001"', "lotSize: 0.00001"]))).toEqual([
      'venues/test.yaml:8:14: markets."BTC/USDT".lotSize: expected a positive decimal string like "0.00001" ' +
        "(quote it: YAML reads an unquoted number as a binary float), got 0.00001",
    ]);
  });

  it("config - a missing field is reported at the mapping that lacks it", () => {
    expect(errorLines(edit(['    lotSize: "0.00001"\n', ""]))).toEqual([
      'venues/test.yaml:6:3: markets."BTC/USDT".lotSize: missing, expected a positive decimal string like "0.00001"',
    ]);
  });

  it("config - negative fees (maker rebates included) are rejected", () => {
    const text = `${MINIMAL}fees: { maker: "-0.002", taker: "-0.0001" }\n`;
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:18:16: fees.maker: expected a rate from "0" to below "1" with at most 9 decimals, like "0.001", got "-0.002"',
      'venues/test.yaml:18:33: fees.taker: expected a rate from "0" to below "1" with at most 9 decimals, like "0.001", got "-0.0001"',
    ]);
  });

  it("config - a per-market fee of 100 % is rejected", () => {
    const text = edit(['    minNotional: "5"', '    minNotional: "5"\n    fees: { taker: "1" }']);
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:12:20: markets."BTC/USDT".fees.taker: expected a rate from "0" to below "1" with at most 9 decimals, like "0.001", got "1"',
    ]);
  });

  it("config - a market whose asset is not declared is rejected at the market key", () => {
    expect(errorLines(edit(["  BTC: { decimals: 8 }\n", ""]))).toEqual([
      'venues/test.yaml:5:3: markets."BTC/USDT": base asset "BTC" is not declared in assets',
      'venues/test.yaml:16:16: liquidity.inventory.BTC: asset "BTC" is not declared in assets',
    ]);
  });

  it("config - tickSize × lotSize that is not a whole quote minor unit is rejected", () => {
    const text = edit(["USDT: { decimals: 8 }", "USDT: { decimals: 6 }"]);
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:7:15: markets."BTC/USDT".tickSize: tickSize × lotSize = 0.0000001 USDT is not ' +
        "a whole number of USDT minor units (6 decimals), so costs would not be exact; " +
        "use a coarser tickSize or lotSize",
    ]);
  });

  it("config - a lotSize finer than the base asset's minor unit is rejected", () => {
    const text = edit(["BTC: { decimals: 8 }", "BTC: { decimals: 4 }"]);
    expect(errorLines(text)).toContain(
      'venues/test.yaml:8:14: markets."BTC/USDT".lotSize: expected a whole number of BTC minor units (4 decimals), got "0.00001"',
    );
  });

  it("config - minQty above maxQty is rejected", () => {
    expect(
      errorLines(
        edit(['maxQty: "9000"', 'maxQty: "0.000001"'], ['minQty: "0.00001"', 'minQty: "0.0001"']),
      ),
    ).toEqual([
      'venues/test.yaml:10:13: markets."BTC/USDT".maxQty: expected a multiple of lotSize "0.00001", got "0.000001"',
    ]);
    expect(errorLines(edit(['minQty: "0.00001"', 'minQty: "9000.5"']))).toEqual([
      'venues/test.yaml:9:13: markets."BTC/USDT".minQty: must not exceed maxQty "9000", got "9000.5"',
    ]);
  });

  it("config - minQty that is not a multiple of lotSize is rejected", () => {
    expect(errorLines(edit(['minQty: "0.00001"', 'minQty: "0.000015"']))).toEqual([
      'venues/test.yaml:9:13: markets."BTC/USDT".minQty: expected a multiple of lotSize "0.00001", got "0.000015"',
    ]);
  });

  it("config - more lots or ticks than a JS number holds exactly are rejected", () => {
    const text = edit(
      ['maxQty: "9000"', 'maxQty: "100000000000"'],
      ['    minNotional: "5"', '    minNotional: "5"\n    maxPrice: "100000000000000"'],
    );
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:10:13: markets."BTC/USDT".maxQty: maxQty is 10000000000000000 lots, above 2^53 - 1 (lots must be exact JS numbers)',
      'venues/test.yaml:12:15: markets."BTC/USDT".maxPrice: maxPrice is 10000000000000000 ticks, above 2^53 - 1 (ticks must be exact JS numbers)',
    ]);
  });

  it("config - an unknown order type and a duplicate time in force are rejected", () => {
    const text = `${MINIMAL}orderTypes: [market, trailing_stop]\ntimeInForce: [GTC, IOC, GTC]\n`;
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:18:22: orderTypes[1]: expected one of: market, limit, stop_market, stop_limit, got "trailing_stop"',
      'venues/test.yaml:19:25: timeInForce[2]: duplicate "GTC"',
    ]);
  });

  it("config - the capabilities block: each switch checked, an unknown one named", () => {
    const text = `${MINIMAL}capabilities: { stopOrders: no, shorting: false, maxLeverage: 0, margin: cross }\n`;
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:18:29: capabilities.stopOrders: expected true or false, got "no"',
      "venues/test.yaml:18:63: capabilities.maxLeverage: expected an integer from 1 to 1000, got 0",
      "venues/test.yaml:18:66: capabilities.margin: unknown key, expected one of: stopOrders, shorting, maxLeverage",
    ]);
  });

  it("config - a perpetual without its contract fields names each missing field", () => {
    const text = edit(["  BTC/USDT:\n", "  BTC/USDT:USDT:\n"]);
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:6:3: markets."BTC/USDT:USDT".index: missing: a perpetual market needs its index market (a spot market of this venue, like "BTC/USDT")',
      'venues/test.yaml:6:3: markets."BTC/USDT:USDT".leverageBrackets: missing: a perpetual market needs its leverage brackets (tiered maintenance margin)',
    ]);
    expect(errorLines(edit(["  BTC/USDT:\n", "  BTC/USDT:USDT-250328:\n"])).join("\n")).toContain(
      "missing: a delivery market needs its delivery time",
    );
  });

  it("config - a malformed symbol gives parseMarket's reason", () => {
    expect(errorLines(edit(["  BTC/USDT:\n", "  btc/usdt:\n"]))).toEqual([
      'venues/test.yaml:6:3: markets."btc/usdt": invalid market symbol "btc/usdt": base asset "btc" must be uppercase ("BTC")',
    ]);
  });

  it("config - a venue without markets is rejected", () => {
    const text = MINIMAL.replace(/markets:[\s\S]*?accounts:/, "markets: {}\naccounts:");
    expect(errorLines(text)).toEqual([
      "venues/test.yaml:5:10: markets: expected at least one market, got an empty mapping",
    ]);
  });

  describe("data files", () => {
    const dir = mkdtempSync(join(tmpdir(), "crypy-venue-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("config - a missing data file names the field and the resolved path", () => {
      const text = edit([
        'data: { source: gbm, startPrice: "42000", volatility: 0.6 }',
        "data: { source: candles, file: ../data/btc.csv.gz }",
      ]);
      expect(errorLines(text, join(dir, "venues"))).toEqual([
        `venues/test.yaml:12:36: markets."BTC/USDT".data.file: file not found: ${join(dir, "data", "btc.csv.gz")}`,
      ]);
    });

    it("config - a data file that is a directory is rejected", () => {
      const text = edit([
        'data: { source: gbm, startPrice: "42000", volatility: 0.6 }',
        "data: { source: trades, file: ./dir.csv }",
      ]);
      mkdirSync(join(dir, "dir.csv"));
      expect(errorLines(text, dir)).toEqual([
        `venues/test.yaml:12:35: markets."BTC/USDT".data.file: not a regular file: ${join(dir, "dir.csv")}`,
      ]);
    });

    it("config - an unknown data source lists the sources", () => {
      const text = edit(["source: gbm", "source: random"]);
      expect(errorLines(text)).toEqual([
        'venues/test.yaml:12:21: markets."BTC/USDT".data.source: expected one of: gbm, candles, trades, recorded, got "random"',
      ]);
    });
  });

  it("config - a YAML syntax error names file, line and column", () => {
    expect(errorLines(edit(["volatility: 0.6 }", "volatility: 0.6"]))).toEqual([
      expect.stringMatching(/^venues\/test\.yaml:1[23]:\d+: YAML: /),
    ]);
    expect(errorLines(`${MINIMAL}name: again\n`)).toEqual([
      "venues/test.yaml:18:1: YAML: Map keys must be unique",
    ]);
  });

  it("config - an unresolved YAML tag is an error, not a silent string", () => {
    expect(errorLines(edit(['maxQty: "9000"', "maxQty: !big 9000"]))).toEqual([
      "venues/test.yaml:10:13: YAML: Unresolved tag: !big",
    ]);
  });

  it("config - an empty file or a list at the top level is rejected", () => {
    expect(errorLines("")).toEqual([
      "venues/test.yaml:1:1: (top level): expected a mapping of venue settings, got an empty value",
    ]);
    expect(errorLines("- 1\n")).toEqual([
      "venues/test.yaml:1:1: (top level): expected a mapping of venue settings, got a list",
    ]);
  });

  it("config - a balance with more decimals than its asset is rejected", () => {
    expect(
      errorLines(edit(['main: { USDT: "10000" }', 'main: { USDT: "10000.000000001" }'])),
    ).toEqual([
      'venues/test.yaml:14:17: accounts.main.USDT: expected at most 8 decimals (USDT minor units), got "10000.000000001"',
    ]);
  });

  it("config - a balance in an undeclared asset is rejected at the asset", () => {
    expect(
      errorLines(edit(['main: { USDT: "10000" }', 'main: { USDT: "10000", DOGE: "5" }'])),
    ).toEqual([
      'venues/test.yaml:14:26: accounts.main.DOGE: asset "DOGE" is not declared in assets',
    ]);
  });

  it("config - bad account names and asset codes are rejected at the key", () => {
    const text = edit(
      ["  main: {", "  Main_1: {"],
      ["  USDT: { decimals: 8 }", "  USDT: { decimals: 8 }\n  usdc: { decimals: 6 }"],
    );
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:5:3: assets.usdc: expected an asset code like "BTC" (A-Z and 0-9, up to 20 characters)',
      'venues/test.yaml:15:3: accounts.Main_1: expected a name like "main" (a-z, 0-9 and inner "-", up to 32 characters)',
    ]);
  });

  it("config - fault windows must start at or after 0 and last at least 1 ms", () => {
    const text = `${MINIMAL}faults:\n  disconnects:\n    - { afterMs: -1, durationMs: 0 }\n`;
    expect(errorLines(text)).toEqual([
      "venues/test.yaml:20:18: faults.disconnects[0].afterMs: expected a whole number of milliseconds from 0 to 9007199254740991, got -1",
      "venues/test.yaml:20:34: faults.disconnects[0].durationMs: expected a whole number of milliseconds from 1 to 9007199254740991, got 0",
    ]);
  });

  it("config - a start time without a zone or on no real date is rejected", () => {
    for (const start of ["2024-01-01T00:00:00", "2024-02-30T00:00:00Z", "yesterday"]) {
      expect(errorLines(`${MINIMAL}start: "${start}"\n`)).toEqual([
        `venues/test.yaml:18:8: start: expected an ISO 8601 time with a zone, like "2024-01-01T00:00:00Z", got "${start}"`,
      ]);
    }
  });

  it("config - queuePosition without fillRule touch is rejected where it is set", () => {
    const text = edit([
      '  levelNotional: "50000"',
      '  levelNotional: "50000"\n  queuePosition: true',
    ]);
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:17:18: liquidity.queuePosition: needs fillRule "touch" (BTC/USDT has "through")',
    ]);
  });

  it("config - a market without a levelNotional anywhere is rejected", () => {
    expect(errorLines(edit(['  levelNotional: "50000"\n', ""]))).toEqual([
      'venues/test.yaml:6:3: markets."BTC/USDT".liquidity.levelNotional: missing, set it here or as ' +
        "liquidity.levelNotional (the USDT notional at the best level)",
    ]);
  });

  it("config - market makers without the inventory to fund their books are rejected", () => {
    const text = edit([
      'inventory: { BTC: "1000", USDT: "100000000" }',
      'inventory: { BTC: "100", USDT: "1000" }',
    ]);
    expect(errorLines(text)).toEqual([
      "venues/test.yaml:17:21: liquidity.inventory.BTC: 100 BTC cannot fund BTC/USDT asks at full depth (about 122 BTC needed)",
      "venues/test.yaml:17:34: liquidity.inventory.USDT: 1000 USDT cannot fund BTC/USDT bids at full depth (about 5122180 USDT needed)",
    ]);
    expect(errorLines(edit(['BTC: "1000", USDT', "USDT"]))).toEqual([
      "venues/test.yaml:17:14: liquidity.inventory: the market makers need some BTC to quote BTC/USDT asks",
    ]);
  });

  it("config - several issues are reported together, one per line, in file order", () => {
    const text = edit(
      ['tickSize: "0.01"', 'tickSize: "0"'],
      ['main: { USDT: "10000" }', "main: { USDT: 10000 }"],
      ["  BTC: {", "  BTC: { decimal: 8,"],
    );
    const lines = errorLines(text);
    expect(lines).toEqual([
      "venues/test.yaml:3:10: assets.BTC.decimal: unknown key, expected one of: decimals",
      'venues/test.yaml:7:15: markets."BTC/USDT".tickSize: expected a positive decimal string like "0.01", got "0"',
      'venues/test.yaml:14:17: accounts.main.USDT: expected a decimal string >= 0 like "1000" (quote it: YAML reads an unquoted number as a binary float), got 10000',
    ]);
  });

  it("config - a field reached through a YAML merge key is located at its anchor", () => {
    const text = edit(
      ["markets:\n", 'common: &spot { tickSize: "x", lotSize: "0.00001" }\nmarkets:\n'],
      ['    tickSize: "0.01"\n    lotSize: "0.00001"\n', "    <<: *spot\n"],
    );
    expect(errorLines(text)).toEqual([
      "venues/test.yaml:5:1: common: unknown key, expected one of: name, seed, start, assets, fees, " +
        "orderTypes, timeInForce, selfTradePrevention, capabilities, markets, derivatives, accounts, " +
        "latency, rateLimit, faults, liquidity",
      'venues/test.yaml:5:27: markets."BTC/USDT".tickSize: expected a positive decimal string like "0.01", got "x"',
    ]);
  });
});
