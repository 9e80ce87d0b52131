/**
 * A real exchange's loaded markets as the VenueConfig the Desk and the Traders' backtests read:
 * its ticks, lots, limits and fees exactly, the account's balances, and decimals wide enough for
 * every exact cost the simulator computes.
 */
import { describe, expect, it } from "vitest";
import { venueRules } from "../../../src/venues/ccxt/venue-rules.js";
import type { Market } from "../../../src/venues/venue.js";

function market(symbol: string, fields: Partial<Market> = {}): Market {
  const [base, quote] = symbol.split("/") as [string, string];
  return {
    id: symbol.replace("/", ""),
    symbol,
    base,
    quote,
    type: "spot",
    spot: true,
    active: true,
    precision: { price: "0.01", amount: "0.00001" },
    limits: { amount: { min: "0.00001", max: "9000" }, cost: { min: "5" } },
    maker: "0.001",
    taker: "0.001",
    ...fields,
  };
}

const START = Date.UTC(2026, 11, 2);

describe("venueRules", () => {
  it("keeps each market's tick, lot, limits and fees as the exchange states them", () => {
    const rules = venueRules({
      exchange: "binance",
      account: "main",
      markets: [
        market("BTC/USDT"),
        market("ETH/BTC", {
          precision: { price: "0.00001", amount: "0.0001" },
          limits: { amount: { min: "0.0001", max: "100000" }, cost: { min: "0.0001" } },
          maker: "0.00075",
          taker: "0.00075",
        }),
      ],
      balances: {
        USDT: { free: "1234.5", used: "0", total: "1234.5" },
        BTC: { free: "0.5", used: "0.1", total: "0.6" },
        DOGE: { free: "10", used: "0", total: "10" }, // no watched market: left out
      },
      lastPrices: { "BTC/USDT": "97000.12", "ETH/BTC": "0.03712" },
      startMs: START,
    });
    const btc = rules.markets["BTC/USDT"]!;
    expect([btc.tickSize, btc.lotSize, btc.minQty, btc.maxQty, btc.minNotional]).toEqual([
      "0.01",
      "0.00001",
      "0.00001",
      "9000",
      "5",
    ]);
    expect(btc.fees.takerPpb).toBe(1_000_000n);
    const eth = rules.markets["ETH/BTC"]!;
    expect(eth.fees.makerPpb).toBe(750_000n);
    // ETH/BTC: tick 1e-5 × lot 1e-4 = 1e-9 BTC, so BTC needs 9 decimals to cost fills exactly.
    expect(rules.assets.BTC?.decimals).toBe(9);
    expect(rules.assets.USDT?.decimals).toBe(8);
    expect(eth.quoteUnitsPerTickLot).toBe(1n);
    expect(rules.accounts.main?.USDT?.value).toBe("1234.5");
    expect(rules.accounts.main?.BTC?.units).toBe(600_000_000n);
    expect(rules.accounts.main?.DOGE).toBeUndefined();
    expect(rules.name).toBe("binance");
    expect(rules.startMs).toBe(START);
    expect(btc.data.source === "gbm" && btc.data.startPrice).toBe("97000.12");
  });

  it("fills in what an exchange leaves unstated, and simulates a maker rebate as free", () => {
    const rules = venueRules({
      exchange: "kraken",
      account: "main",
      markets: [
        market("SOL/EUR", {
          precision: { price: "0.001", amount: "0.01" },
          limits: { amount: { min: "0", max: "0" }, cost: { min: "0" } },
          maker: "-0.0001",
          taker: "0.0026",
        }),
      ],
      balances: { EUR: { free: "100", used: "0", total: "100" } },
      lastPrices: { "SOL/EUR": "171.3337" }, // off the grid: rounded up onto it
      startMs: START,
    });
    const sol = rules.markets["SOL/EUR"]!;
    expect(sol.minQty).toBe("0.01");
    expect(sol.maxQtyLots).toBe(1_000_000_000_000n);
    expect(sol.fees.makerPpb).toBe(0n);
    expect(sol.fees.takerPpb).toBe(2_600_000n);
    expect(sol.data.source === "gbm" && sol.data.startPrice).toBe("171.334");
  });

  it("refuses an exchange with no market to trade", () => {
    expect(() =>
      venueRules({
        exchange: "upbit",
        account: "main",
        markets: [],
        balances: {},
        lastPrices: {},
        startMs: START,
      }),
    ).toThrow(/upbit: no markets to trade/);
  });
});
