/**
 * CcxtVenue on ccxt's `binanceusdm` against the venue server's Binance USDⓈ-M API: crypy's Venue
 * interface trades the simulator's perpetual as it trades SimVenue — markets in ccxt's contract
 * shape, leverage and margin mode, positions, funding and mark candles as the simulator states
 * them (read through SimVenue on the same simulation), exact decimal strings throughout, and
 * refusals as crypy's errors (a reduce-only order that would increase: InvalidOrderError, not a
 * retryable NetworkError). The simulation runs on a virtual clock the test moves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidOrderError, RejectedError } from "../../../src/domain/errors.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import { readDecimal } from "../../../src/venues/ccxt/decimal.js";
import type { SimVenue } from "../../../src/venues/sim/sim-venue.js";
import {
  HOUR,
  KEY,
  PERP,
  SECRET,
  type UsdmFixture,
  usdmFixture,
  usdmUrls,
} from "../../venue-server/usdm-support.js";
import { sleep } from "../../venue-server/ws-support.js";

const T0 = Date.parse("2024-01-01T00:00:00Z");
let f: UsdmFixture;
let venue: CcxtVenue;
let sim: SimVenue;

/** The canonical spelling of a decimal, to compare the simulator's text with the venue's. */
const canon = (text: string | undefined) =>
  text === undefined ? undefined : readDecimal(text, "expected");

beforeAll(async () => {
  f = await usdmFixture(7.5 * HOUR);
  sim = f.simulation.venue("main");
  venue = await CcxtVenue.open({
    exchange: "binanceusdm",
    credentials: {
      env: true,
      variables: { CRYPY_BINANCEUSDM_API_KEY: KEY, CRYPY_BINANCEUSDM_SECRET: SECRET },
    },
    urls: {
      api: { ...usdmUrls(f.server), ws: { future: `${f.server.url.replace(/^http/, "ws")}/ws` } },
    },
    options: { fetchCurrencies: false },
  });
});
afterAll(async () => {
  await venue?.close();
  await f?.close();
});

describe("ccxt venue - binanceusdm against the venue server", () => {
  it("ccxt venue usdm - has the derivatives methods; the perpetual is a linear swap in crypy's Market shape", async () => {
    for (const feature of [
      "fetchPositions",
      "setLeverage",
      "setMarginMode",
      "fetchFundingRate",
      "fetchFundingRateHistory",
      "fetchMarkOHLCV",
    ] as const) {
      expect(venue.has[feature]).toBe(true);
    }
    const markets = await venue.loadMarkets();
    const own = (await f.simulation.settle(sim.loadMarkets()))[PERP]!;
    expect(Object.keys(markets)).toEqual([PERP, "BTC/USDT:USDT-240329"]); // and its quarterly
    const { maker: _m, taker: _t, ...shape } = own;
    // Fees are ccxt's own table for binanceusdm, not the venue file's: left out of the comparison.
    expect(markets[PERP]).toMatchObject(shape);
  });

  it("ccxt venue usdm - 10x isolated short: the position is SimVenue's, in exact decimals", async () => {
    await expect(venue.setLeverage(10, PERP)).resolves.toEqual({ symbol: PERP, leverage: 10 });
    await venue.setMarginMode("isolated", PERP);
    // Asking again for the mode already set is success, not Binance's -4046.
    await expect(venue.setMarginMode("isolated", PERP)).resolves.toEqual({
      symbol: PERP,
      marginMode: "isolated",
    });
    const order = await venue.createOrder(PERP, "market", "sell", "1.5");
    const placed = f.simulation.sim.order("main", { id: order.id });
    expect(order).toMatchObject({
      status: "closed",
      filled: "1.5",
      average: canon(placed.average),
      reduceOnly: false,
    });

    const [own] = await f.simulation.settle(sim.fetchPositions([PERP]));
    const [position] = await venue.fetchPositions([PERP]);
    expect(position).toMatchObject({
      symbol: PERP,
      side: "short",
      contracts: own!.contracts,
      contractSize: own!.contractSize,
      entryPrice: canon(own!.entryPrice),
      markPrice: canon(own!.markPrice),
      notional: canon(own!.notional),
      unrealizedPnl: canon(own!.unrealizedPnl),
      liquidationPrice: canon(own!.liquidationPrice),
      leverage: 10,
      marginMode: "isolated",
      hedged: false,
    });
    expect(typeof position!.entryPrice).toBe("string");
  });

  it("ccxt venue usdm - a reduceOnly order that would increase is InvalidOrderError; leverage above the bracket is refused", async () => {
    const increase = venue.createOrder(PERP, "market", "sell", "0.1", undefined, {
      reduceOnly: true,
    });
    await expect(increase).rejects.toBeInstanceOf(InvalidOrderError);
    await expect(increase).rejects.toThrow(/-2022.*would not reduce/);
    // More than the position would open the rest: refused too.
    await expect(
      venue.createOrder(PERP, "market", "buy", "1.6", undefined, { reduceOnly: true }),
    ).rejects.toThrow(/-2022.*more than the position/);
    // 1.5 BTC at ~41,000 is bracket 2 of sim-perp.yaml (50,000 to 500,000 USDT), at most 100x:
    // the server's -4028, which ccxt reads as a BadRequest, crypy's RejectedError.
    const refused = venue.setLeverage(110, PERP);
    await expect(refused).rejects.toBeInstanceOf(RejectedError);
    await expect(refused).rejects.toThrow(/-4028.*above 100, the maximum of bracket 2/);
    expect(f.simulation.sim.exchange.positions.setting("main", PERP).leverage).toBe(10);
  });

  it("ccxt venue usdm - funding after 08:00 and mark candles, as SimVenue reads them", async () => {
    await f.simulation.run({ until: T0 + 8 * HOUR + 120_000 });
    const history = await venue.fetchFundingRateHistory(PERP);
    const ownHistory = await f.simulation.settle(sim.fetchFundingRateHistory(PERP));
    expect(history).toEqual(ownHistory.map((h) => ({ ...h, fundingRate: canon(h.fundingRate) })));
    expect(history.map((h) => h.timestamp)).toEqual([T0 + 8 * HOUR]);

    const ownRate = await f.simulation.settle(sim.fetchFundingRate(PERP));
    const rate = await venue.fetchFundingRate(PERP);
    expect(rate).toMatchObject({
      symbol: PERP,
      fundingRate: canon(ownRate.fundingRate),
      fundingTimestamp: ownRate.fundingTimestamp,
      markPrice: canon(ownRate.markPrice),
      indexPrice: canon(ownRate.indexPrice),
      interestRate: canon(ownRate.interestRate),
    });

    const candles = await venue.fetchMarkOHLCV(PERP, "1m", undefined, 10);
    expect(candles).toEqual(
      await f.simulation.settle(sim.fetchMarkOHLCV(PERP, "1m", undefined, 10)),
    );
    expect(candles).toHaveLength(10);
  });

  it("ccxt venue usdm - cancelAllOrders (Binance answers a code, not the orders) returns each order cancelled", async () => {
    const bid = Number(f.simulation.sim.orderBook(PERP, 1).bids[0]![0]);
    const price = (Math.round(bid * 9) / 10).toFixed(1);
    const placed = [
      await venue.createOrder(PERP, "limit", "buy", "0.01", price, { clientOrderId: "all-1" }),
      await venue.createOrder(PERP, "limit", "buy", "0.02", price, { clientOrderId: "all-2" }),
    ];
    const cancelled = await venue.cancelAllOrders(PERP);
    expect(cancelled.map((o) => [o.id, o.clientOrderId, o.status, o.amount])).toEqual(
      placed.map((o) => [o.id, o.clientOrderId, "canceled", o.amount]),
    );
    expect(f.simulation.sim.openOrders("main")).toEqual([]);
    // The kill switch's form: no symbol, nothing open.
    await expect(venue.cancelAllOrders()).resolves.toEqual([]);
  });

  it("ccxt venue usdm - a reduceOnly buy closes the short: no position, nothing locked", async () => {
    const close = await venue.createOrder(PERP, "market", "buy", "1.5", undefined, {
      reduceOnly: true,
    });
    expect(close).toMatchObject({ status: "closed", filled: "1.5", reduceOnly: true });
    expect(await venue.fetchPositions()).toEqual([]);
    expect(f.simulation.sim.exchange.positions.get("main", PERP)!.qty).toBe(0n);
    expect(f.simulation.sim.exchange.ledger.locked("main", "USDT")).toBe(0n);
    const balance = await venue.fetchBalance();
    expect(balance.USDT).toEqual(f.simulation.sim.balances("main").USDT);
  });

  it("ccxt venue usdm - watchOrders and watchBalance over USDⓈ-M's user data stream", async () => {
    const orders = venue.watchOrders(PERP);
    const balance = venue.watchBalance();
    // The first watches connect and subscribe: let them before trading.
    await sleep(300);
    await venue.createOrder(PERP, "market", "sell", "0.01", undefined, {
      clientOrderId: "watch-1",
    });
    const seen = await orders;
    expect(seen.map((o) => [o.clientOrderId, o.symbol, o.side])).toContainEqual([
      "watch-1",
      PERP,
      "sell",
    ]);
    // ccxt's futures balance update has wallets only: CcxtVenue reads the whole balance then.
    const update = await balance;
    expect(update.USDT).toEqual((await venue.fetchBalance()).USDT);
    expect(update.USDT?.free).not.toBe("0");
    expect(update.USDT?.used).not.toBe("0");
    await venue.createOrder(PERP, "market", "buy", "0.01", undefined, { reduceOnly: true });
    expect(await venue.fetchPositions()).toEqual([]);
  });
});
