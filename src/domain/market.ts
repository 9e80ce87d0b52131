/**
 * Market ids in ccxt's unified symbol convention, and the NATS subject tokens that name them.
 *
 *   kind                ccxt symbol              token
 *   spot                BTC/USDT                 BTC-USDT
 *   perpetual (linear)  BTC/USDT:USDT            BTC-USDT-PERP
 *   delivery  (linear)  BTC/USDT:USDT-250328     BTC-USDT-250328
 *   perpetual (inverse) BTC/USD:BTC              BTC-USD-PERP-BTC
 *   delivery  (inverse) BTC/USD:BTC-250328       BTC-USD-250328-BTC
 *
 * Invariants:
 * - Asset codes are `[A-Z0-9]{1,20}`. Lowercase is rejected, not upper-cased: one market has one
 *   spelling, so a subject built by a publisher always matches the subscriber's.
 * - Expiry is YYMMDD of a real calendar date in 2000–2099.
 * - A token carries the settle currency only when it differs from the quote (inverse contracts);
 *   a token that repeats the quote as settle is rejected. Token ↔ symbol is therefore a bijection:
 *   `marketFromToken(marketToken(s)).symbol === s` and `marketToken(marketFromToken(t)) === t`.
 * - Tokens use only `[A-Z0-9-]`, inside the subject token alphabet `[A-Za-z0-9_-]`. Parts are told
 *   apart by position, never by content, so an asset named `PERP` or `250328` stays unambiguous.
 * - Options (`BTC/USDT:USDT-250328-40000-C`) are not supported and are rejected.
 */

import { InvalidInputError } from "./errors.js";

export type MarketKind = "spot" | "perpetual" | "delivery";

export interface MarketId {
  /** The ccxt unified symbol, e.g. `BTC/USDT:USDT`. */
  symbol: string;
  base: string;
  quote: string;
  /** Present for perpetual and delivery contracts. */
  settle?: string;
  kind: MarketKind;
  /** YYMMDD; present for delivery contracts only. */
  expiry?: string;
}

const ASSET = /^[A-Z0-9]{1,20}$/;
const PERP = "PERP";
const SYMBOL_FORMS = 'expected "BASE/QUOTE", "BASE/QUOTE:SETTLE" or "BASE/QUOTE:SETTLE-YYMMDD"';
const TOKEN_FORMS =
  'expected "BASE-QUOTE", "BASE-QUOTE-PERP[-SETTLE]" or "BASE-QUOTE-YYMMDD[-SETTLE]"';

/**
 * Parses a ccxt unified symbol.
 *
 * @example
 * parseMarket("BTC/USDT:USDT-250328");
 * // { symbol: "BTC/USDT:USDT-250328", base: "BTC", quote: "USDT", settle: "USDT",
 * //   kind: "delivery", expiry: "250328" }
 */
export function parseMarket(symbol: string): MarketId {
  const fail = (why: string) =>
    new InvalidInputError(`invalid market symbol ${JSON.stringify(symbol)}: ${why}`);
  if (typeof symbol !== "string") throw fail("not a string");
  const slash = symbol.indexOf("/");
  if (slash < 0) throw fail(SYMBOL_FORMS);
  const base = symbol.slice(0, slash);
  const rest = symbol.slice(slash + 1);
  const colon = rest.indexOf(":");
  const quote = colon < 0 ? rest : rest.slice(0, colon);
  if (colon < 0) return buildMarket(fail, base, quote);
  const [settle = "", expiry, ...extra] = rest.slice(colon + 1).split("-");
  if (extra.length > 0) throw fail("options and other derivatives are not supported");
  return buildMarket(fail, base, quote, settle, expiry);
}

/**
 * The subject token of a market. A MarketId's fields must agree with its symbol.
 *
 * @example
 * marketToken("BTC/USD:BTC-250328"); // "BTC-USD-250328-BTC"
 */
export function marketToken(symbolOrId: string | MarketId): string {
  const id = typeof symbolOrId === "string" ? parseMarket(symbolOrId) : checkedId(symbolOrId);
  const parts = [id.base, id.quote];
  if (id.kind !== "spot") parts.push(id.expiry ?? PERP);
  if (id.settle !== undefined && id.settle !== id.quote) parts.push(id.settle);
  return parts.join("-");
}

/**
 * The market a subject token names; the inverse of `marketToken`.
 *
 * @example
 * marketFromToken("BTC-USDT-PERP").symbol; // "BTC/USDT:USDT"
 */
export function marketFromToken(token: string): MarketId {
  const fail = (why: string) =>
    new InvalidInputError(`invalid market token ${JSON.stringify(token)}: ${why}`);
  if (typeof token !== "string") throw fail("not a string");
  const parts = token.split("-");
  if (parts.length < 2 || parts.length > 4) throw fail(TOKEN_FORMS);
  const [base = "", quote = "", tenor, settle] = parts;
  if (tenor === undefined) return buildMarket(fail, base, quote);
  if (settle === quote) {
    throw fail(`settle "${settle}" equals the quote; a linear contract's token omits it`);
  }
  return buildMarket(fail, base, quote, settle ?? quote, tenor === PERP ? undefined : tenor);
}

/** Rejects a hand-built MarketId whose fields disagree with its symbol (a bug, not a market). */
function checkedId(id: MarketId): MarketId {
  const parsed = parseMarket(id.symbol);
  const agree =
    parsed.base === id.base &&
    parsed.quote === id.quote &&
    parsed.settle === id.settle &&
    parsed.kind === id.kind &&
    parsed.expiry === id.expiry;
  if (!agree) {
    throw new InvalidInputError(
      `market id fields disagree with its symbol ${JSON.stringify(id.symbol)}`,
    );
  }
  return parsed;
}

/** Validates the parts and builds the id with its canonical ccxt symbol. */
function buildMarket(
  fail: (why: string) => InvalidInputError,
  base: string,
  quote: string,
  settle?: string,
  expiry?: string,
): MarketId {
  checkAsset(fail, "base", base);
  checkAsset(fail, "quote", quote);
  if (settle === undefined) return { symbol: `${base}/${quote}`, base, quote, kind: "spot" };
  checkAsset(fail, "settle", settle);
  if (expiry === undefined) {
    return { symbol: `${base}/${quote}:${settle}`, base, quote, settle, kind: "perpetual" };
  }
  checkExpiry(fail, expiry);
  const symbol = `${base}/${quote}:${settle}-${expiry}`;
  return { symbol, base, quote, settle, kind: "delivery", expiry };
}

function checkAsset(fail: (why: string) => InvalidInputError, role: string, code: string): void {
  if (ASSET.test(code)) return;
  if (code === "") throw fail(`${role} asset is empty`);
  if (ASSET.test(code.toUpperCase())) {
    throw fail(`${role} asset "${code}" must be uppercase ("${code.toUpperCase()}")`);
  }
  throw fail(`${role} asset "${code}" must match [A-Z0-9]{1,20}`);
}

function checkExpiry(fail: (why: string) => InvalidInputError, expiry: string): void {
  if (!/^\d{6}$/.test(expiry)) throw fail(`expiry "${expiry}" must be YYMMDD`);
  const year = 2000 + Number(expiry.slice(0, 2));
  const month = Number(expiry.slice(2, 4));
  const day = Number(expiry.slice(4, 6));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw fail(`expiry "${expiry}" is not a real date (YYMMDD)`);
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
