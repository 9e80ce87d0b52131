/**
 * Capabilities derived and narrowed, as pure functions: the Desk's from its venue, a Holder's from
 * the Desk's and its template, and the reason a need is refused.
 */
import { describe, expect, it } from "vitest";
import {
  deskCapabilities,
  enabledCandidates,
  holderCapabilities,
  lacking,
  readNeeds,
  stopMechanism,
} from "../../../src/actors/capabilities/index.js";
import { NOTHING_SUPPORTED } from "../../../src/venues/venue.js";

const venue = { id: "sim", has: { ...NOTHING_SUPPORTED, createOrder: true as const } };
const SPOT = { "BTC/USDT": { type: "spot" as const } };
// A perpetual, as ccxt types it: the Market type knows only spot until derivatives land.
/** A perpetual as ccxt lists it: its leverage limit is its first bracket's (Binance: 125). */
const PERP = {
  "BTC/USDT:USDT": { type: "swap", limits: { leverage: { max: 125 } } } as unknown as {
    type: "spot";
  },
};
const ALL_TYPES = ["market", "limit", "stop_market", "stop_limit"] as const;

describe("capabilities - the Desk's, from its venue", () => {
  it("capabilities - a spot venue: stop orders from orderTypes, no shorting, no leverage", () => {
    const caps = deskCapabilities("sim-main", venue, SPOT, ["BTC/USDT"], {
      orderTypes: ALL_TYPES,
      timeInForce: ["GTC", "IOC"],
    });
    expect(caps).toMatchObject({
      of: "sim-main",
      marketKinds: ["spot"],
      markets: { "BTC/USDT": "spot" },
      orderTypes: [...ALL_TYPES],
      timeInForce: ["GTC", "IOC"],
      stopOrders: true,
      routes: ["market", "limit", "stop_market"],
      shorting: false,
      maxLeverage: 1,
      off: {
        shorting: "the venue has no shorting on spot",
        leverage: "spot markets trade without leverage",
      },
    });
    expect(caps.has.createOrder).toBe(true);
  });

  it("capabilities - the venue file switches stop orders off, or lists no stop order type", () => {
    const off = deskCapabilities("sim-main", venue, SPOT, ["BTC/USDT"], {
      orderTypes: ALL_TYPES,
      capabilities: { stopOrders: false, shorting: true },
    });
    expect(off.stopOrders).toBe(false);
    expect(off.off.stopOrders).toBe(
      "the venue file switches stop orders off (capabilities.stopOrders: false)",
    );
    const unlisted = deskCapabilities("sim-main", venue, SPOT, ["BTC/USDT"], {
      orderTypes: ["market", "limit"],
    });
    expect(unlisted.stopOrders).toBe(false);
    expect(unlisted.off.stopOrders).toBe("sim takes no stop orders (orderTypes: market, limit)");
  });

  it("capabilities - a perpetual allows shorting and the venue file's leverage, unless switched off", () => {
    const on = deskCapabilities("sim-main", venue, PERP, ["BTC/USDT:USDT"], {
      capabilities: { stopOrders: true, shorting: true, maxLeverage: 10 },
    });
    expect(on).toMatchObject({ marketKinds: ["perpetual"], shorting: true, maxLeverage: 10 });
    const off = deskCapabilities("sim-main", venue, PERP, ["BTC/USDT:USDT"], {
      capabilities: { stopOrders: true, shorting: false },
    });
    expect(off.shorting).toBe(false);
    expect(lacking(off, "BTC/USDT:USDT", { short: true })).toBe(
      "shorting is switched off at the venue (venue file capabilities.shorting: false)",
    );
    // Uncapped, the venue's own limit; a contract that states none allows no leverage.
    expect(off.maxLeverage).toBe(125);
    const unstated = { "BTC/USDT:USDT": { type: "swap" } as unknown as { type: "spot" } };
    expect(deskCapabilities("sim-main", venue, unstated, ["BTC/USDT:USDT"]).maxLeverage).toBe(1);
  });
});

describe("capabilities - a Holder's narrow its Desk's", () => {
  const perp = deskCapabilities("sim-main", venue, PERP, ["BTC/USDT:USDT"], {
    capabilities: { stopOrders: true, shorting: true, maxLeverage: 10 },
  });

  it("capabilities - may.short false takes shorting away, with the template named as the reason", () => {
    const caps = holderCapabilities(perp, "sim-main_USDT", { short: false, leverage: 3 });
    expect(caps).toMatchObject({ of: "sim-main_USDT", shorting: false, maxLeverage: 3 });
    expect(lacking(caps, "BTC/USDT:USDT", { short: true })).toBe(
      "shorting is not allowed (holder template may.short: false)",
    );
    expect(lacking(caps, "BTC/USDT:USDT", { leverage: 5 })).toBe(
      "leverage 5 is above the 3 allowed: leverage is capped at 3 (holder template may.leverage: 3)",
    );
    expect(lacking(caps, "BTC/USDT:USDT", { leverage: 2 })).toBeUndefined();
  });

  it("capabilities - a template never widens what the venue has: the venue's reason stands", () => {
    const spot = deskCapabilities("sim-main", venue, SPOT, ["BTC/USDT"]);
    const caps = holderCapabilities(spot, "sim-main_USDT", { short: true, leverage: 20 });
    expect(caps).toMatchObject({ shorting: false, maxLeverage: 1 });
    expect(lacking(caps, "BTC/USDT", { short: true })).toBe("the venue has no shorting on spot");
  });

  it("capabilities - shorting allowed on the Desk's perpetual is still refused on its spot market", () => {
    const mixed = deskCapabilities(
      "sim-main",
      venue,
      { ...SPOT, ...PERP },
      ["BTC/USDT", "BTC/USDT:USDT"],
      { capabilities: { stopOrders: true, shorting: true } },
    );
    const caps = holderCapabilities(mixed, "sim-main_USDT", { short: true, leverage: 1 });
    expect(lacking(caps, "BTC/USDT:USDT", { short: true })).toBeUndefined();
    expect(lacking(caps, "BTC/USDT", { short: true })).toBe(
      "BTC/USDT is a spot market: the venue has no shorting on spot",
    );
  });
});

describe("capabilities - what a Trader enables", () => {
  const spot = deskCapabilities("sim-main", venue, SPOT, ["BTC/USDT"], { orderTypes: ALL_TYPES });

  it("capabilities - a strategy that needs shorting is dropped on spot, with the reason", () => {
    const long = { strategy: { name: "sma-cross" } };
    const short = { strategy: { name: "short-only", needs: { short: true } } };
    expect(enabledCandidates([long, short], spot, "BTC/USDT")).toEqual({
      enabled: [long],
      dropped: [{ strategy: "short-only", reason: "the venue has no shorting on spot" }],
    });
  });

  it("capabilities - the stop is native where the venue has stop orders; monitored where it has none, or a Desk does not route them", () => {
    expect(spot.routes).toEqual(["market", "limit", "stop_market"]);
    expect(stopMechanism(spot)).toEqual({ mechanism: "native" });
    expect(stopMechanism({ ...spot, routes: ["market", "limit"] })).toEqual({
      mechanism: "monitored",
      why: "the Desk's order gateway routes market and limit orders only, not stop orders",
    });
    const none = deskCapabilities("sim-main", venue, SPOT, ["BTC/USDT"], {
      orderTypes: ALL_TYPES,
      capabilities: { stopOrders: false, shorting: true },
    });
    expect(stopMechanism(none)).toEqual({
      mechanism: "monitored",
      why: "the venue file switches stop orders off (capabilities.stopOrders: false)",
    });
  });

  it("capabilities - needs from the bus are checked, each problem named", () => {
    expect(readNeeds(undefined)).toEqual({});
    expect(readNeeds({ short: true })).toEqual({ short: true });
    expect(readNeeds("short")).toBe("needs must be a mapping like { short: true }");
    expect(readNeeds({ short: "yes" })).toBe("needs.short must be true or false");
    expect(readNeeds({ leverage: 0 })).toBe("needs.leverage must be a number of at least 1");
    expect(readNeeds({ margin: true })).toBe(
      "needs has unknown keys margin (allowed: short, leverage)",
    );
  });
});
