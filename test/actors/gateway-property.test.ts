/**
 * The order gateway under random interleavings: buys and sells (market and limit), cancels, halts,
 * resumes and waits, fired concurrently at a real Desk over the bus, against the simulator with
 * latency and jitter. After every step the venue's own record of the account's orders is checked:
 *
 * - budget: for each Trader's mandate, what its buys filled (cost and any quote fee) and still offer
 *   (open remainder at the limit price), plus what its sells sold or offer beyond what its buys
 *   brought in, valued at its cheapest sell price, never exceeds the mandate's maxNotional;
 * - refused means nothing sent: once everything settled, every order at the venue is one a caller
 *   was told was placed;
 * - a halt (each case ends with one, orders still in flight) leaves nothing open at the venue and
 *   nothing reserved on any mandate.
 *
 * Each Trader trades its own market, so the venue's orders are told apart by symbol without asking
 * the Desk. The account holds some BTC and ETH of its own, so a sell beyond a Trader's holding is
 * not refused by the venue: only the gateway stands between it and an oversell.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Desk } from "../../src/actors/desk/desk.js";
import { HolderKeys, type Mandate } from "../../src/actors/mandate.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control, deskCache, deskOrder } from "../../src/bus/subjects.js";
import { parseDecimal } from "../../src/domain/fixed.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { TestTrader } from "./signing.js";

const VENUE = parseVenueConfig(
  `name: sim
seed: 5
start: "2024-01-01T00:00:00Z"
assets:
  BTC: { decimals: 8 }
  ETH: { decimals: 8 }
  USDT: { decimals: 8 }
fees: { maker: "0.001", taker: "0.001" }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.00001"
    minQty: "0.00001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: gbm, startPrice: "42000", volatility: 0.8, drift: 0, timeframe: 1m, volume: { mean: 5, std: 3 } }
  ETH/USDT:
    tickSize: "0.01"
    lotSize: "0.0001"
    minQty: "0.0001"
    maxQty: "9000"
    minNotional: "5"
    data: { source: gbm, startPrice: "2300", volatility: 0.8, drift: 0, timeframe: 1m, volume: { mean: 60, std: 40 } }
accounts:
  main: { USDT: "100000", BTC: "1", ETH: "10" }
latency: { fixedMs: 2, jitterMs: 6 }
liquidity:
  levelNotional: "20000"
  inventory: { BTC: "10000", ETH: "100000", USDT: "500000000" }
`,
  { file: "venue.yaml", baseDir: "." },
);

const MAX_NOTIONAL = "875";
const TRADERS = [
  { id: "sim-main_BTC-USDT", market: "BTC/USDT", unit: "0.001" },
  { id: "sim-main_ETH-USDT", market: "ETH/USDT", unit: "0.02" },
] as const;
const SCALE = 18;
const units = (text: string) => parseDecimal(text, SCALE);

type Step =
  | { op: "buy" | "sell"; trader: 0 | 1; type: "market" | "limit"; units: number; ticks: number }
  | { op: "cancel"; trader: 0 | 1; pick: number }
  | { op: "halt" | "resume" }
  | { op: "wait"; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom("buy" as const, "sell" as const),
      trader: fc.constantFrom(0 as const, 1 as const),
      type: fc.constantFrom("market" as const, "limit" as const),
      // 60 % of the budget is ≈ 12 units of BTC (0.001 at ≈42,000) or 11 of ETH (0.02 at ≈2,300).
      units: fc.integer({ min: 1, max: 14 }),
      ticks: fc.integer({ min: -3000, max: 3000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("cancel" as const),
      trader: fc.constantFrom(0 as const, 1 as const),
      pick: fc.nat(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("halt" as const, "resume" as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("wait" as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1_000, max: 180_000 })),
    }),
  },
);

async function scenario(steps: readonly Step[]): Promise<void> {
  const simulation = await createSimulation(VENUE, { syntheticMs: 6 * 3_600_000 });
  const clock = simulation.clock;
  const bus = new LocalBus();
  const desk = new Desk(
    {
      id: "sim-main",
      venue: simulation.venue("main"),
      watch: TRADERS.map((t) => t.market),
      risk: {
        maxOrderNotional: "1000000",
        maxPositionNotional: "1000000",
        maxDailyLoss: "1000000",
        maxOrdersPerSecond: 1000,
      },
      assetDecimals: { BTC: 8, ETH: 8, USDT: 8 },
      cacheCandles: 10,
    },
    { bus, clock, log: createLogger({ level: "silent" }), heartbeatMs: 0 },
  );
  const keys = HolderKeys.generate();
  desk.trustHolder("sim-main_USDT", keys.publicKey);
  // The Traders, played by the test: each signs its requests with the key its mandate names.
  const players = TRADERS.map((t) => new TestTrader(t.id));
  const mandates: Mandate[] = TRADERS.map((t, i) =>
    keys.sign(
      {
        trader: t.id,
        traderKey: players[i]!.publicKey,
        desk: "sim-main",
        market: t.market,
        sides: ["buy", "sell"],
        maxNotional: MAX_NOTIONAL,
        expiresAt: clock.now() + 30 * 86_400_000,
        nonce: `n-${i}`,
      },
      "sim-main_USDT",
    ),
  );
  // The venue's own record of the account's orders, by client order id: the truth checked.
  const atVenue = new Map<string, Order>();
  simulation.sim.on((e) => {
    if (e.type === "order" && e.account === "main") atVenue.set(e.order.clientOrderId, e.order);
  });
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await bus.flush();
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  const advance = (ms: number) =>
    simulation.runSettled(settle, { until: clock.now() + ms, shouldStop: () => false });
  let started = false;
  const starting = desk.start().finally(() => {
    started = true;
  });
  await simulation.runSettled(settle, { shouldStop: () => started });
  await starting;
  await advance(120_000); // tickers: a market order needs the touch

  const placed = new Set<string>(); // client ids callers were told are placed
  const mine: Array<Order[]> = [[], []];
  const inFlight: Promise<unknown>[] = [];
  const fire = (p: Promise<unknown>) => {
    inFlight.push(p.catch(() => undefined));
  };
  try {
    for (const s of steps) {
      if (s.op === "buy" || s.op === "sell") {
        const t = TRADERS[s.trader];
        const ticker = await bus.request<{ last?: string } | null>(deskCache("sim-main"), {
          op: "ticker",
          market: t.market,
        });
        const last = units(ticker?.last ?? "1");
        const tick = units("0.01");
        const price = last + BigInt(s.ticks) * tick;
        const request = players[s.trader]!.place(mandates[s.trader], {
          market: t.market,
          side: s.op,
          type: s.type,
          amount: decimal(BigInt(s.units) * units(t.unit)),
          ...(s.type === "limit" ? { price: decimal(price > tick ? price : tick) } : {}),
        });
        fire(
          bus.request<Order>(deskOrder("sim-main"), request).then((o) => {
            placed.add(o.clientOrderId);
            mine[s.trader]!.push(o);
          }),
        );
      } else if (s.op === "cancel") {
        const open = mine[s.trader]!.filter((o) => atVenue.get(o.clientOrderId)?.status === "open");
        const o = open[s.pick % Math.max(1, open.length)];
        if (o !== undefined)
          fire(bus.request(deskOrder("sim-main"), players[s.trader]!.cancel(o.id)));
      } else if (s.op === "halt") {
        fire(desk.halt("test"));
      } else if (s.op === "resume") {
        if (desk.state === "halted") desk.resume();
      } else if (s.op === "wait") {
        await advance(s.ms);
      }
      await settle();
      checkBudgets(atVenue);
    }
    // A halt with orders still in flight; then everything arrives and answers.
    fire(desk.halt("end of the case"));
    await advance(60_000);
    await Promise.all(inFlight);
    await settle();
    checkBudgets(atVenue);
    const unannounced = [...atVenue.keys()].filter((id) => !placed.has(id));
    expect(unannounced, "orders at the venue whose caller was told 'refused'").toEqual([]);
    const open = [...atVenue.values()]
      .filter((o) => o.status === "open")
      .map((o) => o.clientOrderId);
    expect(open, "orders left open at the venue after a halt").toEqual([]);
    const budgets = await bus.request<Array<{ reserved: string }>>(control("sim-main"), {
      command: "mandates",
    });
    expect(
      budgets.map((b) => b.reserved),
      "reserved after every order ended",
    ).toEqual(budgets.map(() => "0"));
  } finally {
    await desk.stop();
    await simulation.stop();
  }
}

/** The budget rule of the file's header, from the venue's orders alone. */
function checkBudgets(atVenue: ReadonlyMap<string, Order>): void {
  for (const t of TRADERS) {
    const [base] = t.market.split("/") as [string];
    let buyUsage = 0n;
    let bought = 0n; // base received by buys, net of base fees
    let sold = 0n; // base sold or offered by sells
    let cheapestSell: bigint | undefined;
    for (const o of atVenue.values()) {
      if (o.symbol !== t.market) continue;
      const open = o.status === "open" ? units(o.remaining) : 0n;
      if (o.side === "buy") {
        const quoteFee = o.fee?.currency === "USDT" ? units(o.fee.cost) : 0n;
        buyUsage += units(o.cost) + quoteFee + mul(open, units(o.price ?? "0"));
        bought += units(o.filled) - (o.fee?.currency === base ? units(o.fee.cost) : 0n);
      } else {
        const offered = units(o.filled) + open;
        if (offered === 0n) continue;
        sold += offered;
        const price = units(o.price ?? o.average ?? "0");
        if (cheapestSell === undefined || price < cheapestSell) cheapestSell = price;
      }
    }
    const beyond = sold > bought ? sold - bought : 0n;
    const usage = buyUsage + mul(beyond, cheapestSell ?? 0n);
    if (usage > units(MAX_NOTIONAL)) {
      throw new Error(
        `${t.id}: open + filled notional ${decimal(usage)} exceeds the mandate's ${MAX_NOTIONAL}` +
          ` (buys ${decimal(buyUsage)}, sold beyond its holding ${decimal(beyond)})`,
      );
    }
  }
}

const mul = (a: bigint, b: bigint) => (a * b) / 10n ** BigInt(SCALE);
function decimal(n: bigint): string {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(SCALE + 1, "0");
  const whole = digits.slice(0, -SCALE);
  const fraction = digits.slice(-SCALE).replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}

describe("actors - the order gateway never spends more than a mandate gave", () => {
  it("gateway - under random interleavings of places, cancels, fills, halts and latency, open + filled never exceeds maxNotional and refused means not sent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 24 }), (steps) => scenario(steps)),
      { seed: 20261201, numRuns: 1000 },
    );
  }, 600_000);
});
