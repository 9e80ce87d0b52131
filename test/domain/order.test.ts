import { describe, expect, it } from "vitest";
import {
  isOrderStatus,
  isOrderType,
  isSide,
  isTimeInForce,
  ORDER_STATUSES,
  ORDER_TYPES,
  oppositeSide,
  SIDES,
  TIMES_IN_FORCE,
} from "../../src/domain/order.js";

const untrusted: unknown[] = [undefined, null, 0, "", "BUY", "Limit", "gtc", "po", {}, ["buy"]];

describe("order", () => {
  it("order - guards accept exactly the listed values", () => {
    for (const v of SIDES) expect(isSide(v)).toBe(true);
    for (const v of ORDER_TYPES) expect(isOrderType(v)).toBe(true);
    for (const v of TIMES_IN_FORCE) expect(isTimeInForce(v)).toBe(true);
    for (const v of ORDER_STATUSES) expect(isOrderStatus(v)).toBe(true);
  });

  it("order - guards reject untrusted look-alikes (case matters)", () => {
    for (const v of untrusted) {
      expect(isSide(v)).toBe(false);
      expect(isOrderType(v)).toBe(false);
      expect(isTimeInForce(v)).toBe(false);
      expect(isOrderStatus(v)).toBe(false);
    }
    expect(isOrderType("stop")).toBe(false);
    expect(isOrderStatus("cancelled")).toBe(false);
  });

  it("order - the opposite side closes a position", () => {
    expect(oppositeSide("buy")).toBe("sell");
    expect(oppositeSide("sell")).toBe("buy");
  });
});
