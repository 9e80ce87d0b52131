/**
 * A real exchange's rules as a VenueConfig, the shape the Desk (asset precision) and the Traders
 * (backtests of their candidate strategies) already read for the simulator: each watched market's
 * tick, lot, size limits and fees as the exchange's loaded markets state them, the account's
 * balances, and the simulator's default liquidity model for the backtests' fills.
 *
 * It is written as a venue file and parsed by the venue loader, so every exactness rule the
 * simulator relies on is checked here too (tick × lot a whole number of quote minor units, …):
 * an asset's decimals are the most its markets' increments and its balance need, at least 8.
 */
import { stringify } from "yaml";
import type { Balances } from "../../domain/balance.js";
import { InvalidInputError } from "../../domain/errors.js";
import { fromSteps, parseIncrement, toSteps } from "../../domain/fixed.js";
import { parseVenueConfig } from "../../sim/config/load.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { Market } from "../venue.js";

/** Decimal places of a decimal string ("0.0001" → 4, "5" → 0). */
function places(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Enough for every book the simulated makers quote in a backtest, in any asset. */
const MAKER_INVENTORY = "1000000000000";
const MIN_ASSET_DECIMALS = 8;

export interface VenueRulesInput {
  /** The exchange's name in error messages and Desk names (binance). */
  exchange: string;
  account: string;
  /** The markets the Desk watches, as the exchange loaded them. */
  markets: readonly Market[];
  balances: Balances;
  /** A last price per market, on its tick grid: where a backtest's synthetic path would start. */
  lastPrices: Readonly<Record<string, string>>;
  /** The session's start (epoch ms). */
  startMs: number;
}

export function venueRules(input: VenueRulesInput): VenueConfig {
  const decimals = new Map<string, number>();
  const need = (asset: string, n: number) =>
    decimals.set(asset, Math.max(decimals.get(asset) ?? MIN_ASSET_DECIMALS, n));
  const markets: Record<string, unknown> = {};
  for (const m of input.markets) {
    const tick = m.precision.price;
    const lot = m.precision.amount;
    need(m.base, places(lot));
    need(m.quote, places(tick) + places(lot));
    const minNotional = m.limits.cost.min;
    markets[m.symbol] = {
      tickSize: tick,
      lotSize: lot,
      minQty: onGrid(m.limits.amount.min, lot, "up"),
      maxQty: onGrid(m.limits.amount.max, lot, "down"),
      minNotional,
      fees: { maker: fee(m.maker), taker: fee(m.taker) },
      data: {
        source: "gbm",
        startPrice: onGrid(input.lastPrices[m.symbol] ?? "0", tick, "up"),
        volatility: 0.6,
        drift: 0,
        timeframe: "1m",
      },
      liquidity: { levelNotional: levelNotional(minNotional) },
    };
  }
  const held: Record<string, string> = {};
  for (const [asset, entry] of Object.entries(input.balances)) {
    if (!decimals.has(asset)) continue;
    need(asset, places(entry.total));
    held[asset] = entry.total;
  }
  const assets = Object.fromEntries([...decimals].map(([a, d]) => [a, { decimals: d }]));
  const first = input.markets[0];
  if (first === undefined) throw new InvalidInputError(`${input.exchange}: no markets to trade`);
  const file = {
    name: input.exchange,
    seed: 1,
    start: new Date(input.startMs).toISOString(),
    assets,
    fees: { maker: fee(first.maker), taker: fee(first.taker) },
    markets,
    accounts: { [input.account]: held },
    latency: { fixedMs: 0, jitterMs: 0 },
    liquidity: {
      inventory: Object.fromEntries([...decimals.keys()].map((a) => [a, MAKER_INVENTORY])),
    },
  };
  return parseVenueConfig(stringify(file), {
    file: `${input.exchange}'s markets`,
    baseDir: ".",
  });
}

/** Lots in a market whose exchange states no maximum quantity. */
const UNSTATED_MAX_LOTS = 1_000_000_000_000n;

/**
 * A quantity or price on the market's grid, rounded the way that keeps the exchange's rule (a
 * minimum, or a price, up; a maximum down); none stated ("0") is one step, or for a maximum a
 * very large number of them.
 */
function onGrid(value: string, step: string, rounding: "up" | "down"): string {
  const inc = parseIncrement(step);
  const steps = toSteps(value, inc, rounding);
  if (steps > 0n) return fromSteps(steps, inc);
  return fromSteps(rounding === "down" ? UNSTATED_MAX_LOTS : 1n, inc);
}

/** The simulator has no maker rebates: a negative rate is simulated as free. */
function fee(rate: string): string {
  return rate.startsWith("-") ? "0" : rate;
}

/** The makers' best level in a backtest: ten thousand minimum orders, or 10 000 of the quote. */
function levelNotional(minNotional: string): string {
  if (!(Number(minNotional) > 0)) return "10000";
  const scale = places(minNotional);
  const units = BigInt(minNotional.replace(".", "")) * 10_000n;
  const text = units.toString().padStart(scale + 1, "0");
  return scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}
