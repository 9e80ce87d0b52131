import { describe, expect, it } from "vitest";
import { RecordedStream } from "../../../src/actors/recorder/stream.js";
import { VirtualClock } from "../../../src/time/virtual-clock.js";

/** A venue stream the test drives: each watch() waits for the test to push or fail it. */
function fakeWatch() {
  const waiting: Array<{ resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  return {
    calls: () => waiting.length,
    watch: () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject })),
    push: (v: string) => waiting.at(-1)!.resolve(v),
    pushTo: (i: number, v: string) => waiting[i]!.resolve(v),
    fail: (message: string) => waiting.at(-1)!.reject(new Error(message)),
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe("recorder stream - numbered values, staleness, reconnects", () => {
  it("recorder stream - each value gets the next number; silent past 3 intervals it is stale and subscribes again, dropping the old subscription's value", async () => {
    const clock = new VirtualClock(0);
    const venue = fakeWatch();
    const got: Array<[string, number]> = [];
    const events: Array<[string, Record<string, unknown>]> = [];
    const s = new RecordedStream<string>({
      name: "sim BTC/USDT trades",
      watch: venue.watch,
      onValue: (v, seq) => void got.push([v, seq]),
      onEvent: (e, f) => void events.push([e, f]),
      clock,
      expectedMs: 1_000,
    });
    s.start();
    venue.push("a");
    await flush();
    venue.push("b");
    await flush();
    expect(got).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    const before = venue.calls();
    clock.advanceBy(2_999);
    await flush();
    expect(events).toEqual([]);
    clock.advanceBy(1);
    await flush();
    expect(events).toEqual([["feed.stale", { stream: "sim BTC/USDT trades", silentMs: 3_000 }]]);
    expect(venue.calls()).toBe(before + 1); // subscribed again
    venue.pushTo(before - 1, "from the old subscription");
    await flush();
    expect(got).toHaveLength(2);
    venue.push("c");
    await flush();
    expect(got.at(-1)).toEqual(["c", 3]);
    s.stop();
    venue.push("after stop");
    await flush();
    expect(got).toHaveLength(3);
  });

  it("recorder stream - a failing watch is retried after a growing, jittered delay, reset by a value", async () => {
    const clock = new VirtualClock(0);
    const venue = fakeWatch();
    const events: Array<[string, Record<string, unknown>]> = [];
    const s = new RecordedStream<string>({
      name: "s",
      watch: venue.watch,
      onValue: () => {},
      onEvent: (e, f) => void events.push([e, f]),
      clock,
      expectedMs: 60_000,
      backoff: { baseMs: 1_000, capMs: 8_000, random: () => 0.5 },
    });
    s.start();
    for (const ceiling of [1_000, 2_000, 4_000]) {
      venue.fail("connection reset");
      await flush();
      expect(events.at(-1)?.[1]).toMatchObject({ delayMs: ceiling / 2 });
      clock.advanceBy(ceiling / 2);
      await flush();
    }
    expect(s.reconnects).toBe(3);
    venue.push("ok");
    await flush();
    venue.fail("again");
    await flush();
    expect(events.at(-1)).toEqual([
      "feed.reconnect",
      { stream: "s", attempt: 1, delayMs: 500, error: "Error: again" },
    ]);
    s.stop();
  });
});
