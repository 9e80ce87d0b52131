/**
 * One budget over the bus: a Desk's keeper grants weight or says how long to wait, a client with no
 * keeper keeps to the limit alone and carries what it spent to the keeper once one answers, and a
 * bad request is refused by name without harming the keeper.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { budgetSubject } from "../../../src/bus/subjects.js";
import { VirtualClock } from "../../../src/time/virtual-clock.js";
import {
  type BudgetMode,
  budgetKey,
  SharedBudget,
  serveBudget,
  WeightWindow,
} from "../../../src/venues/budget/index.js";

const T = 1_700_000_000_000;
const LIMIT = { weight: 10, windowMs: 1_000 };
let bus: LocalBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

/** Moves the virtual clock past each pending timer until `promise` settles. */
async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const result = promise.finally(() => {
    done = true;
  });
  for (let i = 0; i < 1_000 && !done; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const next = clock.nextTimerAt();
    if (!done && next !== undefined) clock.advanceTo(next);
  }
  return result;
}

describe("shared budget", () => {
  it("shared budget - the keeper's window holds the client's spending: past the limit the client waits", async () => {
    bus = new LocalBus();
    const clock = new VirtualClock(T);
    const window = new WeightWindow(LIMIT);
    serveBudget(bus, "binance", window, clock);
    const modes: BudgetMode[] = [];
    const client = new SharedBudget({
      bus,
      key: "binance",
      limit: LIMIT,
      clock,
      onMode: (m) => modes.push(m),
    });
    for (let i = 0; i < 5; i++) await client.take(2);
    expect(window.used(clock.now())).toBe(10);
    expect(modes).toEqual(["shared"]);
    // The Desk's own request now waits for the client's weight to roll off.
    expect(window.take(1, clock.now())).toBe(1_001);
    const next = client.take(2);
    await settle(clock, next);
    expect(clock.now()).toBeGreaterThanOrEqual(T + 1_001);
    expect(client.stats).toMatchObject({ shared: 12, alone: 0 });
    expect(client.stats.waits).toBeGreaterThan(0);
  });

  it("shared budget - with no keeper the client keeps to the limit alone, and carries that weight to a keeper that comes", async () => {
    bus = new LocalBus();
    const clock = new VirtualClock(T);
    const modes: BudgetMode[] = [];
    const client = new SharedBudget({
      bus,
      key: "binance",
      limit: LIMIT,
      clock,
      onMode: (m) => modes.push(m),
    });
    for (let i = 0; i < 4; i++) await client.take(2);
    expect(client.stats.alone).toBe(8);
    // Alone, it still waits at its limit.
    await settle(clock, Promise.all([client.take(2), client.take(2)]));
    expect(clock.now()).toBeGreaterThan(T);
    const at = clock.now();
    const window = new WeightWindow(LIMIT);
    serveBudget(bus, "binance", window, clock);
    await client.take(1);
    // The keeper counts what the client's window still held (the 2 spent after the wait), and the
    // new take: the 10 spent before have rolled off.
    expect(clock.now()).toBe(at);
    expect(window.used(at)).toBe(3);
    expect(modes).toEqual(["alone", "shared"]);
  });

  it("shared budget - a bad ask is refused by name and the keeper goes on", async () => {
    bus = new LocalBus();
    const clock = new VirtualClock(T);
    const window = new WeightWindow(LIMIT);
    serveBudget(bus, "binance", window, clock);
    await expect(bus.request(budgetSubject("binance"), { cost: "lots" })).rejects.toThrow(
      /needs a cost >= 0, got "lots"/,
    );
    await expect(bus.request(budgetSubject("binance"), { cost: 3 })).resolves.toEqual({
      waitMs: 0,
    });
    expect(window.used(clock.now())).toBe(3);
  });

  it("shared budget - the key names the venue address: ccxt's own, or the host a template points at", () => {
    expect(budgetKey("binance")).toBe("binance");
    expect(budgetKey("binance", { api: { public: "http://127.0.0.1:40123/api/v3" } })).toBe(
      "binance-127_0_0_1_40123",
    );
  });
});
