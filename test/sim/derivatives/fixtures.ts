/**
 * Markets built from Binance USDⓈ-M's published tables of the time of its liquidation-price
 * worked example (BTCUSDT and ETHUSDT, tick 0.01, lot 0.001, USDT at 8 decimals).
 *
 * Sources:
 * - Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
 *   https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 — its BTCUSDT table
 *   (e.g. "264,000 USDT → 1 %", "500,000 USDT → maintenance amount 1,300", and "Level 3 =
 *   250,000 × (1 % − 0.5 %) + 50 = 1,300").
 * - The full rows (floor/cap, rate, amount) as Binance's futures UI published them in 2021, copied
 *   in https://gist.github.com/highfestiva/b71e76f51eed84d56c1be8ebbcc286b5 (BTCUSDT) and
 *   https://gist.github.com/mattj161/21bec86528700b7e4cb025730485a2a7 (BTCUSDT, ETHUSDT).
 * The maxLeverage column is not in those excerpts; it is set to that era's 125x/100x… ladder and
 * no expected value below depends on it except the 125x of BTCUSDT's first tier, which Binance's
 * funding doc states.
 */
import type { BracketSpec } from "../../../src/sim/derivatives/brackets.js";
import {
  type DerivativeMarket,
  type DerivativeSpec,
  parseDerivativeMarket,
} from "../../../src/sim/derivatives/instrument.js";

const row = (
  floor: string,
  cap: string,
  maxLeverage: number,
  mmr: string,
  cum: string,
): BracketSpec => ({
  notionalFloor: floor,
  notionalCap: cap,
  maxLeverage,
  maintMarginRatio: mmr,
  maintAmount: cum,
});

export const BTCUSDT_BRACKETS: readonly BracketSpec[] = [
  row("0", "50000", 125, "0.004", "0"),
  row("50000", "250000", 100, "0.005", "50"),
  row("250000", "1000000", 50, "0.01", "1300"),
  row("1000000", "10000000", 20, "0.025", "16300"),
  row("10000000", "20000000", 10, "0.05", "266300"),
  row("20000000", "50000000", 5, "0.1", "1266300"),
  row("50000000", "100000000", 4, "0.125", "2516300"),
  row("100000000", "200000000", 3, "0.15", "5016300"),
  row("200000000", "300000000", 2, "0.25", "25016300"),
  row("300000000", "500000000", 1, "0.5", "100016300"),
];

export const ETHUSDT_BRACKETS: readonly BracketSpec[] = [
  row("0", "10000", 100, "0.005", "0"),
  row("10000", "100000", 75, "0.0065", "15"),
  row("100000", "500000", 50, "0.01", "365"),
  row("500000", "1000000", 20, "0.02", "5365"),
  row("1000000", "2000000", 10, "0.05", "35365"),
  row("2000000", "5000000", 5, "0.1", "135365"),
  row("5000000", "10000000", 4, "0.125", "260365"),
  row("10000000", "20000000", 3, "0.15", "510365"),
  row("20000000", "5000000000", 2, "0.25", "2510365"),
];

export function linearSpec(base: string, brackets: readonly BracketSpec[]): DerivativeSpec {
  return {
    symbol: `${base}/USDT:USDT`,
    base,
    quote: "USDT",
    settle: "USDT",
    kind: "perpetual",
    linear: true,
    contractSize: "1",
    tickSize: "0.01",
    lotSize: "0.001",
    settleDecimals: 8,
    brackets,
  };
}

export const BTCUSDT: DerivativeMarket = parseDerivativeMarket(linearSpec("BTC", BTCUSDT_BRACKETS));
export const ETHUSDT: DerivativeMarket = parseDerivativeMarket(linearSpec("ETH", ETHUSDT_BRACKETS));
