import { describe, expect, it } from "vitest";
import * as errors from "../../src/domain/errors.js";
import * as domain from "../../src/domain/index.js";

describe("index", () => {
  it("index - re-exports every runtime name of errors.ts", () => {
    const reexported = new Map<string, unknown>(Object.entries(domain));
    for (const [name, value] of Object.entries(errors)) {
      expect(reexported.get(name), name).toBe(value);
    }
  });

  it("index - lists the public functions of every module", () => {
    const names = Object.keys(domain);
    for (const name of [
      "parseMarket",
      "marketToken",
      "marketFromToken",
      "parseDecimal",
      "formatDecimal",
      "parseIncrement",
      "toSteps",
      "fromSteps",
      "roundToStep",
      "mulDiv",
      "rescale",
      "isSide",
      "isOrderType",
      "isTimeInForce",
      "candleFromOHLCV",
      "candleToOHLCV",
    ]) {
      expect(names).toContain(name);
    }
  });
});
