/**
 * ccxt's errors, as crypy's: the table that tells the Desk whether to retry (transient) or which
 * typed refusal it got. The first step of CcxtVenue (issue 12).
 *
 * Rules:
 * - A ccxt error is read by its class name and its ancestors' (ccxt names each class), most
 *   specific first, so this module needs no import of ccxt itself (ccxt loads lazily: it costs
 *   about a second and 120 MB).
 * - NetworkError, RequestTimeout, RateLimitExceeded, DDoSProtection, ExchangeNotAvailable (and
 *   OnMaintenance) → transient; InsufficientFunds, InvalidOrder (and OrderNotFound), BadSymbol,
 *   AuthenticationError, PermissionDenied, NotSupported → their typed refusals. Any other ccxt
 *   exchange error is a plain refusal; anything else is internal.
 * - Messages keep the exchange's words but never a secret: ccxt puts the request's URL (signature,
 *   API key) and headers into some messages, so every message is scrubbed (src/log/redact.ts).
 * - The ccxt error stays as `cause` for a debugger, with its message and stack scrubbed too (a
 *   stack repeats the message it was built with).
 * - `venueCallError` is what CcxtVenue throws: for a request that never got an answer (connection
 *   refused, reset, DNS, timeout) ccxt writes "<id> <METHOD> <url> <why>"; that becomes one line,
 *   "<exchange> unreachable: <why> (<METHOD> <url without its query>)", so an operator reads what
 *   failed and where, and a signed query string cannot leak even if scrubbing missed a name.
 */
import {
  AuthenticationError,
  type CrypyError,
  InsufficientFundsError,
  InternalError,
  InvalidOrderError,
  NetworkError,
  NotSupportedError,
  OrderNotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RejectedError,
  TimeoutError,
  UnknownMarketError,
} from "../../domain/errors.js";
import { scrubString } from "../../log/redact.js";

type Build = (message: string, cause: Error) => CrypyError;

/** ccxt class name → crypy error; looked up from the error's own class toward its ancestors. */
const TABLE: ReadonlyMap<string, Build> = new Map<string, Build>([
  ["RequestTimeout", (m, cause) => new TimeoutError(m, { cause })],
  ["RateLimitExceeded", (m, cause) => new RateLimitError(m, { cause })],
  ["DDoSProtection", (m, cause) => new RateLimitError(m, { cause })],
  ["ExchangeNotAvailable", (m, cause) => new NetworkError(m, { cause })],
  ["NetworkError", (m, cause) => new NetworkError(m, { cause })],
  ["InsufficientFunds", (m, cause) => new InsufficientFundsError(m, { cause })],
  ["OrderNotFound", (m, cause) => new OrderNotFoundError(m, { cause })],
  ["InvalidOrder", (m, cause) => new InvalidOrderError(m, { cause })],
  ["BadSymbol", (m, cause) => new UnknownMarketError(m, { cause })],
  ["PermissionDenied", (m, cause) => new PermissionDeniedError(m, { cause })],
  ["AuthenticationError", (m, cause) => new AuthenticationError(m, { cause })],
  ["NotSupported", (m, cause) => new NotSupportedError(m, { cause })],
  ["ExchangeError", (m, cause) => new RejectedError(m, { cause })],
  ["OperationFailed", (m, cause) => new NetworkError(m, { cause })],
]);

/**
 * The crypy error for a failure of a ccxt call on `exchange`, its message scrubbed of secrets.
 *
 * @example
 * try { await client.createOrder(...) } catch (err) { throw fromCcxtError(err, "binance") }
 */
export function fromCcxtError(err: unknown, exchange: string): CrypyError {
  const message = scrubString(err instanceof Error ? err.message : String(err));
  const text = `${exchange}: ${message}`;
  if (!(err instanceof Error)) return new InternalError(text);
  // The cause keeps the class for a debugger, never the secret in its message.
  err.message = message;
  if (typeof err.stack === "string") err.stack = scrubString(err.stack);
  for (const name of classNames(err)) {
    const build = TABLE.get(name);
    if (build !== undefined) return build(text, err);
  }
  return new InternalError(text, { cause: err });
}

/** The class names of `err` and its ancestors, most specific first. */
function classNames(err: Error): string[] {
  const names: string[] = [];
  for (
    let p = Object.getPrototypeOf(err);
    p !== null && p !== Error.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const name = (p as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === "string") names.push(name);
  }
  return names;
}

/** ccxt's "<id> <METHOD> <url> <why>" of a request that never got an answer. */
const UNANSWERED = /^\S+ (GET|POST|PUT|DELETE|PATCH) (\S+) ([\s\S]*)$/;

/**
 * `fromCcxtError`, with a request that never got an answer said in one line and no query string.
 *
 * @example
 * venueCallError(err, "binance").message;
 * // "binance unreachable: fetch failed: connect ECONNREFUSED 127.0.0.1:9 (GET http://127.0.0.1:9/api/v3/exchangeInfo)"
 */
export function venueCallError(err: unknown, exchange: string): CrypyError {
  const mapped = fromCcxtError(err, exchange);
  if (!(mapped instanceof NetworkError || mapped instanceof TimeoutError)) return mapped;
  const raw = err instanceof Error ? err.message : "";
  const match = UNANSWERED.exec(raw);
  if (match === null) return mapped;
  const [, method, url = "", why = ""] = match;
  const where = `${method} ${url.split("?")[0]}`;
  // A 5xx got an answer (the exchange is up but failing); anything else never reached it.
  const what =
    mapped instanceof TimeoutError
      ? "did not answer in time"
      : /^\d{3}\b/.test(why)
        ? "failed"
        : "unreachable";
  const line = `${exchange} ${what}: ${why.replace(/\s+/g, " ").trim()} (${where})`;
  const Cls = mapped instanceof TimeoutError ? TimeoutError : NetworkError;
  return new Cls(line, { cause: mapped.cause });
}

/**
 * ccxt's binance family picks the error table of a futures API by Binance's host name
 * (getExceptionsByUrl: fapi.binance.com → its "linear" codes). At any other address — a local
 * `crypy venue serve` — only the common table applies, where the same codes mean other things
 * (-2022 "ReduceOnly Order is rejected" reads as a retryable BadResponse). With its URLs changed,
 * the exchange's own table is made the one that applies, as it would at Binance's host.
 */
const ERRORS_BY_MARKET_TYPE: Readonly<Record<string, string>> = {
  binanceusdm: "linear",
  binancecoinm: "inverse",
};

/** Whether `err` is ccxt's error class `name` or a subclass of it. */
export function isCcxtError(err: unknown, name: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  for (let p = Object.getPrototypeOf(err); p !== null; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: unknown } }).constructor?.name === name) return true;
  }
  return false;
}

/**
 * For an exchange whose URLs were changed: its futures API's error table (ERRORS_BY_MARKET_TYPE)
 * made its common one, as ccxt would pick it at the exchange's own host.
 */
export function useMarketTypeErrors(
  client: { exceptions?: Record<string, unknown> },
  exchange: string,
): void {
  const marketType = ERRORS_BY_MARKET_TYPE[exchange];
  const tables = client.exceptions;
  if (marketType === undefined || tables === undefined) return;
  const own = tables[marketType] as Record<string, Record<string, unknown>> | undefined;
  for (const kind of ["exact", "broad"] as const) {
    const common = (tables[kind] ?? {}) as Record<string, unknown>;
    tables[kind] = { ...common, ...own?.[kind] };
  }
}
