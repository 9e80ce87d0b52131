/**
 * Bad input from the bus gets a typed error naming what was wrong (never `internal`), and the
 * actor carries on: a command's arguments that are not words, a proposal without its metrics.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ControlReply } from "../../src/actors/runtime/actor.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control, holderProposal } from "../../src/bus/subjects.js";
import { asOperator } from "./commands/as-operator.js";
import { quietDesk, refusal, type TestSystem } from "./support.js";

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function quiet() {
  const bus = new LocalBus();
  const { t } = await quietDesk(bus);
  running = t;
  const ask = (subject: string, request: unknown) =>
    refusal(t.settle(bus.request(subject, request))) as Promise<
      (Error & { code?: string }) | undefined
    >;
  const say = (actor: string, line: string) =>
    t.settle(bus.request<ControlReply>(control(actor), { line }));
  return { t, ask, say };
}

describe("actors - bad input gets a typed error", () => {
  it("actors - cancel with an id that is not a text is invalid_input naming it", async () => {
    const { ask, say } = await quiet();
    const number = await ask(control("sim-main"), { command: "cancel", args: [5] });
    expect(number?.code).toBe("invalid_input");
    expect(number?.message).toBe("cancel: argument 1 must be a text, got 5 (a number)");
    const object = await ask(control("sim-main"), { command: "cancel", args: [{ id: "x" }] });
    expect(object?.code).toBe("invalid_input");
    expect(object?.message).toBe("cancel: argument 1 must be a text, got an object");
    const notList = await ask(control("sim-main"), { command: "cancel", args: "all" });
    expect(notList?.code).toBe("invalid_input");
    expect(notList?.message).toBe("cancel: args must be a list of texts, got all (a string)");
    // Words still work, and the Desk carries on.
    const unknown = await ask(
      control("sim-main"),
      asOperator("sim-main", { command: "cancel", args: ["nope"] }),
    );
    expect(unknown?.code).toBe("order_not_found");
    expect((await say("sim-main", "status")).ok).toBe(true);
  });

  it("actors - a proposal without metrics is invalid_input, and the Holder's proposals still list", async () => {
    const { ask, say } = await quiet();
    const subject = holderProposal("sim-main", "USDT");
    const bare = { trader: "sim-main_BTC-USDT", market: "BTC/USDT", strategy: "sma-cross" };
    for (const proposal of [
      bare,
      { ...bare, params: {}, metrics: 5 },
      { ...bare, strategy: 7, params: {}, metrics: {} },
    ]) {
      const err = await ask(subject, proposal);
      expect(err?.code).toBe("invalid_input");
      expect(err?.message).toMatch(/a proposal needs .*params and metrics/);
    }
    const listed = await say("sim-main_USDT", "proposals");
    expect(listed).toMatchObject({ ok: true, text: "(none)" });
  });
});
