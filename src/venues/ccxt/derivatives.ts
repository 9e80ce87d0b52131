/**
 * ccxt's derivatives structures (position, funding rate, funding rate history, leverage) as
 * crypy's domain types (domain/derivatives.ts), with the same exactness rules as convert.ts: the
 * exchange's decimal text is kept (decimal.ts), and corrupt data fails fast.
 *
 * Why each rule:
 * - A position's leverage is not in every exchange's position answer (Binance's v3 positionRisk
 *   dropped it). crypy's Position requires it, so CcxtVenue reads it from ccxt's fetchLeverages
 *   where the position has none (`leverageOf`); an exchange that says it nowhere is an error.
 * - ccxt lists a flat position on some exchanges (contracts 0): crypy lists open positions only.
 * - A position's side comes from ccxt; absent, from the sign of its notional or contracts. Its
 *   margin mode, absent, is cross (the exchanges' default). A hedge-mode position is refused:
 *   crypy's positions are one-way.
 * - Binance's premiumIndex gives the next funding's rate and time but neither the interval nor the
 *   funding after it: those stay absent rather than guessed.
 */
import type {
  FundingRate,
  FundingRateHistory,
  MarginMode,
  Position,
} from "../../domain/derivatives.js";
import { InternalError } from "../../domain/errors.js";
import type { Raw } from "./convert.js";
import { readDecimal, requireDecimal } from "./decimal.js";

const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : undefined;

/** ccxt's leverage structure, by symbol (fetchLeverages). */
export type Leverages = Readonly<Record<string, Raw>>;

/** The leverage of `side` in ccxt's leverage structure, if it says. */
export function leverageOf(leverages: Leverages, symbol: string, side: "long" | "short") {
  const entry = leverages[symbol];
  if (entry === undefined) return undefined;
  return num(side === "long" ? entry.longLeverage : entry.shortLeverage);
}

/** Whether ccxt's position is open (a non-zero number of contracts). */
export function isOpen(p: Raw): boolean {
  const contracts = readDecimal(p.contracts, `${String(p.symbol)} position contracts`);
  return contracts !== undefined && contracts !== "0";
}

/**
 * A ccxt position as crypy's; `leverage` stands in where the position has none.
 *
 * @example
 * toPosition({ symbol: "BTC/USDT:USDT", side: "short", contracts: "1.5", ... }, undefined)
 */
export function toPosition(p: Raw, leverage: number | undefined): Position {
  const symbol = String(p.symbol);
  const what = `${symbol} position`;
  const dec = (key: string) => readDecimal(p[key], `${what} ${key}`);
  const need = (key: string) => requireDecimal(p[key], `${what} ${key}`);
  const contracts = need("contracts").replace(/^-/, "");
  const notional = dec("notional");
  const side = sideOf(p.side, notional ?? need("contracts"));
  const lev = num(p.leverage) ?? leverage;
  if (lev === undefined || !Number.isFinite(lev)) {
    throw new InternalError(`${what}: the exchange states no leverage for it`);
  }
  const marginMode: MarginMode = p.marginMode === "isolated" ? "isolated" : "cross";
  const position: Position = {
    symbol,
    timestamp: num(p.timestamp) ?? 0,
    side,
    contracts,
    contractSize: dec("contractSize") ?? "1",
    entryPrice: need("entryPrice"),
    markPrice: dec("markPrice") ?? "0",
    notional: (notional ?? "0").replace(/^-/, ""),
    leverage: lev,
    collateral: dec("collateral") ?? "0",
    initialMargin: dec("initialMargin") ?? "0",
    maintenanceMargin: dec("maintenanceMargin") ?? "0",
    maintenanceMarginPercentage: dec("maintenanceMarginPercentage") ?? "0",
    unrealizedPnl: dec("unrealizedPnl") ?? "0",
    realizedPnl: dec("realizedPnl") ?? "0",
    marginMode,
    hedged: false,
  };
  const liquidation = dec("liquidationPrice");
  if (liquidation !== undefined && liquidation !== "0") position.liquidationPrice = liquidation;
  const ratio = dec("marginRatio");
  if (ratio !== undefined) position.marginRatio = ratio;
  if (p.hedged === true) {
    throw new InternalError(`${what} is in hedge mode; crypy trades one-way positions only`);
  }
  return position;
}

function sideOf(side: unknown, signed: string): "long" | "short" {
  if (side === "long" || side === "short") return side;
  return signed.startsWith("-") ? "short" : "long";
}

export function toFundingRate(r: Raw): FundingRate {
  const symbol = String(r.symbol);
  const what = `${symbol} funding rate`;
  const dec = (key: string) => readDecimal(r[key], `${what} ${key}`);
  const fundingTimestamp = num(r.fundingTimestamp);
  if (fundingTimestamp === undefined) throw new InternalError(`${what}: no funding time`);
  const out: FundingRate = {
    symbol,
    timestamp: num(r.timestamp) ?? 0,
    markPrice: dec("markPrice") ?? "0",
    indexPrice: dec("indexPrice") ?? "0",
    interestRate: dec("interestRate") ?? "0",
    fundingRate: requireDecimal(r.fundingRate, `${what} fundingRate`),
    fundingTimestamp,
  };
  const next = num(r.nextFundingTimestamp);
  if (next !== undefined) out.nextFundingTimestamp = next;
  const previous = dec("previousFundingRate");
  const previousAt = num(r.previousFundingTimestamp);
  if (previous !== undefined && previousAt !== undefined) {
    out.previousFundingRate = previous;
    out.previousFundingTimestamp = previousAt;
  }
  if (typeof r.interval === "string" && r.interval !== "") out.interval = r.interval;
  return out;
}

export function toFundingRateHistory(h: Raw): FundingRateHistory {
  const symbol = String(h.symbol);
  const timestamp = num(h.timestamp);
  if (timestamp === undefined) throw new InternalError(`${symbol} funding history: no time`);
  return {
    symbol,
    fundingRate: requireDecimal(h.fundingRate, `${symbol} funding history rate`),
    timestamp,
  };
}
