/**
 * crypy's error tree. A caller decides what to do from the class alone:
 *
 *   CrypyError                      base; `code` is the stable wire name, `retryable` the policy
 *   ├─ TransientError               retry may succeed (same request, later)
 *   │  ├─ NetworkError              connection lost, 5xx, …
 *   │  ├─ TimeoutError              no answer in time: the outcome is *unknown*, look it up
 *   │  ├─ RateLimitError            carries retryAfterMs
 *   │  └─ NoRespondersError         nobody serves the subject (yet)
 *   ├─ RejectedError                the other side said no; retrying the same thing will not help
 *   │  ├─ InvalidOrderError (└─ OrderNotFoundError), InsufficientFundsError, UnknownMarketError
 *   │  ├─ RiskDeniedError, MandateDeniedError
 *   │  ├─ JournalFailedError        the journal could not make an entry durable: nothing was sent
 *   │  ├─ AuthenticationError       a server refused our credentials (wrong user or password)
 *   │  └─ PermissionDeniedError     a server refused a subject to this user (NATS permissions)
 *   ├─ NotSupportedError            the venue/actor does not offer this
 *   ├─ ClosedError                  the connection/actor is closed or draining
 *   ├─ InvalidInputError            the caller's input is malformed
 *   │  ├─ PayloadTooLargeError
 *   │  └─ BadPayloadError           bytes from the wire that do not decode
 *   └─ InternalError                a bug or a non-crypy error that crossed the wire
 *
 * Errors cross the bus as `{code, message}` (plus `retryAfterMs` for rate limits) and are rebuilt
 * into the same class on the other side by `errorFromWire`.
 */

export interface ErrorDetails {
  /** Overrides the class's code; used only to keep an unknown code from a newer peer. */
  code?: string;
}

export class CrypyError extends Error {
  static readonly code: string = "internal";
  readonly code: string;

  constructor(message: string, options?: ErrorOptions & ErrorDetails) {
    super(message, options);
    this.name = new.target.name;
    this.code = options?.code ?? (new.target as typeof CrypyError).code;
  }

  get retryable(): boolean {
    return this instanceof TransientError;
  }
}

export class InternalError extends CrypyError {
  static override readonly code: string = "internal";
}

export class TransientError extends CrypyError {
  static override readonly code: string = "transient";
}
export class NetworkError extends TransientError {
  static override readonly code: string = "network";
}
export class TimeoutError extends TransientError {
  static override readonly code: string = "timeout";
}
export class NoRespondersError extends TransientError {
  static override readonly code: string = "no_responders";
}
export class RateLimitError extends TransientError {
  static override readonly code: string = "rate_limited";
  readonly retryAfterMs: number;
  constructor(message: string, options?: ErrorOptions & ErrorDetails & { retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs ?? 0;
  }
}

export class RejectedError extends CrypyError {
  static override readonly code: string = "rejected";
}
export class InvalidOrderError extends RejectedError {
  static override readonly code: string = "invalid_order";
}
/** The venue does not know the order (ccxt: OrderNotFound). */
export class OrderNotFoundError extends InvalidOrderError {
  static override readonly code: string = "order_not_found";
}
export class InsufficientFundsError extends RejectedError {
  static override readonly code: string = "insufficient_funds";
}
export class UnknownMarketError extends RejectedError {
  static override readonly code: string = "unknown_market";
}
export class RiskDeniedError extends RejectedError {
  static override readonly code: string = "risk_denied";
}
export class MandateDeniedError extends RejectedError {
  static override readonly code: string = "mandate_denied";
}

/** A server refused our credentials: retrying with the same ones will not help. */
export class AuthenticationError extends RejectedError {
  static override readonly code: string = "authentication_failed";
}
/** A server refused this user a publish or a subscription (NATS subject permissions). */
export class PermissionDeniedError extends RejectedError {
  static override readonly code: string = "permission_denied";
}

/** The journal could not make an entry durable (disk full, I/O error): nothing was sent. */
export class JournalFailedError extends RejectedError {
  static override readonly code: string = "journal_failed";
}

export class NotSupportedError extends CrypyError {
  static override readonly code: string = "not_supported";
}

export class ClosedError extends CrypyError {
  static override readonly code: string = "closed";
}

export class InvalidInputError extends CrypyError {
  static override readonly code: string = "invalid_input";
}
export class PayloadTooLargeError extends InvalidInputError {
  static override readonly code: string = "payload_too_large";
}
export class BadPayloadError extends InvalidInputError {
  static override readonly code: string = "bad_payload";
}

type ErrorClass = typeof CrypyError;

const errorClasses: readonly ErrorClass[] = [
  CrypyError,
  InternalError,
  TransientError,
  NetworkError,
  TimeoutError,
  NoRespondersError,
  RateLimitError,
  RejectedError,
  InvalidOrderError,
  OrderNotFoundError,
  InsufficientFundsError,
  UnknownMarketError,
  RiskDeniedError,
  MandateDeniedError,
  AuthenticationError,
  PermissionDeniedError,
  JournalFailedError,
  NotSupportedError,
  ClosedError,
  InvalidInputError,
  PayloadTooLargeError,
  BadPayloadError,
];

/** code → class. InternalError wins "internal" over the base class (it is listed later). */
const classByCode: ReadonlyMap<string, ErrorClass> = new Map(errorClasses.map((c) => [c.code, c]));

/** The shape an error takes on the wire. */
export interface WireError {
  code: string;
  message: string;
  retryAfterMs?: number;
}

/** Any thrown value → a CrypyError (non-crypy errors become InternalError, keeping the cause). */
export function asCrypyError(err: unknown): CrypyError {
  if (err instanceof CrypyError) return err;
  if (err instanceof Error) return new InternalError(err.message, { cause: err });
  return new InternalError(String(err));
}

export function errorToWire(err: unknown): WireError {
  const e = asCrypyError(err);
  const wire: WireError = { code: e.code, message: e.message };
  if (e instanceof RateLimitError) wire.retryAfterMs = e.retryAfterMs;
  return wire;
}

/**
 * Rebuilds a wire error into its class. An unknown code (a newer peer) becomes a CrypyError that
 * keeps the code, so a REPL still prints `code: message`.
 */
export function errorFromWire(wire: unknown): CrypyError {
  if (typeof wire !== "object" || wire === null) {
    return new BadPayloadError(`error payload is not an object: ${JSON.stringify(wire)}`);
  }
  const { code, message, retryAfterMs } = wire as Record<string, unknown>;
  if (typeof code !== "string" || typeof message !== "string") {
    return new BadPayloadError("error payload needs string 'code' and 'message'");
  }
  const cls = classByCode.get(code);
  if (cls === undefined) return new CrypyError(message, { code });
  if (cls === RateLimitError) {
    return new RateLimitError(message, {
      retryAfterMs: typeof retryAfterMs === "number" ? retryAfterMs : 0,
    });
  }
  return new cls(message);
}

/** `code: message`, the form a human sees in a REPL. */
export function formatError(err: unknown): string {
  const e = asCrypyError(err);
  return `${e.code}: ${e.message}`;
}
