import { describe, expect, it } from "vitest";
import { ExitLevels } from "../../src/actors/trader/exit-levels.js";

describe("exit levels - a long's below and above, a short's mirrored", () => {
  it("exit levels - a long stops 2 % below its entry and takes profit 5 % above", () => {
    const e = new ExitLevels(2, 5);
    e.arm(100);
    expect([e.stopLoss, e.takeProfit]).toEqual([98, 105]);
    expect(e.hit(98.5)).toBeUndefined();
    expect(e.hit(98)).toBe("stop-loss");
    expect(e.hit(105)).toBe("take-profit");
  });

  it("exit levels - a short stops 2 % above its entry and takes profit 5 % below; adjust keeps them on their sides", () => {
    const e = new ExitLevels(2, 5);
    e.arm(100, "short");
    expect([e.stopLoss, e.takeProfit]).toEqual([102, 95]);
    expect(e.hit(101)).toBeUndefined();
    expect(e.hit(102)).toBe("stop-loss");
    expect(e.hit(95)).toBe("take-profit");
    const position = { entry: 100, last: 99, inPosition: true, state: "inPosition" };
    expect(() => e.adjust("sl", 98, false, position)).toThrow(
      "a stop loss of 98 is not above the last price 99",
    );
    expect(() => e.adjust("tp", 99.5, false, position)).toThrow(
      "a take profit of 99.5 is not below the last price 99",
    );
    expect(e.adjust("sl", 1, true, position)).toEqual({ stopLoss: 101, takeProfit: 95 });
  });
});
