import { describe, expect, it } from "vitest";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { CandleFeed } from "../../src/sim/feed.js";
import { INSURANCE_FUND_ACCOUNT } from "../../src/sim/ledger.js";
import type { SavedExchange } from "../../src/sim/saved-state.js";
import { parseSavedExchange } from "../../src/sim/saved-state-parse.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { flat, seriesOf, T0 } from "../sim/exchange-support.js";
import {
  checkPerp,
  DELIVERY,
  DELIVERY_VENUE,
  PERP,
  PERP_VENUE,
  usdt,
} from "../sim/perp/perp-support.js";

const HOUR = 3_600_000;

async function perpSimulation(bars = flat(100, 9 * 60), resume?: SavedExchange) {
  const config = parseVenueConfig(PERP_VENUE, { file: "perp.yaml", baseDir: "." });
  const series = seriesOf(bars);
  const feeds = new Map([
    ["BTC/USDT", new CandleFeed(series)],
    [PERP, new CandleFeed(series)],
  ]);
  return createSimulation(config, { feeds, ...(resume === undefined ? {} : { resume }) });
}

describe("SimVenue - perpetuals", () => {
  it("SimVenue perp - a delivery contract is an active future until its expiry, then inactive and closed to orders", async () => {
    const config = parseVenueConfig(DELIVERY_VENUE, { file: "perp.yaml", baseDir: "." });
    const series = seriesOf(flat(100, 45));
    const feeds = new Map(Object.keys(config.markets).map((m) => [m, new CandleFeed(series)]));
    const s = await createSimulation(config, { feeds });
    const venue = s.venue("alice");
    const before = await s.settle(venue.loadMarkets());
    expect(before[DELIVERY]).toMatchObject({
      id: "BTCUSDT_240101",
      type: "future",
      future: true,
      active: true,
      expiry: T0 + 40 * 60_000,
      expiryDatetime: "2024-01-01T00:40:00.000Z",
    });
    await s.run({ until: T0 + 41 * 60_000 });
    const after = await s.settle(venue.loadMarkets());
    expect(after[DELIVERY]).toMatchObject({ active: false });
    expect(after[PERP]).toMatchObject({ active: true });
    await expect(s.settle(venue.createOrder(DELIVERY, "market", "buy", "1"))).rejects.toThrow(
      /BTC\/USDT:USDT-240101 expired at 2024-01-01T00:40:00.000Z/,
    );
  });

  it("SimVenue perp - markets in ccxt's shape; has says what is supported", async () => {
    const s = await perpSimulation();
    const venue = s.venue("bob");
    const markets = await s.settle(venue.loadMarkets());
    expect(markets[PERP]).toMatchObject({
      id: "BTCUSDT",
      type: "swap",
      spot: false,
      swap: true,
      future: false,
      contract: true,
      linear: true,
      settle: "USDT",
      contractSize: "1",
    });
    expect(markets["BTC/USDT"]).toMatchObject({ type: "spot", spot: true });
    expect(venue.has.fetchPositions).toBe(true);
    expect(venue.has.fetchFundingRateHistory).toBe(true);
  });

  it("SimVenue perp - a leveraged short receives funding at 08:00 UTC: notional at mark × rate", async () => {
    const s = await perpSimulation();
    const venue = s.venue("bob");
    await s.run({ until: T0 + 60_000 });
    const total = s.sim.exchange.ledger.total("USDT");
    await s.settle(venue.setLeverage(10, PERP));
    await expect(s.settle(venue.setMarginMode("isolated", PERP))).resolves.toEqual({
      symbol: PERP,
      marginMode: "isolated",
    });
    await s.settle(venue.setMarginMode("cross", PERP));
    const order = await s.settle(venue.createOrder(PERP, "market", "sell", "1"));
    expect(order.average).toBe("99.9");
    const [position] = await s.settle(venue.fetchPositions());
    expect(position).toMatchObject({
      symbol: PERP,
      side: "short",
      contracts: "1",
      entryPrice: "99.9",
      leverage: 10,
      marginMode: "cross",
      collateral: "9.99",
      hedged: false,
    });
    // Before funding: the predicted rate is the interest rate (the test book is too thin for
    // impact prices, so the premium is 0): 0.01 % per 8 hours.
    const predicted = await s.settle(venue.fetchFundingRate(PERP));
    expect(predicted.fundingRate).toBe("0.0001");
    expect(predicted.fundingTimestamp).toBe(T0 + 8 * HOUR);
    const before = s.sim.exchange.ledger.free("bob", "USDT");
    await s.run({ until: T0 + 8 * HOUR + 60_000 });
    const history = await s.settle(venue.fetchFundingRateHistory(PERP));
    expect(history).toEqual([{ symbol: PERP, fundingRate: "0.0001", timestamp: T0 + 8 * HOUR }]);
    // Mark 100 (index 100, symmetric spread, last 100) × 1 contract × 0.0001 = 0.01, to the short
    expect(s.sim.exchange.ledger.free("bob", "USDT") - before).toBe(usdt("0.01"));
    expect(s.sim.exchange.positions.get("bob", PERP)!.funding).toBe(usdt("0.01"));
    const candles = await s.settle(venue.fetchMarkOHLCV(PERP, "1m", undefined, 2));
    expect(candles.at(-1)?.[4]).toBe(100);
    expect(s.sim.exchange.ledger.total("USDT")).toBe(total);
    checkPerp(s.sim, total);
    expect(s.sim.exchange.ledger.free(INSURANCE_FUND_ACCOUNT, "USDT")).toBe(usdt("1000"));
  });

  it("SimVenue perp - a crash-resumed simulation keeps its positions, leverage and margin mode, and closes them as the original would", async () => {
    const s = await perpSimulation();
    const venue = s.venue("bob");
    await s.run({ until: T0 + 60_000 });
    const total = s.sim.exchange.ledger.total("USDT");
    await s.settle(venue.setLeverage(10, PERP));
    await s.settle(venue.setMarginMode("isolated", PERP));
    await s.settle(venue.createOrder(PERP, "market", "sell", "1"));
    const before = await s.settle(venue.fetchPositions());
    // What a journal holds: the state through JSON, read back with its checks.
    const saved = parseSavedExchange(JSON.parse(JSON.stringify(s.sim.save())));
    expect(saved.positions).toHaveLength(1);

    const r = await perpSimulation(undefined, saved);
    const again = r.venue("bob");
    const after = await r.settle(again.fetchPositions());
    expect(after.map(({ markPrice: _, timestamp: __, ...p }) => p)).toEqual(
      before.map(({ markPrice: _, timestamp: __, ...p }) => p),
    );
    expect(after[0]).toMatchObject({ side: "short", leverage: 10, marginMode: "isolated" });
    expect(r.sim.exchange.ledger.free("bob", "USDT")).toBe(
      s.sim.exchange.ledger.free("bob", "USDT"),
    );
    expect(r.sim.exchange.ledger.total("USDT")).toBe(total);
    // The resumed position closes: reduce-only knows it, and money is still conserved.
    await r.settle(again.createOrder(PERP, "market", "buy", "1", undefined, { reduceOnly: true }));
    expect(r.sim.exchange.positions.get("bob", PERP)!.qty).toBe(0n);
    expect(r.sim.exchange.ledger.locked("bob", "USDT")).toBe(0n);
    checkPerp(r.sim, total);
  });

  it("SimVenue perp - a saved position on a market this venue does not trade as a contract is refused, naming it", async () => {
    const s = await perpSimulation();
    const saved = s.sim.save();
    const bad = {
      ...saved,
      positions: [
        {
          account: "bob",
          symbol: "BTC/USDT",
          qty: "1",
          entryNotional: "1",
          margin: "0",
          realizedPnl: "0",
          funding: "0",
          timestamp: 0,
        },
      ],
    };
    await expect(perpSimulation(undefined, parseSavedExchange(bad))).rejects.toThrow(
      /position of bob is on BTC\/USDT, not a contract here/,
    );
  });
});
