import { describe, expect, it } from "vitest";
import {
  ClosedError,
  InsufficientFundsError,
  InvalidInputError,
  NetworkError,
  RateLimitError,
} from "../../src/domain/errors.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { CandleFeed } from "../../src/sim/feed.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";
import { VENUE_FEATURES } from "../../src/venues/venue.js";
import { type Bar, flat, MINUTE, seriesOf, T0, venueWith } from "../sim/exchange-support.js";

const BTC = "BTC/USDT";

async function simulate(bars: Bar[], ...edits: [string, string][]): Promise<Simulation> {
  const yaml = venueWith(...edits);
  const config = parseVenueConfig(yaml, { file: "test.yaml", baseDir: "." });
  const series = seriesOf(bars);
  return createSimulation(config, { feeds: new Map([[BTC, new CandleFeed(series)]]) });
}

/** Settles `promise` while the simulation runs; returns its outcome and when it settled. */
async function during<T>(s: Simulation, promise: Promise<T>, ms = 10_000) {
  let settledAt = Number.NaN;
  const outcome = promise.then(
    (value) => {
      settledAt = s.clock.now();
      return { value, error: undefined };
    },
    (error: unknown) => {
      settledAt = s.clock.now();
      return { value: undefined, error };
    },
  );
  await s.run({ until: s.clock.now() + ms });
  return { ...(await outcome), settledAt };
}

const LATENCY_50: [string, string] = [
  "latency: { fixedMs: 0, jitterMs: 0 }",
  "latency: { fixedMs: 50, jitterMs: 0 }",
];

describe("SimVenue - the Venue interface", () => {
  it("SimVenue - has every feature, and markets in ccxt's shape", async () => {
    const s = await simulate(flat(100, 3));
    const venue = s.venue("alice");
    expect(VENUE_FEATURES.every((f) => venue.has[f] === true)).toBe(true);
    const { value: markets } = await during(s, venue.loadMarkets());
    expect(markets?.[BTC]).toEqual({
      id: "BTCUSDT",
      symbol: BTC,
      base: "BTC",
      quote: "USDT",
      type: "spot",
      spot: true,
      active: true,
      precision: { price: "0.01", amount: "0.001" },
      limits: { amount: { min: "0.001", max: "1000" }, cost: { min: "1" } },
      maker: "0.001",
      taker: "0.002",
    });
  });

  it("SimVenue - a request takes one-way latency to arrive and another to answer", async () => {
    const s = await simulate(flat(100, 3), LATENCY_50);
    const venue = s.venue("alice");
    await s.run({ until: T0 + 1_000 });
    const sent = s.clock.now();
    const { value: order, settledAt } = await during(
      s,
      venue.createOrder(BTC, "market", "buy", "1"),
    );
    expect(order?.timestamp).toBe(sent + 50);
    expect(settledAt).toBe(sent + 100);
    expect(order).toMatchObject({ status: "closed", filled: "1" });
  });

  it("SimVenue - a refusal crosses as its own error class", async () => {
    const s = await simulate(flat(100, 3));
    const venue = s.venue("alice");
    await s.run({ until: T0 + 1 });
    const { error } = await during(s, venue.createOrder(BTC, "limit", "buy", "500", "99"));
    expect(error).toBeInstanceOf(InsufficientFundsError);
  });

  it("SimVenue - account queries, edit, cancel and lookups by client order id", async () => {
    const s = await simulate(flat(100, 3));
    const venue = s.venue("alice");
    await s.run({ until: T0 + 1 });
    const { value: order } = await during(
      s,
      venue.createOrder(BTC, "limit", "buy", "1", 99, { clientOrderId: "desk-t1-1" }),
    );
    expect(
      (await during(s, venue.fetchOrder("", BTC, { clientOrderId: "desk-t1-1" }))).value?.id,
    ).toBe(order?.id);
    expect((await during(s, venue.fetchOpenOrders(BTC))).value).toHaveLength(1);
    const { value: edited } = await during(
      s,
      venue.editOrder(order!.id, BTC, "limit", "buy", "2", "98.5"),
    );
    expect(edited).toMatchObject({ amount: "2", price: "98.5", status: "open" });
    expect((await during(s, venue.fetchBalance())).value?.USDT).toEqual({
      free: "9803",
      used: "197",
      total: "10000",
    });
    expect((await during(s, venue.cancelAllOrders())).value?.map((o) => o.status)).toEqual([
      "canceled",
    ]);
    expect((await during(s, venue.fetchMyTrades())).value).toEqual([]);
  });

  it("SimVenue - an account the venue does not have is refused", async () => {
    const s = await simulate(flat(100, 2));
    expect(() => s.venue("mallory")).toThrow(InvalidInputError);
    expect(() => s.venue("mallory")).toThrow(/no account "mallory" \(accounts: alice, bob\)/);
  });
});

describe("SimVenue - the gate", () => {
  it("SimVenue - more requests than the rate limit get a retryable error with retry-after", async () => {
    const s = await simulate(flat(100, 3), [
      "latency: { fixedMs: 0, jitterMs: 0 }",
      "latency: { fixedMs: 0, jitterMs: 0 }\nrateLimit: { requests: 3, windowMs: 1000 }",
    ]);
    const venue = s.venue("alice");
    await s.run({ until: T0 + 100 });
    const outcomes = await during(
      s,
      Promise.allSettled([
        venue.fetchBalance(),
        venue.fetchBalance(),
        venue.fetchBalance(),
        venue.fetchBalance(),
      ]),
      10,
    );
    const results = outcomes.value!;
    expect(results.slice(0, 3).every((r) => r.status === "fulfilled")).toBe(true);
    const refused = results[3] as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(RateLimitError);
    expect((refused.reason as RateLimitError).retryAfterMs).toBe(1000);
    expect((refused.reason as RateLimitError).retryable).toBe(true);
    await s.run({ until: s.clock.now() + 1_000 });
    expect((await during(s, venue.fetchBalance())).error).toBeUndefined();
  });

  it("SimVenue - inside a disconnect window requests and pending watches fail with NetworkError", async () => {
    const s = await simulate(flat(100, 5), [
      "latency: { fixedMs: 0, jitterMs: 0 }",
      "latency: { fixedMs: 0, jitterMs: 0 }\nfaults: { disconnects: [ { afterMs: 60000, durationMs: 60000 } ] }",
    ]);
    const venue = s.venue("alice");
    await s.run({ until: T0 + 50_000 });
    const watching = venue.watchTicker(BTC).catch((e: unknown) => e);
    await s.run({ until: T0 + 70_000 });
    expect(await watching).toBeInstanceOf(NetworkError);
    const { error } = await during(s, venue.fetchTicker(BTC), 1);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/simulated disconnect/);
    await s.run({ until: T0 + 120_000 });
    expect((await during(s, venue.fetchTicker(BTC), 1)).error).toBeUndefined();
  });

  it("SimVenue - inside a stale-data window market data stays as it was when the window opened", async () => {
    const bars: Bar[] = [...flat(100, 1), ...flat(105, 1), ...flat(110, 2)];
    const s = await simulate(bars, [
      "latency: { fixedMs: 0, jitterMs: 0 }",
      "latency: { fixedMs: 0, jitterMs: 0 }\nfaults: { staleData: [ { afterMs: 60000, durationMs: 60000 } ] }",
    ]);
    const venue = s.venue("alice");
    await s.run({ until: T0 + 50_000 });
    expect((await during(s, venue.fetchTicker(BTC), 1)).value?.last).toBe("100");
    await s.run({ until: T0 + 100_000 }); // the market moved to 105 inside the window
    expect((await during(s, venue.fetchTicker(BTC), 1)).value?.last).toBe("100");
    await s.run({ until: T0 + 130_000 });
    expect((await during(s, venue.fetchTicker(BTC), 1)).value?.last).toBe("110");
  });

  it("SimVenue - seeded random rejects hit order requests only", async () => {
    const s = await simulate(flat(100, 3), [
      "latency: { fixedMs: 0, jitterMs: 0 }",
      "latency: { fixedMs: 0, jitterMs: 0 }\nfaults: { rejectProbability: 1 }",
    ]);
    const venue = s.venue("alice");
    await s.run({ until: T0 + 1 });
    const { error } = await during(s, venue.createOrder(BTC, "market", "buy", "1"));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/busy/);
    expect((await during(s, venue.fetchBalance())).value?.USDT?.free).toBe("10000");
  });
});

describe("SimVenue - watches", () => {
  it("SimVenue - watchTicker and watchOHLCV deliver the next update, after latency", async () => {
    const bars: Bar[] = [...flat(100, 1), ...flat(101, 2)];
    const s = await simulate(bars, LATENCY_50);
    const venue = s.venue("alice");
    await s.run({ until: T0 + 50_000 });
    const ticker = await during(s, venue.watchTicker(BTC), 20_000);
    expect(ticker.value?.last).toBe("101");
    expect(ticker.settledAt).toBe(T0 + 60_000 + 50);
    const candles = await during(s, venue.watchOHLCV(BTC, "1m"), 60_000);
    expect(candles.value).toEqual([[T0 + MINUTE, 101, 101, 101, 101, 10]]);
  });

  it("SimVenue - watchOrders and watchBalance follow an order from open to filled", async () => {
    const bars: Bar[] = [...flat(100, 1), [100, 100, 98, 99], ...flat(99, 1)];
    const s = await simulate(bars);
    const venue = s.venue("alice");
    await s.run({ until: T0 + 1 });
    const orders = venue.watchOrders(BTC);
    const placed = await during(s, venue.createOrder(BTC, "limit", "buy", "1", "99"), 1);
    expect((await orders).map((o) => o.status)).toEqual(["open"]);
    const fill = during(s, venue.watchOrders(), 90_000);
    const balance = venue.watchBalance();
    const filled = await fill;
    expect(filled.value?.at(-1)).toMatchObject({ id: placed.value?.id, status: "closed" });
    expect((await balance).BTC?.free).toBe("10.999");
  });

  it("SimVenue - close rejects pending watches and later requests with ClosedError", async () => {
    const s = await simulate(flat(100, 3));
    const venue = s.venue("alice");
    const pending = venue.watchTicker(BTC).catch((e: unknown) => e);
    await venue.close();
    expect(await pending).toBeInstanceOf(ClosedError);
    await expect(venue.fetchBalance()).rejects.toBeInstanceOf(ClosedError);
  });
});
