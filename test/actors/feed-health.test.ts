/**
 * A Trader opens no position on a gapped or stale feed, and waits until it is healthy again: the
 * rules (feed-health.ts), and a whole system where candle messages go missing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FeedHealth, STALE_AFTER_MS } from "../../src/actors/trader/feed-health.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control, deskOrder, marketData } from "../../src/bus/subjects.js";
import type { OHLCV } from "../../src/domain/market-data.js";
import { defineStrategy } from "../../src/strategy/strategy.js";
import { asOperator } from "./commands/as-operator.js";
import { startSystem, type TestSystem } from "./support.js";

const TRADER = "sim-main_BTC-USDT";

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A strategy that signals a long entry on every candle once `go()` is called, until it holds one. */
function onCommand() {
  let signal = false;
  const strategy = defineStrategy({
    name: "on-command",
    description: "enters when the test says so",
    params: {},
    warmup: () => 1,
    create: () => ({
      onCandle: (_c, ctx) =>
        signal && !ctx.inPosition ? { action: "enter", side: "long" } : undefined,
    }),
  });
  return {
    strategy,
    go: () => {
      signal = true;
    },
  };
}

const CANDLES = marketData("sim-main", "BTC/USDT", "candle-1m");

/** Runs the system until the next candle message, and returns it. */
function nextCandleMessage(t: TestSystem) {
  return new Promise<{ candle: OHLCV; seq: number }>((resolve) => {
    const sub = t.bus.subscribe<{ candle: OHLCV; seq: number }>(CANDLES, (m) => {
      sub.unsubscribe();
      resolve(m);
    });
    void t.run(() => false, 120_000);
  });
}

/** The candle after `last`, numbered 3 past it: the two between never reach the Trader. */
function skipTwoCandles(t: TestSystem, last: { candle: OHLCV; seq: number }): void {
  const candle: OHLCV = [last.candle[0] + 60_000, ...last.candle.slice(1)] as OHLCV;
  t.bus.publish(CANDLES, { market: "BTC/USDT", candle, seq: last.seq + 3 });
}

/** A person's `exit` on the Trader, run until its outcome is reported. */
async function exitByHand(t: TestSystem) {
  await t.settle(t.bus.request(control(TRADER), asOperator(TRADER, { command: "exit" })));
  await t.run(() => t.outcomes.length > 0, 60_000);
}

describe("feed health - the rules", () => {
  it("feed health - a skipped candle number is a gap until the candles are fetched again; a repeat is not", () => {
    const h = new FeedHealth(0);
    expect(h.candle(7)).toBe(false);
    expect(h.candle(8)).toBe(false);
    expect(h.candle(8)).toBe(false); // the same message twice
    expect(h.candle(11)).toBe(true);
    expect(h.unhealthy(0)).toBe(
      "feed gapped: candle messages 9 to 10 were missed; fetching the candles again",
    );
    h.repaired();
    expect(h.unhealthy(0)).toBeUndefined();
    expect(h.candle(13)).toBe(true);
    expect(h.unhealthy(0)).toMatch(/candle messages 12 were missed/);
  });

  it("feed health - no ticker for 30 s is a stale feed; the next ticker makes it healthy", () => {
    const h = new FeedHealth(1_000);
    expect(h.unhealthy(1_000 + STALE_AFTER_MS)).toBeUndefined();
    expect(h.unhealthy(1_001 + STALE_AFTER_MS)).toBe("feed stale: no ticker for 30 s");
    h.ticker(40_000);
    expect(h.unhealthy(41_000)).toBeUndefined();
  });

  it("feed health - silence counts from when the Trader began listening, not from when it started", () => {
    const h = new FeedHealth(0);
    h.listening(120_000);
    expect(h.unhealthy(120_000 + STALE_AFTER_MS)).toBeUndefined();
    expect(h.unhealthy(121_000 + STALE_AFTER_MS)).toBe("feed stale: no ticker for 31 s");
  });
});

describe("feed health - a Trader on a gapped feed", () => {
  it("feed health - candle messages missed: the Trader fetches the candles again, holds its entry until then, and enters after", async () => {
    const command = onCommand();
    const bus = new LocalBus();
    const t = await startSystem(bus, { strategy: command.strategy, params: {} });
    running = t;
    await t.run(() => t.events.some((e) => e.event === "holder.accepted"));
    // The next two candle messages never reach the Trader: a later number arrives first, and its
    // signal says enter.
    const last = await nextCandleMessage(t);
    command.go();
    skipTwoCandles(t, last);
    await t.run(() => t.events.some((e) => e.event === "trader.entered"), 3_600_000);
    const mine = t.events.filter((e) => e.actor === TRADER).map((e) => e.event);
    const gap = mine.indexOf("trader.feed_gap");
    const repaired = mine.indexOf("trader.feed_repaired");
    const entered = mine.indexOf("trader.entered");
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(repaired).toBeGreaterThan(gap);
    expect(entered).toBeGreaterThan(repaired);
    expect(t.events.find((e) => e.event === "trader.feed_gap")).toMatchObject({
      reason: `feed gapped: candle messages ${last.seq + 1} to ${last.seq + 2} were missed; fetching the candles again`,
    });
  });
});

describe("feed health - a person's enter", () => {
  const never = defineStrategy({
    name: "never",
    description: "never signals: only a person enters",
    params: {},
    warmup: () => 1,
    create: () => ({ onCandle: () => undefined }),
  });
  const HOLDER = "sim-main_USDT";

  /** A system whose Holder waits for a person, and a proposal accepted `waitMs` after it came. */
  async function acceptedAfter(waitMs: number) {
    const bus = new LocalBus();
    const t = await startSystem(bus, { strategy: never, params: {} });
    running = t;
    await t.settle(
      bus.request(
        control(HOLDER),
        asOperator(HOLDER, { command: "set", args: ["approval", "manual"] }),
      ),
    );
    await t.run(() => t.events.some((e) => e.event === "holder.pending"));
    await t.run(() => false, waitMs);
    await t.settle(
      bus.request(control(HOLDER), asOperator(HOLDER, { command: "accept", args: ["p1"] })),
    );
    await t.run(() => t.events.some((e) => e.event === "holder.accepted"));
    const enter = () =>
      t.settle(
        bus.request<Record<string, string>>(
          control(TRADER),
          asOperator(TRADER, { command: "enter" }),
        ),
      );
    return { t, enter };
  }

  it("feed health - accepted minutes after the Trader started, 'enter' buys at once: the wait was not a silent feed", async () => {
    const { t, enter } = await acceptedAfter(5 * 60_000);
    const view = await enter();
    expect(view.entry).toBeUndefined();
    expect(view.state).toBe("inPosition");
    expect(Number(view.held)).toBeGreaterThan(0);
    await exitByHand(t);
    expect(t.outcomes[0]).toMatchObject({ market: "BTC/USDT", trades: 1 });
  });

  it("feed health - 'enter' on a gapped feed says it is held and why, and the entry is placed once the candles are fetched again", async () => {
    const { t, enter } = await acceptedAfter(0);
    const last = await nextCandleMessage(t);
    skipTwoCandles(t, last);
    const view = await enter();
    expect(view.entry).toBe(
      `held (feed gapped: candle messages ${last.seq + 1} to ${last.seq + 2} were missed; fetching the candles again); placed once the feed is healthy`,
    );
    expect(view.held).toBe("0");
    await t.run(() => t.events.some((e) => e.event === "trader.entered"), 600_000);
    const mine = t.events.filter((e) => e.actor === TRADER).map((e) => e.event);
    expect(mine.indexOf("trader.entered")).toBeGreaterThan(mine.indexOf("trader.feed_repaired"));
    await exitByHand(t);
  });

  it("feed health - 'enter' while the strategy's entry is on its way to the Desk waits for that entry, and places no second one", async () => {
    const command = onCommand();
    const bus = new LocalBus();
    const t = await startSystem(bus, { strategy: command.strategy, params: {} });
    running = t;
    await t.run(() => t.events.some((e) => e.event === "holder.accepted"));
    let orders = 0;
    let asked: Promise<Record<string, string>> | undefined;
    bus.subscribe(deskOrder("sim-main"), () => {
      orders++;
      asked ??= bus.request(control(TRADER), asOperator(TRADER, { command: "enter" }));
    });
    command.go();
    await t.run(() => asked !== undefined, 600_000);
    const view = await t.settle(asked!);
    expect(view.state).toBe("inPosition");
    expect(Number(view.held)).toBeGreaterThan(0);
    expect(orders).toBe(1);
    await exitByHand(t);
  });
});
