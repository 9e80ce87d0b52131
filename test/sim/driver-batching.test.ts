/**
 * runVirtual with listeners: market data (candle closes) is delivered synchronously, every close in
 * order with the clock at its time, and the driver yields to the event loop once per `yieldEvery`
 * deliveries, not per close; a trading event (an order a listener placed) and a timer still yield
 * at once, so the code reacting to them runs before time moves on.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import { runVirtual } from "../../src/sim/driver.js";
import { flat, MINUTE, makeSim, T0 } from "./exchange-support.js";

/** Each close's time, and the clock an asynchronous reaction to it (a microtask) saw. */
function watchCloses(t: ReturnType<typeof makeSim>) {
  const closes: Array<{ open: number; time: number; clock: number }> = [];
  const reactedAt: number[] = [];
  t.sim.on((e) => {
    if (e.type !== "candle") return;
    closes.push({ open: e.candle[0], time: e.time, clock: t.clock.now() });
    queueMicrotask(() => reactedAt.push(t.clock.now()));
  });
  return { closes, reactedAt };
}

describe("sim driver - listeners and yields", () => {
  it("sim driver - every close reaches a listener in order, the clock at the close", async () => {
    const t = makeSim(flat(100, 30));
    const { closes } = watchCloses(t);
    await runVirtual(t.sim, t.clock, { yieldEvery: 7 });
    expect(closes.map((c) => c.open)).toEqual(
      Array.from({ length: 30 }, (_, i) => T0 + i * MINUTE),
    );
    for (const c of closes) {
      expect(c.time).toBe(c.open + MINUTE);
      expect(c.clock).toBe(c.time);
    }
    expect(t.clock.now()).toBe(T0 + 30 * MINUTE);
  });

  it("sim driver - yields once per yieldEvery closes, so reactions run in batches", async () => {
    const t = makeSim(flat(100, 30));
    const { closes, reactedAt } = watchCloses(t);
    await runVirtual(t.sim, t.clock, { yieldEvery: 10 });
    // The reactions to closes 1-10 ran at the yield after the 10th, with the clock at its time.
    const batchEnds = [9, 19, 29].map((i) => closes[i]!.time);
    expect(reactedAt).toEqual(batchEnds.flatMap((time) => Array<number>(10).fill(time)));
  });

  it("sim driver - yieldEvery 1 lets each reaction run before time moves on", async () => {
    const t = makeSim(flat(100, 12));
    const { closes, reactedAt } = watchCloses(t);
    await runVirtual(t.sim, t.clock, { yieldEvery: 1 });
    expect(reactedAt).toEqual(closes.map((c) => c.time));
  });

  it("sim driver - an order a listener places yields at once, mid-batch", async () => {
    const t = makeSim(flat(100, 30));
    const { closes, reactedAt } = watchCloses(t);
    t.sim.on((e) => {
      if (e.type === "candle" && e.candle[0] === T0 + 4 * MINUTE) {
        t.sim.placeOrder("alice", { symbol: "BTC/USDT", type: "market", side: "buy", amount: "1" });
      }
    });
    await runVirtual(t.sim, t.clock, { yieldEvery: 1_000 });
    // Closes 1-5 reacted at the 5th (its order yielded); the rest at the end of the data.
    const fifth = closes[4]!.time;
    const last = closes[29]!.time;
    expect(reactedAt).toEqual([...Array<number>(5).fill(fifth), ...Array<number>(25).fill(last)]);
    expect(t.sim.balances("alice").BTC!.free).not.toBe("10");
  });

  it("sim driver - a timer a listener sets fires in time order and yields", async () => {
    const t = makeSim(flat(100, 20));
    const fired: number[] = [];
    const reacted: number[] = [];
    t.sim.on((e) => {
      if (e.type === "candle" && e.candle[0] === T0 + 2 * MINUTE) {
        t.clock.setTimeout(() => {
          fired.push(t.clock.now());
          queueMicrotask(() => reacted.push(t.clock.now()));
        }, 90_000);
      }
    });
    await runVirtual(t.sim, t.clock);
    const due = T0 + 3 * MINUTE + 90_000;
    expect(fired).toEqual([due]);
    expect(reacted).toEqual([due]);
  });

  it("sim driver - yieldEvery must be a whole number of at least 1", async () => {
    const t = makeSim(flat(100, 2));
    await expect(runVirtual(t.sim, t.clock, { yieldEvery: 0 })).rejects.toThrow(InvalidInputError);
    await expect(runVirtual(t.sim, t.clock, { yieldEvery: 1.5 })).rejects.toThrow(/yieldEvery/);
  });
});
