/**
 * What CcxtVenue.open takes, checked once at the edge (unknown keys refused, the bad field
 * named), so a desk template's mistake is a clear error before any connection is made.
 *
 * Modes (DESIGN.md, Venues): `live` is the exchange itself; `sandbox` is its testnet or demo,
 * through ccxt's `setSandboxMode`; `paper` (live market data, crypy's own fills and balances) is
 * a different venue, PaperVenue, which CcxtVenue refuses so nobody trades live by mistake.
 * `urls` and `options` are deep-merged over ccxt's own (after the sandbox switch), which is how a
 * desk template points ccxt at a local `crypy venue serve`.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { checkWeightLimit, type WeightLimit } from "../budget/weight-window.js";
import type { CredentialsSource } from "./credentials.js";

export const VENUE_MODES = ["live", "sandbox", "paper"] as const;
export type VenueMode = (typeof VENUE_MODES)[number];

export interface CcxtVenueOptions {
  /** ccxt's exchange id: binance, kraken, bybit, bitget, upbit, … */
  exchange: string;
  /** Default live. */
  mode?: VenueMode;
  /** Where the account's API keys are; without it only public market data works. */
  credentials?: CredentialsSource;
  /** Deep-merged over ccxt's `urls` (e.g. `{ api: { public, private } }` of a local server). */
  urls?: Record<string, unknown>;
  /** Deep-merged over ccxt's `options` (e.g. `{ fetchMarkets: { types: ["spot"] } }`). */
  options?: Record<string, unknown>;
  /** ccxt's request timeout, ms (ccxt's default is 10 000). */
  timeoutMs?: number;
  /**
   * The venue's request-weight limit in ccxt's cost units (binance: a fifth of Binance's weight,
   * ccxt's 1,200 a minute standing for Binance's 6,000), where ccxt's own figure is wrong.
   */
  requestWeight?: WeightLimit;
}

export interface CheckedOptions {
  readonly exchange: string;
  readonly mode: VenueMode;
  readonly credentials?: CredentialsSource;
  readonly urls?: Record<string, unknown>;
  readonly options?: Record<string, unknown>;
  readonly timeoutMs?: number;
  readonly requestWeight?: WeightLimit;
}

const KEYS = new Set([
  "exchange",
  "mode",
  "credentials",
  "urls",
  "options",
  "timeoutMs",
  "requestWeight",
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The options, checked; defaults filled in; frozen. */
export function checkOptions(input: CcxtVenueOptions): CheckedOptions {
  const fail = (field: string, why: string) =>
    new InvalidInputError(`CcxtVenue options: ${field} ${why}`);
  if (!isRecord(input)) throw fail("", "must be an object");
  for (const key of Object.keys(input)) {
    if (!KEYS.has(key)) throw fail(key, `is not an option (expected ${[...KEYS].join(", ")})`);
  }
  if (typeof input.exchange !== "string" || !/^[a-z0-9]+$/.test(input.exchange)) {
    throw fail("exchange", "must be a ccxt exchange id such as binance");
  }
  const mode = input.mode ?? "live";
  if (!VENUE_MODES.includes(mode)) throw fail("mode", `must be one of ${VENUE_MODES.join(", ")}`);
  const out: {
    -readonly [K in keyof CheckedOptions]: CheckedOptions[K];
  } = { exchange: input.exchange, mode };
  if (input.credentials !== undefined) {
    const c = input.credentials as unknown;
    const ok =
      isRecord(c) &&
      ((c.env === true && Object.keys(c).every((k) => k === "env" || k === "variables")) ||
        (typeof c.file === "string" && Object.keys(c).length === 1));
    if (!ok) throw fail("credentials", 'must be { env: true } or { file: "<path>" }');
    out.credentials = input.credentials;
  }
  for (const field of ["urls", "options"] as const) {
    const value = input[field];
    if (value === undefined) continue;
    if (!isRecord(value)) throw fail(field, "must be an object");
    out[field] = value;
  }
  if (input.timeoutMs !== undefined) {
    if (!Number.isInteger(input.timeoutMs) || input.timeoutMs <= 0) {
      throw fail("timeoutMs", "must be a positive integer");
    }
    out.timeoutMs = input.timeoutMs;
  }
  if (input.requestWeight !== undefined) {
    out.requestWeight = checkWeightLimit(input.requestWeight, "CcxtVenue options: requestWeight");
  }
  return Object.freeze(out);
}
