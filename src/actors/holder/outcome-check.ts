/**
 * What a Holder learns from: a Trader's outcome report, read as untrusted input. It must be signed
 * by a Trader this Holder spawned or registered (trader-keys.ts) and be small and well-formed, so a
 * report can never grow a template without limit or write anything but an outcome into it.
 *
 * Bounds: a strategy name of at most 64 characters of [A-Za-z0-9_.:/@-]; at most 16 params, each
 * named by at most 64 word characters, each a finite number or a text of at most 64 characters; a
 * whole number of trades up to 1,000,000; a plain decimal pnl of at most 40 characters; a finite
 * returnPct; a market among the Holder's pairs.
 */
import { InvalidInputError } from "../../domain/errors.js";
import type { TraderOutcome } from "../trader/types.js";

const STRATEGY = /^[A-Za-z0-9_.:/@-]{1,64}$/;
const PARAM = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/;
const MAX_PARAMS = 16;
const MAX_TRADES = 1_000_000;

/** The report as a TraderOutcome, or an InvalidInputError naming the first thing wrong with it. */
export function checkOutcome(value: unknown, pairs: readonly string[]): TraderOutcome {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    bad("a report must be a mapping");
  const r = value as Record<string, unknown>;
  if (typeof r.trader !== "string" || r.trader.length > 256) bad("'trader' must be a text");
  if (typeof r.market !== "string" || !pairs.includes(r.market))
    bad(`'market' must be one of ${pairs.join(", ")}`);
  if (typeof r.strategy !== "string" || !STRATEGY.test(r.strategy))
    bad("'strategy' must be a name of at most 64 characters");
  const params = r.params;
  if (params === null || typeof params !== "object" || Array.isArray(params))
    bad("'params' must be a mapping");
  const entries = Object.entries(params as Record<string, unknown>);
  if (entries.length > MAX_PARAMS) bad(`'params' has more than ${MAX_PARAMS} entries`);
  for (const [name, v] of entries) {
    if (!PARAM.test(name))
      bad(`param name ${JSON.stringify(name.slice(0, 70))} is not a short word`);
    const ok =
      (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.length <= 64);
    if (!ok) bad(`param ${name} must be a number or a short text`);
  }
  if (
    typeof r.trades !== "number" ||
    !Number.isSafeInteger(r.trades) ||
    r.trades < 0 ||
    r.trades > MAX_TRADES
  )
    bad(`'trades' must be a whole number from 0 to ${MAX_TRADES}`);
  if (typeof r.pnl !== "string" || !DECIMAL.test(r.pnl)) bad("'pnl' must be a plain decimal text");
  if (typeof r.returnPct !== "number" || !Number.isFinite(r.returnPct))
    bad("'returnPct' must be a finite number");
  if (r.mandate !== undefined && (typeof r.mandate !== "string" || r.mandate.length > 256))
    bad("'mandate' must be a nonce");
  return {
    trader: r.trader,
    market: r.market,
    strategy: r.strategy,
    params: Object.fromEntries(entries),
    trades: r.trades,
    pnl: r.pnl,
    returnPct: r.returnPct,
    ...(r.mandate === undefined ? {} : { mandate: r.mandate as string }),
  } as TraderOutcome;
}

function bad(why: string): never {
  throw new InvalidInputError(`refused report: ${why}`);
}
