import { describe, expect, it } from "vitest";
import { decode } from "../../src/bus/codec.js";
import { LocalHub } from "../../src/bus/local/hub.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { waitUntil } from "../support/wait.js";
import { busContract } from "./contract.js";

busContract("LocalBus", async () => {
  const hub = new LocalHub();
  return {
    connect: async (options) => new LocalBus({ hub, ...options }),
    rawRequest: (subject, payload) =>
      new Promise((resolve) => {
        const inbox = `_INBOX.raw.${Math.random()}`;
        hub.addInbox(inbox, {
          active: true,
          deliver: (_s, answer, _r, isError) => {
            hub.removeInbox(inbox);
            resolve({ isError, body: decode(answer) });
          },
        });
        hub.route(subject, payload, inbox, false);
      }),
  };
});

describe("LocalBus - hubs", () => {
  it("LocalBus - buses without a shared hub do not see each other", async () => {
    const a = new LocalBus();
    const b = new LocalBus();
    const got: unknown[] = [];
    b.subscribe("iso.x", (d) => void got.push(d));
    a.publish("iso.x", 1);
    b.publish("iso.x", 2);
    await waitUntil(() => got.length === 1, "b's own message");
    await a.flush();
    expect(got).toEqual([2]);
    await Promise.all([a.close(), b.close()]);
  });

  it("LocalBus - delivery is never synchronous with publish", async () => {
    const bus = new LocalBus();
    const got: unknown[] = [];
    bus.subscribe("async.x", (d) => void got.push(d));
    bus.publish("async.x", 1);
    expect(got).toEqual([]);
    await bus.flush();
    expect(got).toEqual([1]);
    await bus.close();
  });

  it("LocalBus - a handler publishing to itself does not starve timers", async () => {
    const bus = new LocalBus();
    let count = 0;
    bus.subscribe("loop.x", () => {
      count++;
      bus.publish("loop.x", count);
    });
    bus.publish("loop.x", 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(count).toBeGreaterThan(0);
    await bus.close();
  });
});
