import { expect } from "vitest";
import { ConfigError, parseVenueConfig, type VenueConfig } from "../../../src/sim/config/index.js";

/**
 * The smallest valid venue file. Tests edit it by replacing text, so the line numbers below are
 * the ones their expected messages use: line 7 is tickSize, line 14 the main account.
 */
export const MINIMAL = `name: sim
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: gbm, startPrice: "42000", volatility: 0.6 }
accounts:
  main: { USDT: "10000" }
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "1000", USDT: "100000000" }
`;

export const FILE = "venues/test.yaml";

export function parse(text: string, baseDir = "/nonexistent"): VenueConfig {
  return parseVenueConfig(text, { file: FILE, baseDir });
}

/** MINIMAL with each `[from, to]` replaced once; fails loudly if `from` is not there. */
export function edit(...replacements: [string, string][]): string {
  let text = MINIMAL;
  for (const [from, to] of replacements) {
    expect(text, `edit target ${JSON.stringify(from)}`).toContain(from);
    text = text.replace(from, to);
  }
  return text;
}

/** The ConfigError `text` fails with. */
export function failure(text: string, baseDir?: string): ConfigError {
  try {
    parse(text, baseDir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected the venue config to be rejected");
}

/** The lines of the error `text` fails with. */
export function errorLines(text: string, baseDir?: string): string[] {
  return failure(text, baseDir).message.split("\n");
}
