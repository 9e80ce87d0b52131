import { describe, expect, it } from "vitest";
import { NotSupportedError } from "../../src/domain/errors.js";
import {
  NOTHING_SUPPORTED,
  notSupported,
  numToString,
  VENUE_FEATURES,
} from "../../src/venues/venue.js";

describe("venue - interface helpers", () => {
  it("venue - an unsupported feature throws NotSupported naming the venue and the feature", () => {
    expect(() => notSupported("kraken", "watchOHLCV")).toThrow(NotSupportedError);
    expect(() => notSupported("kraken", "watchOHLCV")).toThrow(
      "kraken does not support watchOHLCV",
    );
  });

  it("venue - NOTHING_SUPPORTED lists every unified method as false and cannot be changed", () => {
    expect(Object.keys(NOTHING_SUPPORTED).sort()).toEqual([...VENUE_FEATURES].sort());
    expect(Object.values(NOTHING_SUPPORTED).every((v) => v === false)).toBe(true);
    expect(Object.isFrozen(NOTHING_SUPPORTED)).toBe(true);
  });

  it("venue - numbers become their shortest decimal text", () => {
    expect(numToString(0.1)).toBe("0.1");
    expect(numToString("0.10")).toBe("0.10");
    expect(numToString(1e-8)).toBe("1e-8");
  });
});
