import { describe, expect, it } from "vitest";
import * as errorsModule from "../../src/domain/errors.js";
import {
  AuthenticationError,
  asCrypyError,
  BadPayloadError,
  ClosedError,
  CrypyError,
  errorFromWire,
  errorToWire,
  formatError,
  InsufficientFundsError,
  InternalError,
  InvalidInputError,
  InvalidOrderError,
  JournalFailedError,
  MandateDeniedError,
  NetworkError,
  NoRespondersError,
  NotSupportedError,
  OrderNotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  RejectedError,
  RiskDeniedError,
  TimeoutError,
  TransientError,
  UnknownMarketError,
} from "../../src/domain/errors.js";

const classes: [typeof CrypyError, string, boolean][] = [
  [InternalError, "internal", false],
  [TransientError, "transient", true],
  [NetworkError, "network", true],
  [TimeoutError, "timeout", true],
  [NoRespondersError, "no_responders", true],
  [RateLimitError, "rate_limited", true],
  [RejectedError, "rejected", false],
  [InvalidOrderError, "invalid_order", false],
  [OrderNotFoundError, "order_not_found", false],
  [InsufficientFundsError, "insufficient_funds", false],
  [UnknownMarketError, "unknown_market", false],
  [RiskDeniedError, "risk_denied", false],
  [MandateDeniedError, "mandate_denied", false],
  [AuthenticationError, "authentication_failed", false],
  [PermissionDeniedError, "permission_denied", false],
  [JournalFailedError, "journal_failed", false],
  [NotSupportedError, "not_supported", false],
  [ClosedError, "closed", false],
  [InvalidInputError, "invalid_input", false],
  [PayloadTooLargeError, "payload_too_large", false],
  [BadPayloadError, "bad_payload", false],
];

describe("errors", () => {
  for (const [cls, code, retryable] of classes) {
    it(`errors - ${cls.name} has code "${code}" and retryable ${retryable}`, () => {
      const err = new cls("boom");
      expect(cls.code).toBe(code);
      expect(err.code).toBe(code);
      expect(err.name).toBe(cls.name);
      expect(err.retryable).toBe(retryable);
      expect(err.retryable).toBe(err instanceof TransientError);
      expect(err).toBeInstanceOf(CrypyError);
      expect(err).toBeInstanceOf(Error);
    });

    it(`errors - ${cls.name} round-trips through the wire to the same class`, () => {
      const wire = errorToWire(new cls(`${code} happened`));
      expect(wire).toMatchObject({ code, message: `${code} happened` });
      const back = errorFromWire(JSON.parse(JSON.stringify(wire)));
      expect(back.constructor).toBe(cls);
      expect(back.code).toBe(code);
      expect(back.message).toBe(`${code} happened`);
      expect(back.retryable).toBe(retryable);
    });
  }

  it("errors - this table covers every error class errors.ts exports", () => {
    const exported = Object.values(errorsModule).filter(
      (v) => typeof v === "function" && v.prototype instanceof CrypyError,
    );
    expect(new Set(exported)).toStrictEqual(new Set(classes.map(([cls]) => cls)));
  });

  it("errors - every code is distinct", () => {
    const codes = classes.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("errors - the base class shares InternalError's code, so it comes back as InternalError", () => {
    const back = errorFromWire(errorToWire(new CrypyError("base")));
    expect(back).toBeInstanceOf(InternalError);
    expect(back.code).toBe("internal");
    expect(back.message).toBe("base");
  });

  it("errors - RateLimitError keeps retryAfterMs across the wire", () => {
    const wire = errorToWire(new RateLimitError("slow down", { retryAfterMs: 1500 }));
    expect(wire).toStrictEqual({ code: "rate_limited", message: "slow down", retryAfterMs: 1500 });
    const back = errorFromWire(JSON.parse(JSON.stringify(wire)));
    expect(back).toBeInstanceOf(RateLimitError);
    expect((back as RateLimitError).retryAfterMs).toBe(1500);
  });

  it("errors - RateLimitError without a usable retryAfterMs defaults to 0", () => {
    expect(new RateLimitError("x").retryAfterMs).toBe(0);
    const back = errorFromWire({ code: "rate_limited", message: "x", retryAfterMs: "soon" });
    expect((back as RateLimitError).retryAfterMs).toBe(0);
  });

  it("errors - only rate limits put retryAfterMs on the wire", () => {
    expect(errorToWire(new NetworkError("down"))).toStrictEqual({
      code: "network",
      message: "down",
    });
  });

  it("errors - an unknown code from a newer peer keeps its code", () => {
    const back = errorFromWire({ code: "margin_call", message: "add funds" });
    expect(back.constructor).toBe(CrypyError);
    expect(back.code).toBe("margin_call");
    expect(back.retryable).toBe(false);
    expect(formatError(back)).toBe("margin_call: add funds");
    expect(errorToWire(back)).toStrictEqual({ code: "margin_call", message: "add funds" });
  });

  it("errors - a thrown non-crypy Error becomes InternalError keeping the cause", () => {
    const original = new TypeError("x is undefined");
    const err = asCrypyError(original);
    expect(err).toBeInstanceOf(InternalError);
    expect(err.message).toBe("x is undefined");
    expect(err.cause).toBe(original);
  });

  it("errors - a crypy error passes through asCrypyError unchanged, cause included", () => {
    const root = new Error("socket closed");
    const err = new NetworkError("lost venue", { cause: root });
    expect(asCrypyError(err)).toBe(err);
    expect(asCrypyError(err).cause).toBe(root);
  });

  it("errors - thrown non-Error values become InternalError with their text", () => {
    expect(asCrypyError("plain string").message).toBe("plain string");
    expect(asCrypyError(42).message).toBe("42");
    expect(asCrypyError(undefined).message).toBe("undefined");
    expect(asCrypyError(null).message).toBe("null");
    expect(asCrypyError({ a: 1 })).toBeInstanceOf(InternalError);
    expect(errorToWire("oops")).toStrictEqual({ code: "internal", message: "oops" });
    expect(formatError(7)).toBe("internal: 7");
  });

  const malformed: [string, unknown][] = [
    ["null", null],
    ["undefined", undefined],
    ["a string", "network"],
    ["a number", 42],
    ["an object without code", { message: "m" }],
    ["an object without message", { code: "network" }],
    ["a numeric code", { code: 5, message: "m" }],
    ["a non-string message", { code: "network", message: { text: "m" } }],
  ];
  for (const [what, payload] of malformed) {
    it(`errors - a wire payload that is ${what} becomes BadPayloadError`, () => {
      const err = errorFromWire(payload);
      expect(err).toBeInstanceOf(BadPayloadError);
      expect(err.code).toBe("bad_payload");
    });
  }

  it("errors - formatError prints code: message", () => {
    expect(formatError(new InvalidOrderError("price off tick"))).toBe(
      "invalid_order: price off tick",
    );
  });

  it("errors - a code override is kept on a known class", () => {
    const err = new RejectedError("no", { code: "venue_specific" });
    expect(err.code).toBe("venue_specific");
    expect(err).toBeInstanceOf(RejectedError);
  });
});
