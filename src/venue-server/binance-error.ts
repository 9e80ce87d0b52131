/**
 * Binance's error answer: an HTTP status and a body `{code, msg}` whose code a client maps onto its
 * own errors (ccxt: -1121 → BadSymbol). Codes and messages are Binance's own, from its spot API
 * documentation ("Error codes for Binance").
 */
export class BinanceError extends Error {
  /** Seconds a client must wait, sent as `Retry-After` (429 and 418 answers). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "BinanceError";
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

export const invalidSymbol = () => new BinanceError(400, -1121, "Invalid symbol.");
export const invalidInterval = () => new BinanceError(400, -1120, "Invalid interval.");
export const unknownEndpoint = () => new BinanceError(404, -1000, "Unknown endpoint.");
export const unknownError = () =>
  new BinanceError(500, -1000, "An unknown error occurred while processing the request.");
/** -1001 DISCONNECTED: the venue could not process the request, which did not execute. */
export const venueBusy = () =>
  new BinanceError(503, -1001, "Internal error; unable to process your request. Please try again.");

export const mandatoryParameter = (name: string) =>
  new BinanceError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );

export const illegalParameter = (name: string) =>
  new BinanceError(
    400,
    -1100,
    `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
  );

// ---- signed endpoints: authentication ----

export const apiKeyFormatInvalid = () => new BinanceError(401, -2014, "API-key format invalid.");
export const invalidApiKey = () =>
  new BinanceError(401, -2015, "Invalid API-key, IP, or permissions for action.");
export const invalidSignature = () =>
  new BinanceError(400, -1022, "Signature for this request is not valid.");
export const timestampOutsideWindow = () =>
  new BinanceError(400, -1021, "Timestamp for this request is outside of the recvWindow.");
export const timestampAhead = () =>
  new BinanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
export const recvWindowTooLarge = () =>
  new BinanceError(400, -1131, "recvWindow must be less than 60000");

// ---- signed endpoints: orders ----

export const newOrderRejected = (msg: string) => new BinanceError(400, -2010, msg);
export const duplicateOrder = () => newOrderRejected("Duplicate order sent.");
export const insufficientBalance = () =>
  newOrderRejected("Account has insufficient balance for requested action.");
export const filterFailure = (filter: "PRICE_FILTER" | "LOT_SIZE" | "NOTIONAL") =>
  new BinanceError(400, -1013, `Filter failure: ${filter}`);
export const orderDoesNotExist = () => new BinanceError(400, -2013, "Order does not exist.");
export const unknownOrderSent = () => new BinanceError(400, -2011, "Unknown order sent.");
export const unsupportedOrderCombination = () =>
  new BinanceError(400, -1014, "Unsupported order combination.");
export const invalidOrderType = () => new BinanceError(400, -1116, "Invalid orderType.");
export const invalidSide = () => new BinanceError(400, -1117, "Invalid side.");
export const invalidTimeInForce = () => new BinanceError(400, -1115, "Invalid timeInForce.");
export const orderIdOrClientIdMissing = () =>
  new BinanceError(
    400,
    -1102,
    "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
  );
