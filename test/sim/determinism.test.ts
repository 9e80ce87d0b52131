/**
 * Determinism (DESIGN.md, Simulator): the same config, seed and inputs give the same event log,
 * byte for byte. A scripted scenario — market buys and sells, resting limits that fill when the
 * path trades through them, a stop, cancels, all at fixed simulated times on the virtual clock —
 * runs on a few hours of seeded synthetic data, and the simulator's event log (every candle, order,
 * fill, balance and trade event as one JSON line) is hashed.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Order } from "../../src/domain/order.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import type { SimEvent } from "../../src/sim/simulator.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";

const BTC = "BTC/USDT";
const MINUTE = 60_000;
const HOURS = 4;

interface Variant {
  seed: number;
  /** The venue's `latency:` and `faults:` blocks. */
  latency?: string;
  faults?: string;
}

function venueYaml({ seed, latency, faults }: Variant): string {
  return `name: determinism
seed: ${seed}
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
    data: { source: gbm, startPrice: "42000", volatility: 0.8, timeframe: 1m, volume: { mean: 5, std: 3 } }
accounts:
  main: { USDT: "100000", BTC: "2" }
latency: ${latency ?? "{ fixedMs: 5, jitterMs: 0 }"}
faults: ${faults ?? "{ rejectProbability: 0 }"}
liquidity:
  levelNotional: "50000"
  inventory: { BTC: "10000", USDT: "500000000" }
`;
}

/** BigInt-safe: an event log line must never fail to serialise. */
function line(event: SimEvent): string {
  return `${JSON.stringify(event, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  )}\n`;
}

interface Outcome {
  hash: string;
  lines: number;
  kinds: Record<string, number>;
  /** What each scripted request answered, in the order they were sent: an order status or an error. */
  answers: string[];
  fills: { maker: number; taker: number };
  /** Stop orders that triggered and filled. */
  stopsTriggered: number;
}

/** Runs the scripted scenario once on a fresh simulation and hashes its event log. */
async function runScenario(variant: Variant): Promise<Outcome> {
  const config = parseVenueConfig(venueYaml(variant), { file: "determinism.yaml", baseDir: "." });
  const log: string[] = [];
  const s = await createSimulation(config, {
    syntheticMs: HOURS * 60 * MINUTE,
    eventLog: (event) => log.push(line(event)),
  });
  const venue = s.venue("main");
  const clock = s.clock;
  const answers: string[] = [];
  const resting: string[] = [];
  const answer = (what: string, request: Promise<Order>) =>
    request.then(
      (order) => {
        answers.push(`${what} ${order.id} ${order.status}`);
        return order;
      },
      (err: Error) => {
        answers.push(`${what} ${err.name}`);
        return undefined;
      },
    );
  // Prices a limit or stop `bps` away from where the market is when the script acts.
  const away = (bps: number) => {
    const price = s.sim.market(BTC).lastPrice * (1 + bps / 10_000);
    return (Math.round(price * 100) / 100).toFixed(2);
  };
  // Every 4 simulated minutes, the next step of a cycle of six actions.
  const steps = Math.floor((HOURS * 60) / 4) - 1;
  for (let i = 1; i <= steps; i++) {
    clock.setTimeout(
      () => {
        switch (i % 6) {
          case 0:
            void answer("market buy", venue.createOrder(BTC, "market", "buy", "0.01"));
            return;
          case 1:
            void answer("market sell", venue.createOrder(BTC, "market", "sell", "0.008"));
            return;
          case 2:
            void answer("limit buy", venue.createOrder(BTC, "limit", "buy", "0.02", away(-8))).then(
              (o) => o !== undefined && resting.push(o.id),
            );
            return;
          case 3:
            void answer(
              "limit sell",
              venue.createOrder(BTC, "limit", "sell", "0.02", away(8)),
            ).then((o) => o !== undefined && resting.push(o.id));
            return;
          case 4:
            void answer(
              "stop sell",
              venue.createOrder(BTC, "stop_market", "sell", "0.01", undefined, {
                triggerPrice: away(-15),
              }),
            );
            // And a limit too far away to fill, for the next step to cancel.
            void answer(
              "far limit",
              venue.createOrder(BTC, "limit", "buy", "0.01", away(-500)),
            ).then((o) => o !== undefined && resting.push(o.id));
            return;
          default: {
            // Cancels the two oldest resting orders, filled or not (a filled one answers an error).
            for (const id of resting.splice(0, 2)) void answer("cancel", venue.cancelOrder(id));
          }
        }
      },
      i * 4 * MINUTE,
    );
  }
  await s.run();
  await s.stop();

  const kinds: Record<string, number> = {};
  const fills = { maker: 0, taker: 0 };
  const stops = new Set<string>();
  for (const text of log) {
    const event = JSON.parse(text) as SimEvent;
    kinds[event.type] = (kinds[event.type] ?? 0) + 1;
    if (event.type === "fill" && event.account === "main") fills[event.fill.takerOrMaker]++;
    if (
      event.type === "order" &&
      event.order.type === "stop_market" &&
      event.order.status === "closed"
    )
      stops.add(event.order.id);
  }
  const hash = createHash("sha256").update(log.join("")).digest("hex");
  return { hash, lines: log.length, kinds, answers, fills, stopsTriggered: stops.size };
}

describe("determinism - same config, seed and inputs, same event log", () => {
  it("determinism - two runs of the scripted scenario hash the same, and the log is not trivial", async () => {
    const a = await runScenario({ seed: 42 });
    const b = await runScenario({ seed: 42 });
    expect(b.hash).toBe(a.hash);
    expect(b.answers).toEqual(a.answers);

    expect(a.kinds.candle).toBe(HOURS * 60);
    expect(a.kinds.order).toBeGreaterThan(80);
    expect(a.kinds.balance).toBeGreaterThan(80);
    expect(a.kinds.trade).toBeGreaterThan(20);
    expect(a.fills.taker).toBeGreaterThan(20);
    // Resting limits filled by the path trading through them, as maker.
    expect(a.fills.maker).toBeGreaterThan(5);
    expect(
      a.answers.filter((x) => x.startsWith("cancel") && x.endsWith("canceled")).length,
    ).toBeGreaterThan(3);
    expect(a.stopsTriggered).toBeGreaterThan(2);
    // Nothing refused by the venue's front door in this quiet variant (cancels of orders that had
    // filled meanwhile are refused by the exchange, as on a real venue).
    expect(a.answers.some((x) => x.endsWith("NetworkError"))).toBe(false);
  });

  it("determinism - a different seed gives a different log", async () => {
    const a = await runScenario({ seed: 42 });
    const c = await runScenario({ seed: 43 });
    expect(c.hash).not.toBe(a.hash);
  });

  it("determinism - latency jitter and injected rejects are seeded too", async () => {
    const noisy: Variant = {
      seed: 42,
      latency: "{ fixedMs: 5, jitterMs: 40 }",
      faults: "{ rejectProbability: 0.25 }",
    };
    const a = await runScenario(noisy);
    const b = await runScenario(noisy);
    expect(b.hash).toBe(a.hash);
    expect(b.answers).toEqual(a.answers);

    // The faults did something: some requests were refused, and the log differs from a quiet run.
    const refused = a.answers.filter((x) => x.endsWith("NetworkError")).length;
    expect(refused).toBeGreaterThan(3);
    expect(refused).toBeLessThan(a.answers.length / 2);
    const quiet = await runScenario({ seed: 42 });
    expect(a.hash).not.toBe(quiet.hash);

    const other = await runScenario({ ...noisy, seed: 43 });
    expect(other.hash).not.toBe(a.hash);
  });
});
