/**
 * Binance USDⓈ-M with a delivery contract beside the perpetual, driven by an unmodified ccxt
 * `binanceusdm` (URLs only): the quarterly loads as ccxt's future with its expiry, its premium
 * index has no funding (as Binance answers for a delivery contract), a position on it is listed
 * with its own id, and the simulator's other refusals arrive as USDⓈ-M's codes: margin it cannot
 * reserve (-2019), a margin type change with open orders (-4047), a hedge-mode position side
 * (-4061). Each answer carries the USDⓈ-M request weight used.
 */
import type * as ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOUR, PERP, type UsdmFixture, usdmClient, usdmFixture } from "./usdm-support.js";

const QUARTER = "BTC/USDT:USDT-240329";
const EXPIRY = Date.parse("2024-03-29T08:00:00Z");
// The quarterly future is the shipped venues/sim-perp.yaml's own.

let f: UsdmFixture;
let exchange: ccxt.binanceusdm;

beforeAll(async () => {
  f = await usdmFixture(HOUR);
  exchange = usdmClient(f.server);
  await exchange.loadMarkets();
});
afterAll(async () => {
  await f?.close();
});

async function get(path: string): Promise<{ body: unknown; weight: number }> {
  const res = await fetch(`${f.server.url}${path}`);
  return { body: await res.json(), weight: Number(res.headers.get("x-mbx-used-weight-1m")) };
}

describe("venue server - USDⓈ-M delivery contracts and refusals", () => {
  it("usdm delivery - the quarterly is ccxt's linear future expiring on its delivery date", async () => {
    expect(Object.keys(exchange.markets ?? {})).toEqual([PERP, QUARTER]);
    expect(exchange.market(QUARTER)).toMatchObject({
      id: "BTCUSDT_240329",
      type: "future",
      future: true,
      swap: false,
      linear: true,
      settle: "USDT",
      contractSize: 1,
      expiry: EXPIRY,
    });
    const { body } = await get("/fapi/v1/exchangeInfo");
    const symbols = (body as { symbols: Array<Record<string, unknown>> }).symbols;
    expect(symbols.map((s) => [s.symbol, s.contractType, s.deliveryDate])).toEqual([
      ["BTCUSDT", "PERPETUAL", 4133404800000],
      ["BTCUSDT_240329", "CURRENT_QUARTER", EXPIRY],
    ]);
  });

  it("usdm delivery - premiumIndex of the quarterly has its mark and no funding", async () => {
    const { body } = await get("/fapi/v1/premiumIndex?symbol=BTCUSDT_240329");
    const mark = f.simulation.sim.derivatives.mark(QUARTER);
    expect(body).toMatchObject({
      symbol: "BTCUSDT_240329",
      lastFundingRate: "",
      nextFundingTime: 0,
    });
    // The simulator's prices are whole ticks: with a tick of 0.1, tenths.
    expect(Number((body as { markPrice: string }).markPrice)).toBe(Number(mark) / 10);
    const all = await get("/fapi/v1/premiumIndex");
    expect((all.body as Array<{ symbol: string }>).map((p) => p.symbol)).toEqual([
      "BTCUSDT",
      "BTCUSDT_240329",
    ]);
    await expect(exchange.fetchFundingRateHistory(QUARTER)).resolves.toEqual([]);
  });

  it("usdm delivery - a long on the quarterly is listed under its own symbol", async () => {
    const order = await exchange.createOrder(QUARTER, "market", "buy", 0.01);
    expect(order).toMatchObject({ symbol: QUARTER, status: "closed", filled: 0.01 });
    const positions = await exchange.fetchPositions();
    expect(positions.map((p) => [p.symbol, p.side, p.contracts])).toEqual([
      [QUARTER, "long", 0.01],
    ]);
    const [own] = f.simulation.sim.derivatives.positions("main");
    expect(own).toMatchObject({ symbol: QUARTER, side: "long", contracts: "0.01" });
  });

  it("usdm delivery - refusals: margin it cannot reserve -2019, margin type with open orders -4047, positionSide LONG -4061", async () => {
    await expect(exchange.createOrder(PERP, "market", "buy", 900)).rejects.toThrow(
      /"code":-2019,"msg":"Margin is insufficient."/,
    );
    const bid = Number(f.simulation.sim.orderBook(PERP, 1).bids[0]![0]);
    const resting = await exchange.createOrder(
      PERP,
      "limit",
      "buy",
      0.01,
      Math.round(bid * 9) / 10,
    );
    await expect(exchange.setMarginMode("isolated", PERP)).rejects.toThrow(/"code":-4047/);
    await exchange.cancelOrder(String(resting.id), PERP);
    await expect(
      exchange.createOrder(PERP, "market", "buy", 0.01, undefined, { positionSide: "LONG" }),
    ).rejects.toThrow(/"code":-4061/);
    expect(f.simulation.sim.openOrders("main")).toEqual([]);
    expect(f.simulation.sim.exchange.positions.get("main", PERP)?.qty ?? 0n).toBe(0n);
  });

  it("usdm delivery - request weights are USDⓈ-M's: a 24h ticker of every contract weighs 40", async () => {
    const one = await get("/fapi/v1/ticker/24hr?symbol=BTCUSDT");
    const all = await get("/fapi/v1/ticker/24hr");
    // The same client's minute: 40 more than before, or 40 if a new minute began in between.
    expect([one.weight + 40, 40]).toContain(all.weight);
    expect((all.body as unknown[]).length).toBe(2);
  });
});
