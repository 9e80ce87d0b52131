/**
 * Binance's error answer: an HTTP status and a body `{code, msg}` whose code a client maps onto its
 * own errors (ccxt: -1121 → BadSymbol). Codes and messages are Binance's own, from its spot API
 * documentation ("Error codes for Binance").
 */
export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "BinanceError";
  }

  get body(): { code: number; msg: string } {
    return { code: this.code, msg: this.message };
  }
}

export const invalidSymbol = () => new BinanceError(400, -1121, "Invalid symbol.");
export const invalidInterval = () => new BinanceError(400, -1120, "Invalid interval.");
export const unknownEndpoint = () => new BinanceError(404, -1000, "Unknown endpoint.");

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
