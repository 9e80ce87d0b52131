/**
 * A perpetual or delivery market's own fields, checked (the second validation pass, as markets.ts
 * does for every market): each problem is reported at the field that holds it.
 *
 * Rules:
 * - The symbol says the kind (`BTC/USDT:USDT` perpetual, `BTC/USDT:USDT-250328` delivery); `type`,
 *   when written, must agree with it. A spot market may not have any contract field.
 * - Linear contracts only (settled in the quote asset); inverse ones are refused as not supported.
 * - `leverageBrackets` and `index` (a spot market of the same venue) are required; `expiry` is
 *   required for a delivery contract (and its UTC day must be the symbol's date), refused for a
 *   perpetual; `funding` is a perpetual's only (defaults: 8 h, 0.01 % interest, cap 0.75 × the
 *   first bracket's maintenance margin ratio, as Binance's majors); `funding.rates` names a CSV of
 *   recorded rates (funding-rates.ts) to settle with instead of computing them.
 * - A contract without `data` trades on its index market's path: same prices, so its basis is the
 *   makers' spread and its funding mostly the interest component.
 */
import type { Issue, PathSegment } from "../../config/issues.js";
import { parseInstant } from "../../config/time-text.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { MarketId } from "../../domain/market.js";
import { parseDerivativeMarket } from "../derivatives/instrument.js";
import { parseRate, RATE_ONE } from "../derivatives/rate.js";
import { type RecordedRate, readFundingRates } from "./funding-rates.js";
import type { MarketFile, VenueFile } from "./schema.js";
import type { ContractConfig, FundingConfig } from "./types.js";

const CONTRACT_FIELDS = [
  "contractSize",
  "index",
  "expiry",
  "leverageBrackets",
  "funding",
  "liquidationFee",
] as const;

/** Binance's liquidation clearance fee on most USDⓈ-M contracts. */
const DEFAULT_LIQUIDATION_FEE = "0.0125";

export function normalizeContract(
  id: MarketId,
  market: MarketFile,
  assets: VenueFile["assets"],
  issues: Issue[],
  baseDir = ".",
): ContractConfig | undefined {
  const path = (...rest: PathSegment[]): PathSegment[] => ["markets", id.symbol, ...rest];
  const report = (at: PathSegment[], message: string) => issues.push({ path: at, message });
  if (market.type !== undefined && market.type !== id.kind) {
    report(path("type"), `"${market.type}" disagrees with the symbol, a ${id.kind} market`);
    return undefined;
  }
  if (id.kind === "spot") {
    for (const field of CONTRACT_FIELDS) {
      if (market[field] !== undefined) {
        report(path(field), "only perpetual and delivery markets have this field");
      }
    }
    return undefined;
  }
  const settle = id.settle!;
  if (settle !== id.quote) {
    report(path(), `inverse contracts (settled in ${settle}) are not supported yet`);
    return undefined;
  }
  const settleDecimals = assets[settle]?.decimals;
  if (settleDecimals === undefined) return undefined; // reported with the quote asset
  let ok = true;
  const need = (field: (typeof CONTRACT_FIELDS)[number], why: string) => {
    if (market[field] === undefined) {
      report(path(field), `missing: a ${id.kind} market needs ${why}`);
      ok = false;
    }
  };
  need("index", 'its index market (a spot market of this venue, like "BTC/USDT")');
  need("leverageBrackets", "its leverage brackets (tiered maintenance margin)");
  let expiry: number | undefined;
  if (id.kind === "delivery") {
    need("expiry", 'its delivery time (like "2025-03-28T08:00:00Z")');
    if (market.funding !== undefined) {
      report(path("funding"), "a delivery future pays no funding");
      ok = false;
    }
    if (market.expiry !== undefined) expiry = parseInstant(market.expiry);
  } else if (market.expiry !== undefined) {
    report(path("expiry"), "a perpetual has no expiry");
    ok = false;
  }
  if (!ok) return undefined;
  let spec: ContractConfig["spec"];
  try {
    spec = parseDerivativeMarket({
      symbol: id.symbol,
      base: id.base,
      quote: id.quote,
      settle,
      kind: id.kind,
      linear: true,
      contractSize: market.contractSize ?? "1",
      tickSize: market.tickSize,
      lotSize: market.lotSize,
      settleDecimals,
      ...(expiry === undefined ? {} : { expiry }),
      brackets: market.leverageBrackets!.map(({ maintAmount, ...b }) =>
        maintAmount === undefined ? b : { ...b, maintAmount },
      ),
    });
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err;
    report(fieldOf(err.message, path), err.message.replace(/^market "[^"]*": /, ""));
    return undefined;
  }
  const liquidationFeeRate = rate(
    market.liquidationFee ?? DEFAULT_LIQUIDATION_FEE,
    path("liquidationFee"),
    report,
  );
  if (liquidationFeeRate === undefined) return undefined;
  let funding: FundingConfig | undefined;
  if (id.kind === "perpetual") {
    const f = market.funding;
    const interestRate = rate(f?.interestRate ?? "0.0001", path("funding", "interestRate"), report);
    const cap =
      f?.cap === undefined
        ? (spec.brackets[0]!.maintMarginRatio * 3n) / 4n
        : rate(f.cap, path("funding", "cap"), report);
    if (interestRate === undefined || cap === undefined) return undefined;
    if (cap >= RATE_ONE) {
      report(path("funding", "cap"), `must be below 1, got "${f?.cap}"`);
      return undefined;
    }
    let recorded: RecordedRate[] | undefined;
    if (f?.rates !== undefined) {
      const read = readFundingRates(f.rates, baseDir);
      if (typeof read === "string") {
        report(path("funding", "rates"), read);
        return undefined;
      }
      recorded = read;
    }
    funding = {
      intervalHours: f?.intervalHours ?? 8,
      interestRate,
      cap,
      ...(recorded === undefined ? {} : { recorded }),
    };
  }
  return {
    spec,
    contractSize: market.contractSize ?? "1",
    index: market.index!,
    samePathAsIndex: market.data === undefined,
    ...(funding === undefined ? {} : { funding }),
    liquidationFeeRate,
  };
}

/** The field a parse error from derivatives/instrument.ts is about. */
function fieldOf(message: string, path: (...rest: PathSegment[]) => PathSegment[]): PathSegment[] {
  const bracket = /leverage bracket (\d+)/.exec(message);
  if (bracket !== null) return path("leverageBrackets", Number(bracket[1]) - 1);
  if (/expiry|date/.test(message)) return path("expiry");
  if (/contractSize|contract size/.test(message)) return path("contractSize");
  if (/tickSize|tick/.test(message)) return path("tickSize");
  if (/lotSize/.test(message)) return path("lotSize");
  return path();
}

function rate(
  text: string,
  at: PathSegment[],
  report: (at: PathSegment[], message: string) => void,
): bigint | undefined {
  try {
    return parseRate(text, at.join("."));
  } catch {
    report(at, `expected a rate with at most 12 decimals, got "${text}"`);
    return undefined;
  }
}
