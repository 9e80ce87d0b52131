import { describe, expect, it } from "vitest";
import { TraderPosition } from "../../src/actors/trader/position.js";
import { ratioOf } from "../../src/domain/fixed.js";
import type { Order } from "../../src/domain/order.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";

const VENUE = `name: sim
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
  DOGE: { decimals: 2 }
  EUR: { decimals: 2 }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: gbm, startPrice: "23000", drift: 0, volatility: 0.5 }
  DOGE/EUR:
    tickSize: "0.1"
    lotSize: "1"
    minQty: "1"
    maxQty: "9000"
    minNotional: "0.1"
    data: { source: gbm, startPrice: "0.1", drift: 0, volatility: 0.5 }
accounts:
  main: { USDT: "10000" }
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "1000", USDT: "90000000", DOGE: "900000000", EUR: "90000000" }
`;
const venue = parseVenueConfig(VENUE, { file: "venue.yaml", baseDir: "." });

/** A state of order `id`: cumulative filled, cost and fee, as a venue reports it. */
function state(
  id: string,
  side: "buy" | "sell",
  filled: string,
  cost: string,
  fee?: string,
): Order {
  return {
    id,
    clientOrderId: `c-${id}`,
    timestamp: 0,
    symbol: "BTC/USDT",
    type: "market",
    side,
    timeInForce: "IOC",
    amount: "1",
    filled,
    remaining: "0",
    cost,
    status: "closed",
    postOnly: false,
    reduceOnly: false,
    ...(fee === undefined ? {} : { fee: { currency: side === "buy" ? "BTC" : "USDT", cost: fee } }),
  };
}

describe("trader position - each execution once, exactly", () => {
  it("trader position - the reply and the report of one state count once; a later state adds only its difference", () => {
    const p = new TraderPosition("BTC/USDT", venue);
    expect(p.absorb(state("1", "buy", "0.1", "2300.1", "0.0001"))).toBe(true);
    expect(p.absorb(state("1", "buy", "0.1", "2300.1", "0.0001"))).toBe(false); // the report
    expect(p.absorb(state("1", "buy", "0.3", "6900.3", "0.0003"))).toBe(true);
    expect(p.ledger.view()).toMatchObject({ quantity: "0.2997", basis: "6900.3" });
    expect(p.spent).toBe(690030000000n);
  });

  it("trader position - a fee the report tells after a fee-less reply is taken once, into the basis", () => {
    const p = new TraderPosition("BTC/USDT", venue);
    expect(p.absorb(state("1", "buy", "0.05794", "3476.4"))).toBe(true); // binance's REST reply
    expect(p.absorb(state("1", "buy", "0.05794", "3476.4", "0.00005794"))).toBe(true);
    expect(p.absorb(state("1", "buy", "0.05794", "3476.4"))).toBe(false); // the reply again
    expect(p.ledger.view()).toMatchObject({ quantity: "0.05788206", basis: "3476.4" });
    expect(p.spent).toBe(347640000000n);
  });

  it("trader position - an older state after a newer one (reports race replies) is ignored", () => {
    const p = new TraderPosition("BTC/USDT", venue);
    p.absorb(state("1", "buy", "0.3", "6900.3"));
    expect(p.absorb(state("1", "buy", "0.1", "2300.1"))).toBe(false);
    expect(p.ledger.view().quantity).toBe("0.3");
  });

  it("trader position - pnl is the quote gained: realised, less what the dust under one lot cost", () => {
    const p = new TraderPosition("BTC/USDT", venue);
    p.absorb(state("1", "buy", "0.12345", "2839.35", "0.00012345"));
    expect(p.closableLots).toBe(12332n); // 0.12332655 held: 12,332 whole lots of 0.00001
    p.absorb(state("2", "sell", p.amountOf(p.closableLots), "2900.0", "2.9"));
    expect(p.ledger.quantity).toBe(655n); // 0.00000655 BTC of dust
    // Quote in 2897.1, quote out 2839.35: the pnl is exactly the quote balance's change.
    expect(p.quoteText(p.pnl)).toBe("57.75");
    expect(ratioOf(p.pnl, p.spent)).toBe(0.02033916);
  });

  it("trader position - a contract short: its margin at the leverage is what is spent, and a reduceOnly cover closes it whole", () => {
    const p = new TraderPosition("BTC/USDT", venue);
    p.leverage = 4;
    const sell = {
      ...state("1", "sell", "0.4", "9200", "4.6"),
      fee: { currency: "USDT", cost: "4.6" },
    };
    expect(p.absorb(sell)).toBe(true);
    expect(p.ledger.quantity).toBe(-40000000n);
    expect(p.closableLots).toBe(40000n);
    // The short's basis, net of its fee, over the leverage: (9200 - 4.6) / 4.
    expect(p.quoteText(p.spent)).toBe("2298.85");
    const cover = {
      ...state("2", "buy", "0.4", "9000", "4.5"),
      fee: { currency: "USDT", cost: "4.5" },
    };
    expect(p.absorb(cover)).toBe(true);
    expect(p.ledger.flat).toBe(true);
    // Sold 9200, bought back 9000, fees 9.1: the quote the orders moved.
    expect(p.quoteText(p.pnl)).toBe("190.9");
    expect(p.quoteText(p.spent)).toBe("2298.85"); // a cover adds nothing at stake
  });

  it("trader position - an order of another market is not this position's", () => {
    const p = new TraderPosition("BTC/USDT", venue);
    expect(p.absorb({ ...state("1", "buy", "1", "100"), symbol: "ETH/USDT" })).toBe(false);
    expect(p.ledger.flat).toBe(true);
  });

  it("trader position - lots = floor(budget / (price × lot)) in bigint: 0.3 / 0.1 is 3 lots, not the 2 floats give", () => {
    expect(Math.floor(0.3 / 0.1)).toBe(2);
    const doge = new TraderPosition("DOGE/EUR", venue);
    expect(doge.lotsFor(doge.quoteUnits("0.3"), "0.1")).toBe(3n);
    // A price between ticks rounds up: an order never costs more than its budget.
    expect(doge.lotsFor(doge.quoteUnits("0.3"), "0.11")).toBe(1n);
    const btc = new TraderPosition("BTC/USDT", venue);
    // 4,900 USDT at 23,456.78: 0.20889... BTC, rounded down to whole lots of 0.00001.
    expect(btc.amountOf(btc.lotsFor(btc.quoteUnits("4900"), "23456.78"))).toBe("0.20889");
    expect(btc.lotsFor(0n, "23456.78")).toBe(0n);
  });
});
