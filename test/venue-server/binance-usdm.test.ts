/**
 * Binance USDⓈ-M Futures served from the simulator, driven by an unmodified ccxt `binanceusdm`
 * whose only change is its URLs: markets, leverage and margin mode, a 10x isolated short, its
 * position as the simulator computes it (read through SimVenue on the same simulation), funding
 * after the clock passes 08:00 UTC, mark-price candles, reduce-only orders and Binance's refusals.
 * The simulation runs on a virtual clock the test moves; the tests run in order on one account.
 */
import * as ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal, parseDecimal } from "../../src/domain/fixed.js";
import type { SimVenue } from "../../src/venues/sim/sim-venue.js";
import { HOUR, PERP, type UsdmFixture, usdmClient, usdmFixture } from "./usdm-support.js";

const T0 = Date.parse("2024-01-01T00:00:00Z");
let f: UsdmFixture;
let exchange: ccxt.binanceusdm;
let sim: SimVenue;

beforeAll(async () => {
  // 07:30 UTC: half an hour before the first funding of the day.
  f = await usdmFixture(7.5 * HOUR);
  exchange = usdmClient(f.server);
  sim = f.simulation.venue("main");
  await exchange.loadMarkets();
});
afterAll(async () => {
  await f?.close();
});

const num = (text: string | undefined) => (text === undefined ? undefined : Number(text));

describe("venue server - Binance USDⓈ-M with ccxt binanceusdm", () => {
  it("usdm - loadMarkets: BTC/USDT:USDT is a linear swap settled in USDT, with the simulator's rules", async () => {
    const [market] = Object.values(exchange.markets ?? {});
    // The shipped venue's contracts: the perpetual and its quarterly future (expiring 2024-03-29).
    expect(Object.keys(exchange.markets ?? {})).toEqual([PERP, "BTC/USDT:USDT-240329"]);
    const simMarket = (await f.simulation.settle(sim.loadMarkets()))[PERP]!;
    expect(market).toMatchObject({
      id: "BTCUSDT",
      symbol: PERP,
      type: "swap",
      swap: true,
      future: false,
      spot: false,
      contract: true,
      linear: true,
      inverse: false,
      settle: "USDT",
      contractSize: num(simMarket.contractSize),
      expiry: undefined,
      precision: { price: num(simMarket.precision.price), amount: num(simMarket.precision.amount) },
      limits: {
        amount: { min: num(simMarket.limits.amount.min), max: num(simMarket.limits.amount.max) },
        cost: { min: num(simMarket.limits.cost.min) },
      },
    });
  });

  it("usdm - spot is served apart: /api/v3 lists the spot market only, /fapi the contract only", async () => {
    const api = `${f.server.url}/api/v3`;
    const spot = new ccxt.binance({
      urls: { api: { public: api, private: api } },
      options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
    });
    await spot.loadMarkets();
    expect(Object.keys(spot.markets ?? {})).toEqual(["BTC/USDT"]);
    const info = async (path: string) => {
      const res = await fetch(`${f.server.url}${path}`);
      expect(res.headers.get("x-mbx-used-weight-1m")).not.toBeNull();
      return (await res.json()) as { symbols: Array<Record<string, unknown>> };
    };
    const futures = await info("/fapi/v1/exchangeInfo");
    expect(futures.symbols.map((s) => [s.symbol, s.contractType, s.marginAsset])).toEqual([
      ["BTCUSDT", "PERPETUAL", "USDT"],
      ["BTCUSDT_240329", "CURRENT_QUARTER", "USDT"],
    ]);
    const spotInfo = await info("/api/v3/exchangeInfo");
    expect(spotInfo.symbols.map((s) => [s.symbol, s.contractType])).toEqual([
      ["BTCUSDT", undefined],
    ]);
  });

  it("usdm - setLeverage 10 and isolated margin are the simulator's settings; the same mode again is MarginModeAlreadySet", async () => {
    expect(await exchange.setLeverage(10, PERP)).toMatchObject({ leverage: 10, symbol: "BTCUSDT" });
    await exchange.setMarginMode("isolated", PERP);
    expect(f.simulation.sim.exchange.positions.setting("main", PERP)).toEqual({
      leverage: 10,
      mode: "isolated",
    });
    await expect(exchange.setMarginMode("isolated", PERP)).rejects.toBeInstanceOf(
      ccxt.MarginModeAlreadySet,
    );
    const leverages = await exchange.fetchLeverages([PERP]);
    expect(leverages[PERP]).toMatchObject({ marginMode: "isolated", longLeverage: 10 });
  });

  it("usdm - a market sell opens a short; fetchPositions shows it as SimVenue does", async () => {
    const order = await exchange.createOrder(PERP, "market", "sell", 1.5);
    const placed = f.simulation.sim.order("main", { id: String(order.id) });
    expect(placed.status).toBe("closed");
    expect(order).toMatchObject({
      symbol: PERP,
      side: "sell",
      status: "closed",
      filled: 1.5,
      average: num(placed.average),
      reduceOnly: false,
    });

    const [own] = await f.simulation.settle(sim.fetchPositions([PERP]));
    const [position] = await exchange.fetchPositions([PERP]);
    expect(own).toMatchObject({ side: "short", contracts: "1.5", leverage: 10 });
    expect(position).toMatchObject({
      symbol: PERP,
      side: "short",
      contracts: num(own!.contracts),
      contractSize: num(own!.contractSize),
      entryPrice: num(own!.entryPrice),
      markPrice: num(own!.markPrice),
      notional: num(own!.notional),
      unrealizedPnl: num(own!.unrealizedPnl),
      liquidationPrice: num(own!.liquidationPrice),
      marginMode: "isolated",
      hedged: false,
    });
    expect(own!.liquidationPrice).toBeDefined();
    // Binance's v3 positionRisk carries no leverage; its v2 does, as ccxt reads it with useV2.
    const [v2] = await exchange.fetchPositions([PERP], { useV2: true });
    expect(v2).toMatchObject({ side: "short", leverage: 10, marginMode: "isolated" });

    // The futures wallet: margin balance = the account's USDT + the position's unrealised PnL.
    const ledger = f.simulation.sim.exchange.ledger;
    const wallet = ledger.free("main", "USDT") + ledger.locked("main", "USDT");
    const balance = await exchange.fetchBalance();
    expect(balance.USDT?.total).toBe(
      Number(formatDecimal(wallet + parseDecimal(own!.unrealizedPnl, 8), 8)),
    );
    expect(balance.USDT?.used).toBe(Number(formatDecimal(ledger.locked("main", "USDT"), 8)));
  });

  it("usdm - leverage above the position's bracket is refused with -4028 and the reason; the margin type cannot change with a position open (-4048)", async () => {
    // 1.5 BTC at ~41,000 is ~61,800 USDT of notional: bracket 2 of sim-perp.yaml, at most 100x.
    const refused = exchange.setLeverage(110, PERP);
    await expect(refused).rejects.toBeInstanceOf(ccxt.BadRequest);
    await expect(refused).rejects.toThrow(/-4028.*above 100, the maximum of bracket 2/);
    expect(f.simulation.sim.exchange.positions.setting("main", PERP).leverage).toBe(10);
    await expect(exchange.setMarginMode("cross", PERP)).rejects.toThrow(/-4048/);
  });

  it("usdm - a reduceOnly sell on a short would increase it: refused with -2022, nothing changes", async () => {
    const before = f.simulation.sim.exchange.positions.get("main", PERP)!.qty;
    const refused = exchange.createOrder(PERP, "market", "sell", 0.5, undefined, {
      reduceOnly: true,
    });
    // ccxt picks its USDⓈ-M error table by Binance's host name (getExceptionsByUrl): at another
    // address it reads -2022 with its common table, so the class is not InvalidOrder here
    // (CcxtVenue re-applies the USDⓈ-M table: test/venues/ccxt/venue-usdm.test.ts).
    await expect(refused).rejects.toBeInstanceOf(ccxt.ExchangeError);
    await expect(refused).rejects.toThrow(
      /"code":-2022,"msg":"ReduceOnly Order is rejected.*would not reduce/,
    );
    expect(f.simulation.sim.exchange.positions.get("main", PERP)!.qty).toBe(before);
  });

  it("usdm - after 08:00 UTC: fetchFundingRateHistory has the settled funding, fetchFundingRate the next", async () => {
    await f.simulation.run({ until: T0 + 8 * HOUR + 60_000 });
    const own = await f.simulation.settle(sim.fetchFundingRateHistory(PERP));
    expect(own.map((h) => h.timestamp)).toEqual([T0 + 8 * HOUR]);
    const history = await exchange.fetchFundingRateHistory(PERP);
    expect(history.map((h) => [h.symbol, h.fundingRate, h.timestamp])).toEqual(
      own.map((h) => [PERP, Number(h.fundingRate), h.timestamp]),
    );

    const next = await f.simulation.settle(sim.fetchFundingRate(PERP));
    const rate = await exchange.fetchFundingRate(PERP);
    expect(rate).toMatchObject({
      symbol: PERP,
      fundingRate: num(next.fundingRate),
      fundingTimestamp: T0 + 16 * HOUR,
      markPrice: num(next.markPrice),
      indexPrice: num(next.indexPrice),
      interestRate: num(next.interestRate),
    });
  });

  it("usdm - fetchMarkOHLCV: the simulator's mark candles; 5m candles are their aggregate", async () => {
    const own = await f.simulation.settle(sim.fetchMarkOHLCV(PERP, "1m", undefined, 20));
    const candles = await exchange.fetchMarkOHLCV(PERP, "1m", undefined, 20);
    expect(candles).toEqual(own);
    expect(candles.length).toBe(20);

    const since = own[0]![0] - (own[0]![0] % 300_000) + 300_000;
    const minutes = own.filter((c) => c[0] >= since && c[0] < since + 300_000);
    const [five] = await exchange.fetchMarkOHLCV(PERP, "5m", since, 1);
    expect(five).toEqual([
      since,
      minutes[0]![1],
      Math.max(...minutes.map((c) => c[2])),
      Math.min(...minutes.map((c) => c[3])),
      minutes.at(-1)![4],
      0,
    ]);
  });

  it("usdm - a limit order rests, is listed and cancelled; a reduceOnly buy closes the short", async () => {
    const bid = Number(f.simulation.sim.orderBook(PERP, 1).bids[0]![0]);
    const price = Math.round(bid * 0.9 * 10) / 10;
    const limit = await exchange.createOrder(PERP, "limit", "buy", 0.01, price, {
      clientOrderId: "usdm-limit-1",
    });
    expect(limit).toMatchObject({ status: "open", clientOrderId: "usdm-limit-1", price });
    expect((await exchange.fetchOpenOrders(PERP)).map((o) => o.id)).toEqual([limit.id]);
    expect(await exchange.cancelOrder(String(limit.id), PERP)).toMatchObject({
      status: "canceled",
    });
    expect(await exchange.fetchOpenOrders(PERP)).toEqual([]);

    const close = await exchange.createOrder(PERP, "market", "buy", 1.5, undefined, {
      reduceOnly: true,
    });
    expect(close).toMatchObject({ status: "closed", filled: 1.5, reduceOnly: true });
    expect(await exchange.fetchPositions([PERP])).toEqual([]);
    expect(await f.simulation.settle(sim.fetchPositions())).toEqual([]);
    expect(f.simulation.sim.exchange.ledger.locked("main", "USDT")).toBe(0n);

    const fills = f.simulation.sim.myTrades("main", PERP);
    const trades = await exchange.fetchMyTrades(PERP);
    expect(trades.map((t) => [t.id, t.order, t.side, t.price, t.amount, t.fee?.cost])).toEqual(
      fills.map((t) => [
        t.id,
        t.orderId,
        t.side,
        Number(t.price),
        Number(t.amount),
        Number(t.fee.cost),
      ]),
    );
  });
});
