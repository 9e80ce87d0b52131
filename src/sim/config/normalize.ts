/**
 * The second validation pass, on a file that already has the right shape: relations between
 * fields (declared assets, representable amounts, funded market makers) and the exact values the
 * simulator uses. Returns every issue found; the config is only meaningful when there are none.
 */

import type { Issue, PathSegment } from "../../config/issues.js";
import { parseInstant } from "../../config/time-text.js";
import { parseDecimal } from "../../domain/fixed.js";
import { feeSchedule, normalizeMarket, PENDING_INDEX_DATA } from "./markets.js";
import type { VenueFile } from "./schema.js";
import type {
  ApiKeyConfig,
  AssetAmount,
  CapabilitySwitches,
  Holdings,
  MarketConfig,
  VenueConfig,
} from "./types.js";

export interface NormalizeOptions {
  readonly file: string;
  readonly baseDir: string;
}

export function normalize(
  venue: VenueFile,
  options: NormalizeOptions,
): { config: VenueConfig; issues: Issue[] } {
  const issues: Issue[] = [];
  const { assets } = venue;
  const marketCtx = {
    assets,
    fees: venue.fees,
    liquidity: venue.liquidity,
    baseDir: options.baseDir,
    issues,
  };
  const markets: Record<string, MarketConfig> = {};
  for (const [symbol, market] of Object.entries(venue.markets)) {
    const normalized = normalizeMarket(symbol, market, marketCtx);
    if (normalized !== undefined) markets[symbol] = normalized;
  }
  linkIndexes(markets, issues);
  const accounts: Record<string, Holdings> = {};
  const apiKeys: ApiKeyConfig[] = [];
  for (const [name, { apiKeys: keys, ...balances }] of Object.entries(venue.accounts)) {
    accounts[name] = holdings(
      ["accounts", name],
      balances as Record<string, string>,
      assets,
      issues,
    );
    for (const { key, secret } of keys ?? []) apiKeys.push({ account: name, key, secret });
  }
  checkApiKeys(venue, issues);
  const { inventory: inventoryText, levelNotional, ...liquidity } = venue.liquidity;
  const inventory = holdings(["liquidity", "inventory"], inventoryText, assets, issues);
  const { insuranceFund, leverage, marginMode } = venue.derivatives;
  const fund = holdings(["derivatives", "insuranceFund"], insuranceFund, assets, issues);
  checkInventory(Object.values(markets), inventory, issues);

  const config: VenueConfig = {
    file: options.file,
    name: venue.name,
    seed: venue.seed,
    start: venue.start,
    startMs: parseInstant(venue.start) ?? 0,
    assets,
    fees: feeSchedule(venue.fees.maker, venue.fees.taker),
    orderTypes: venue.orderTypes,
    timeInForce: venue.timeInForce,
    selfTradePrevention: venue.selfTradePrevention,
    capabilities: capabilitySwitches(venue.capabilities),
    markets,
    accounts,
    apiKeys,
    latency: venue.latency,
    rateLimit: venue.rateLimit,
    faults: venue.faults,
    liquidity: {
      ...liquidity,
      ...(levelNotional === undefined ? {} : { levelNotional }),
      inventory,
    },
    derivatives: { insuranceFund: fund, leverage, marginMode },
  };
  return { config, issues };
}

/** The `capabilities:` block without an absent cap (exactOptionalPropertyTypes). */
function capabilitySwitches(c: VenueFile["capabilities"]): CapabilitySwitches {
  return {
    stopOrders: c.stopOrders,
    shorting: c.shorting,
    ...(c.maxLeverage === undefined ? {} : { maxLeverage: c.maxLeverage }),
  };
}

/**
 * Each contract's index is a spot market of the venue; a contract without data of its own gets its
 * index market's (the simulator replays the same path for both).
 */
function linkIndexes(markets: Record<string, MarketConfig>, issues: Issue[]): void {
  for (const [symbol, market] of Object.entries(markets)) {
    const contract = market.contract;
    if (contract === undefined) continue;
    const index = markets[contract.index];
    if (index === undefined || index.kind !== "spot") {
      issues.push({
        path: ["markets", symbol, "index"],
        message:
          index === undefined
            ? `"${contract.index}" is not a market of this venue (markets: ${Object.keys(markets).join(", ")})`
            : `"${contract.index}" is a ${index.kind} market; an index is a spot market`,
      });
      delete markets[symbol];
      continue;
    }
    if (market.data === PENDING_INDEX_DATA) markets[symbol] = { ...market, data: index.data };
  }
}

/** No API key is listed twice, in one account or across accounts. */
function checkApiKeys(venue: VenueFile, issues: Issue[]): void {
  const seen = new Set<string>();
  for (const [name, account] of Object.entries(venue.accounts)) {
    (account.apiKeys ?? []).forEach(({ key }, i) => {
      if (seen.has(key)) {
        issues.push({
          path: ["accounts", name, "apiKeys", i, "key"],
          message: "this key is already listed",
        });
      }
      seen.add(key);
    });
  }
}

/** Balances in declared assets, each a whole number of that asset's minor units. */
function holdings(
  path: PathSegment[],
  amounts: Readonly<Record<string, string>>,
  assets: VenueFile["assets"],
  issues: Issue[],
): Holdings {
  const out: Record<string, AssetAmount> = {};
  for (const [asset, value] of Object.entries(amounts)) {
    const decimals = assets[asset]?.decimals;
    if (decimals === undefined) {
      issues.push({
        path: [...path, asset],
        message: `asset "${asset}" is not declared in assets`,
        at: "key",
      });
      continue;
    }
    try {
      out[asset] = { value, units: parseDecimal(value, decimals) };
    } catch {
      issues.push({
        path: [...path, asset],
        message: `expected at most ${decimals} decimals (${asset} minor units), got "${value}"`,
      });
    }
  }
  return out;
}

/**
 * The market makers quote every book at once from one funded account, so their inventory in each
 * asset must cover that asset's side of every book at full depth: a quote asset pays for the bids,
 * a base asset fills the asks. Bid depth is known exactly from the config; ask depth only where the
 * reference price is (gbm's startPrice), so replayed markets only need the asset present.
 * A sanity check in floating point, not accounting: it catches, say, a USDT-sized levelNotional on
 * ETH/BTC.
 */
function checkInventory(
  markets: readonly MarketConfig[],
  inventory: Holdings,
  issues: Issue[],
): void {
  const needs = new Map<string, { amount: number; books: string[] }>();
  const need = (asset: string, amount: number, book: string) => {
    const entry = needs.get(asset) ?? { amount: 0, books: [] };
    entry.amount += amount;
    entry.books.push(book);
    needs.set(asset, entry);
  };
  for (const market of markets) {
    const { levelNotional, levels, depthGrowth } = market.liquidity;
    let depth = 0;
    for (let i = 0; i < levels; i++) depth += Number(levelNotional) * depthGrowth ** i;
    need(market.quote, depth, `${market.symbol} bids`);
    // A contract's makers sell contracts, not base: they need only the settle asset.
    if (market.contract !== undefined) continue;
    const price = market.data.source === "gbm" ? Number(market.data.startPrice) : undefined;
    need(market.base, price === undefined ? 0 : depth / price, `${market.symbol} asks`);
  }
  for (const [asset, { amount, books }] of needs) {
    const held = inventory[asset];
    if (held === undefined || held.units === 0n) {
      issues.push({
        path: held === undefined ? ["liquidity", "inventory"] : ["liquidity", "inventory", asset],
        message: `the market makers need some ${asset} to quote ${books.join(", ")}`,
      });
    } else if (Number(held.value) < amount) {
      issues.push({
        path: ["liquidity", "inventory", asset],
        message:
          `${held.value} ${asset} cannot fund ${books.join(", ")} at full depth ` +
          `(about ${roughly(amount)} ${asset} needed)`,
      });
    }
  }
}

function roughly(amount: number): string {
  return amount >= 1 ? String(Math.ceil(amount)) : amount.toPrecision(3);
}
