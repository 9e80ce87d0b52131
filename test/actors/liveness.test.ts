import { describe, expect, it } from "vitest";
import { Liveness } from "../../src/actors/holder/liveness.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";

function watch() {
  const clock = new VirtualClock(0);
  const silent: [string, number][] = [];
  const live = new Liveness<string>(clock, 5_000, 30_000, (k, ms) => void silent.push([k, ms]));
  live.start();
  return { clock, live, silent };
}

describe("liveness - which Traders are still heard from", () => {
  it("liveness - silent after the time and as many checks; a sign of life starts over", () => {
    const { clock, live, silent } = watch();
    live.heard("a");
    clock.advanceTo(25_000);
    live.heard("a");
    // The check at 30 s saw that beat; six checks without one more end at 60 s.
    clock.advanceTo(59_999);
    expect(silent).toEqual([]);
    clock.advanceTo(60_000);
    expect(silent).toEqual([["a", 35_000]]);
    clock.advanceTo(200_000); // once: it is no longer watched
    expect(silent).toHaveLength(1);
  });

  it("liveness - never watched before a first sign of life, nor after it is forgotten", () => {
    const { clock, live, silent } = watch();
    clock.advanceTo(100_000);
    live.heard("a");
    live.forget("a");
    clock.advanceTo(200_000);
    expect(silent).toEqual([]);
  });

  it("liveness - a stall (timers fire once, late, after a long block) is one miss, not silence", () => {
    // A live clock after the event loop was blocked: each due timer fires once, at the late time.
    let now = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        timers.push({ at: now + ms, fn });
        return { id: timers.length };
      },
      clearTimeout: () => {},
    };
    const stall = (ms: number) => {
      now += ms;
      for (const t of timers.splice(0).filter((x) => x.at <= now)) t.fn();
    };
    const silent: string[] = [];
    const live = new Liveness<string>(clock, 5_000, 30_000, (k) => void silent.push(k));
    live.start();
    live.heard("a");
    stall(120_000); // one check, 120 s after the last beat
    expect(silent).toEqual([]);
    live.heard("a"); // the beat that was due comes right after
    for (let i = 0; i < 10; i++) stall(5_000);
    expect(silent).toEqual(["a"]); // truly silent since: caught after six checks
  });

  it("liveness - nothing counts while the Holder's own connection is down; back up, all start afresh", () => {
    const { clock, live, silent } = watch();
    live.heard("a");
    live.suspend();
    clock.advanceTo(120_000);
    expect(silent).toEqual([]);
    live.resume();
    clock.advanceTo(150_000);
    expect(silent).toEqual([]);
    clock.advanceTo(155_000);
    expect(silent).toEqual([["a", 35_000]]);
  });
});
