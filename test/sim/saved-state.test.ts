/**
 * The simulator's saved state (src/sim/saved-state.ts): what an account can observe goes through
 * JSON and back into a fresh simulator — balances, open orders with their ids, client ids and
 * fills, counters, the clock — and the resumed simulator goes on exactly as the original would.
 * A state that does not fit is refused, naming why.
 */
import { describe, expect, it } from "vitest";
import { OrderNotFoundError } from "../../src/domain/errors.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { type SavedExchange, SavedStateError } from "../../src/sim/saved-state.js";
import { parseSavedExchange } from "../../src/sim/saved-state-parse.js";
import { orderInput } from "../../src/venues/sim/order-input.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";

const VENUE = `name: sim
seed: 3
start: "2024-01-01T00:00:00Z"
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
fees: { maker: "0.001", taker: "0.002" }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: gbm, startPrice: "42000", volatility: 0.5, drift: 0, timeframe: 1m }
accounts:
  main: { USDT: "100000", BTC: "1" }
latency: { fixedMs: 0, jitterMs: 0 }
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "10000", USDT: "500000000" }
`;
const BTC = "BTC/USDT";
const HOUR = 3_600_000;
const config = parseVenueConfig(VENUE, { file: "venue.yaml", baseDir: "." });
const options = { syntheticMs: 4 * 24 * HOUR };

const off = (s: Simulation, pct: number) => {
  const last = Number(s.sim.ticker(BTC).last);
  return (Math.round(last * (1 + pct / 100) * 100) / 100).toFixed(2);
};
let placed = 0;
const place = (s: Simulation, side: "buy" | "sell", type: "limit" | "market", price?: string) =>
  s.sim.placeOrder(
    "main",
    orderInput(BTC, type, side, "0.05", price, { clientOrderId: `c-${++placed}` }),
  );

/** A simulation two hours in, with a market fill, two resting orders, a stop and a cancel. */
async function trading() {
  const s = await createSimulation(config, options);
  await s.run({ until: s.clock.now() + 2 * HOUR });
  place(s, "buy", "market");
  const bid = place(s, "buy", "limit", off(s, -0.2));
  const ask = place(s, "sell", "limit", off(s, 0.2));
  const stop = s.sim.placeOrder(
    "main",
    orderInput(BTC, "stop_market", "sell", "0.05", undefined, {
      clientOrderId: "c-stop",
      stopPrice: off(s, -30),
    }),
  );
  const gone = place(s, "buy", "limit", off(s, -10));
  s.sim.cancelOrder("main", { id: gone.id });
  return { s, bid, ask, stop, gone };
}

/** Through JSON, as the journal stores it. */
const throughJson = (saved: SavedExchange) => parseSavedExchange(JSON.parse(JSON.stringify(saved)));

describe("saved state - the simulator's accounts through JSON and back", () => {
  it("saved state - balances, open orders and the clock come back; ended orders only when kept", async () => {
    const { s, bid, ask, stop, gone } = await trading();
    const saved = throughJson(s.sim.save(new Set([gone.clientOrderId])));
    const r = await createSimulation(config, { ...options, resume: saved });
    expect(r.clock.now()).toBe(s.clock.now());
    expect(r.sim.ticker(BTC).last).toBe(s.sim.ticker(BTC).last);
    for (const account of ["main", "__mm__", "__fees__"])
      expect(r.sim.balances(account)).toEqual(s.sim.balances(account));
    expect(r.sim.openOrders("main")).toEqual(s.sim.openOrders("main"));
    expect(r.sim.openOrders("main").map((o) => o.id)).toEqual([bid.id, ask.id, stop.id]);
    expect(r.sim.order("main", { clientOrderId: gone.clientOrderId }).status).toBe("canceled");
    // Ended and not kept: forgotten, as a venue forgets old orders.
    const unkept = throughJson(s.sim.save());
    const u = await createSimulation(config, { ...options, resume: unkept });
    expect(() => u.sim.order("main", { clientOrderId: gone.clientOrderId })).toThrow(
      OrderNotFoundError,
    );
  });

  it("saved state - a resumed simulator goes on as the original: resting orders fill alike, ids never repeat", async () => {
    const { s, bid, ask } = await trading();
    const r = await createSimulation(config, { ...options, resume: throughJson(s.sim.save()) });
    for (const sim of [s, r]) await sim.run({ until: sim.clock.now() + 24 * HOUR });
    const bidThen = r.sim.order("main", { id: bid.id });
    const askThen = r.sim.order("main", { id: ask.id });
    // The market moved through both within the day: both filled, at their own prices.
    expect([bidThen.status, askThen.status]).toEqual(["closed", "closed"]);
    expect(bidThen).toEqual(s.sim.order("main", { id: bid.id }));
    expect(askThen).toEqual(s.sim.order("main", { id: ask.id }));
    expect(r.sim.balances("main")).toEqual(s.sim.balances("main"));
    for (const asset of ["BTC", "USDT"])
      expect(r.sim.exchange.ledger.total(asset)).toBe(s.sim.exchange.ledger.total(asset));
    const next = place(r, "buy", "limit", off(r, -5));
    expect(Number(next.id)).toBe(Number(place(s, "buy", "limit", off(s, -5)).id));
    expect(Number(next.id)).toBeGreaterThan(5);
  });

  it("saved state - a state that does not fit is refused, naming why", async () => {
    const { s } = await trading();
    const saved = throughJson(s.sim.save());
    const other = parseVenueConfig(VENUE.replace("BTC: { decimals: 8 }", "BTC: { decimals: 6 }"), {
      file: "venue.yaml",
      baseDir: ".",
    });
    await expect(createSimulation(other, { ...options, resume: saved })).rejects.toThrow(
      /asset BTC has 6 decimals here, 8 in the saved state/,
    );
    const usdt = saved.ledger.main!.USDT!;
    const tampered = {
      ...saved,
      ledger: {
        ...saved.ledger,
        main: { ...saved.ledger.main, USDT: [usdt[0], "0"] as [string, string] },
      },
    };
    await expect(createSimulation(config, { ...options, resume: tampered })).rejects.toThrow(
      /main has 0 USDT units locked, its open orders and positions hold \d+/,
    );
    expect(() =>
      parseSavedExchange({ ...saved, orders: [{ ...saved.orders[0], side: "up" }] }),
    ).toThrow(/'orders\[0\]\.side' must be one of buy, sell/);
    expect(() => parseSavedExchange({ ...saved, version: 9 })).toThrow(SavedStateError);
    const used = await createSimulation(config, options);
    await used.run({ until: used.clock.now() + HOUR });
    place(used, "buy", "market");
    expect(() => used.sim.load(saved)).toThrow(/has taken orders already/);
  });
});
