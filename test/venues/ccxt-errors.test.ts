/**
 * ccxt's error classes, from the real library, through crypy's table: each becomes the crypy class
 * that tells the Desk whether to retry, and no message keeps a secret ccxt put into it.
 */
import * as ccxt from "ccxt";
import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  CrypyError,
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
} from "../../src/domain/errors.js";
import { fromCcxtError } from "../../src/venues/ccxt/errors.js";

// What ccxt's binance writes into an error: the method, the signed URL, the exchange's body.
const SIGNED =
  'binance POST https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=9f3a7c0de1 {"code":-2010,"msg":"Account has insufficient balance"} apiKey=ABCDEF123456';

const CASES: Array<
  [string, new (message: string) => Error, abstract new (...a: never[]) => CrypyError, boolean]
> = [
  ["RequestTimeout", ccxt.RequestTimeout, TimeoutError, true],
  ["RateLimitExceeded", ccxt.RateLimitExceeded, RateLimitError, true],
  ["DDoSProtection", ccxt.DDoSProtection, RateLimitError, true],
  ["ExchangeNotAvailable", ccxt.ExchangeNotAvailable, NetworkError, true],
  ["OnMaintenance", ccxt.OnMaintenance, NetworkError, true],
  ["NetworkError", ccxt.NetworkError, NetworkError, true],
  ["InsufficientFunds", ccxt.InsufficientFunds, InsufficientFundsError, false],
  ["InvalidOrder", ccxt.InvalidOrder, InvalidOrderError, false],
  ["OrderNotFound", ccxt.OrderNotFound, OrderNotFoundError, false],
  ["BadSymbol", ccxt.BadSymbol, UnknownMarketError, false],
  ["AuthenticationError", ccxt.AuthenticationError, AuthenticationError, false],
  ["PermissionDenied", ccxt.PermissionDenied, PermissionDeniedError, false],
  ["NotSupported", ccxt.NotSupported, NotSupportedError, false],
  ["ExchangeError", ccxt.ExchangeError, RejectedError, false],
];

describe("ccxt errors - each class to crypy's tree", () => {
  for (const [name, CcxtClass, crypyClass, retryable] of CASES) {
    it(`ccxt errors - ${name} is ${crypyClass.name}${retryable ? " (retried)" : ""}, with no secret left in it`, () => {
      const err = fromCcxtError(new CcxtClass(SIGNED), "binance");
      expect(err).toBeInstanceOf(crypyClass);
      expect(err.retryable).toBe(retryable);
      expect(err.message.startsWith("binance: binance POST")).toBe(true);
      expect(err.message).toContain("Account has insufficient balance");
      for (const secret of ["9f3a7c0de1", "ABCDEF123456"]) {
        expect(err.message).not.toContain(secret);
        expect(String((err.cause as Error).message)).not.toContain(secret);
      }
    });
  }

  it("ccxt errors - the most specific class wins: OrderNotFound is not just an InvalidOrder", () => {
    const err = fromCcxtError(new ccxt.OrderNotFound("binance order 7 not found"), "binance");
    expect(err.code).toBe("order_not_found");
  });

  it("ccxt errors - what is not a ccxt exchange error is internal, its message scrubbed too", () => {
    expect(fromCcxtError(new TypeError("x is undefined"), "binance")).toBeInstanceOf(InternalError);
    const odd = fromCcxtError("signature=abcdef0123 went wrong", "binance");
    expect(odd).toBeInstanceOf(CrypyError);
    expect(odd.message).not.toContain("abcdef0123");
  });
});
