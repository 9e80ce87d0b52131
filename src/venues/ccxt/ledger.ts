/**
 * ccxt's ledger and wallet histories as crypy's LedgerEntry (deposits, withdrawals, transfers —
 * never trades, which are fills). Why each rule:
 *
 * - Where ccxt's `fetchLedger` answers for the account it is used; its `trade` and `fee` entries
 *   are dropped, because the fills (fetchMyTrades) already carry every trade and its fee, and a
 *   balance check must count each once. Binance's `fetchLedger` covers its futures and options
 *   wallets only and refuses spot (NotSupported), so there, and wherever ccxt has no ledger, the
 *   deposit and withdrawal histories stand in (`fetchDeposits` + `fetchWithdrawals`: "emulated").
 * - A deposit counts once credited (status ok). A withdrawal counts unless it failed or was
 *   cancelled: exchanges take it from the balance when it is requested, not when it completes.
 *   Its fee, in the same currency, leaves the balance too.
 * - Amounts are exact decimal text (CcxtVenue sets `client.number = String`), signed here.
 */
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import type { LedgerEntry, LedgerKind } from "../../domain/ledger-entry.js";
import type { FeatureSupport } from "../venue.js";
import type { Raw } from "./convert.js";
import { readDecimal } from "./decimal.js";

/** Decimals sums are taken at: beyond any venue's precision. */
const SCALE = 18;

const obj = (v: unknown): Raw => (typeof v === "object" && v !== null ? (v as Raw) : {});

/** How CcxtVenue can list balance movements, from ccxt's `has`. */
export function ledgerSupport(ccxtHas: Readonly<Record<string, unknown>>): FeatureSupport {
  if (ccxtHas.fetchLedger === true) return true;
  return ccxtHas.fetchDeposits === true && ccxtHas.fetchWithdrawals === true ? "emulated" : false;
}

/** A ccxt ledger entry, or undefined for one a fill already accounts (trade, fee). */
export function fromLedgerEntry(raw: Raw): LedgerEntry | undefined {
  const type = String(raw.type ?? "");
  if (type === "trade" || type === "fee") return undefined;
  const out = raw.direction === "out";
  const kind: LedgerKind =
    type === "transaction"
      ? out
        ? "withdrawal"
        : "deposit"
      : type === "transfer"
        ? "transfer"
        : "other";
  return entry(raw, kind, out ? -1 : 1, "0");
}

/** A ccxt deposit or withdrawal (transaction structure), or undefined if it moved nothing. */
export function fromTransaction(raw: Raw): LedgerEntry | undefined {
  const status = String(raw.status ?? "");
  if (raw.type === "deposit") return status === "ok" ? entry(raw, "deposit", 1, "0") : undefined;
  if (status === "failed" || status === "canceled") return undefined;
  const fee = obj(raw.fee);
  const sameCurrency = fee.currency === undefined || fee.currency === raw.currency;
  const feeCost = sameCurrency ? (readDecimal(fee.cost, "withdrawal fee") ?? "0") : "0";
  return entry(raw, "withdrawal", -1, feeCost);
}

function entry(raw: Raw, kind: LedgerKind, sign: 1 | -1, fee: string): LedgerEntry | undefined {
  const amount = readDecimal(raw.amount, `${kind} amount`);
  const timestamp = typeof raw.timestamp === "number" ? raw.timestamp : Number(raw.timestamp);
  if (amount === undefined || !Number.isFinite(timestamp)) return undefined;
  const magnitude = addDecimals(amount.replace(/^-/, ""), fee);
  return {
    id: String(raw.id ?? `${kind}-${timestamp}`),
    timestamp,
    currency: String(raw.currency),
    amount: sign < 0 && magnitude !== "0" ? `-${magnitude}` : magnitude,
    kind,
  };
}

/** a + b, two non-negative decimal texts, exactly. */
function addDecimals(a: string, b: string): string {
  return formatDecimal(parseDecimal(a, SCALE) + parseDecimal(b, SCALE), SCALE);
}
