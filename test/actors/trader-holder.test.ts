/**
 * The Trader's exact position and bounded waits, and the Holder's answer to a silent Trader, in a
 * whole system on the real BTC/USDT candles and a virtual clock. A LossyBus loses what the test
 * says: proposal replies on their way back, or one actor's heartbeats.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import type { ProposalReply } from "../../src/actors/trader/trader.js";
import type { RequestOptions } from "../../src/bus/bus.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control, heartbeat } from "../../src/bus/subjects.js";
import { MandateDeniedError } from "../../src/domain/errors.js";
import { formatDecimal, parseDecimal } from "../../src/domain/fixed.js";
import { asOperator } from "./commands/as-operator.js";
import { quietDesk, refusal, startSystem, type TestSystem } from "./support.js";

const TRADER = "sim-main_BTC-USDT";

class LossyBus extends LocalBus {
  /** Proposal replies are lost on their way back to the Trader (and kept here). */
  loseReplies = false;
  readonly lost: ProposalReply[] = [];
  /** Subjects whose messages never leave. */
  readonly muted = new Set<string>();

  override request<Res = unknown, Req = unknown>(
    subject: string,
    data: Req,
    options?: RequestOptions,
  ): Promise<Res> {
    const answer = super.request<Res, Req>(subject, data, options);
    if (!this.loseReplies || !subject.endsWith(".proposal")) return answer;
    void answer.then(
      (reply) => void this.lost.push(reply as ProposalReply),
      () => {},
    );
    return new Promise<Res>(() => {});
  }

  override publish(subject: string, data: unknown): void {
    if (!this.muted.has(subject)) super.publish(subject, data);
  }
}

const units = (text: unknown, scale = 8) => parseDecimal(String(text), scale);
/** The text is an exact decimal in its one canonical spelling. */
const canonical = (text: unknown, scale = 8) => formatDecimal(units(text, scale), scale);
const first = (events: ActorEvent[], name: string, actor = TRADER) =>
  events.find((e) => e.event === name && e.actor === actor);

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("trader - an exact position", () => {
  it("trader - its events, status and position are decimal strings equal to the venue's balances", async () => {
    const bus = new LocalBus();
    const t = await startSystem(bus);
    running = t;
    await t.run(() => first(t.events, "trader.entered") !== undefined);
    const entered = first(t.events, "trader.entered")!;
    for (const field of ["amount", "price", "cost"]) {
      expect(typeof entered[field], field).toBe("string");
      expect(canonical(entered[field]), field).toBe(entered[field]);
    }
    // The account held nothing but USDT: what the Trader says it holds and paid is what moved.
    const balances = t.simulation.sim.balances("main");
    expect(units(entered.amount)).toBe(units(balances.BTC!.total));
    expect(units(entered.cost)).toBe(units("10000") - units(balances.USDT!.total));
    const position = await t.settle(
      bus.request<Record<string, unknown>>(control(TRADER), { command: "position" }),
    );
    expect(position).toMatchObject({ held: entered.amount, cost: entered.cost, realised: "0" });
    expect(canonical(position.pnl)).toBe(position.pnl);
    // Marked on demand: realised + unrealised at the last price.
    expect(units(position.pnl)).toBe(units(position.realised) + units(position.unrealised));
    const status = await t.settle(
      bus.request<Record<string, unknown>>(control(TRADER), { command: "status" }),
    );
    expect(status).toMatchObject({ position: entered.amount, pnl: expect.any(String) });
    await t.settle(bus.request(control(TRADER), asOperator(TRADER, { command: "exit" })));
    await t.run(() => t.outcomes.length > 0, 60_000);
    const ended = first(t.events, "trader.ended")!;
    const [outcome] = t.outcomes;
    expect(ended.pnl).toBe(outcome!.pnl);
    expect(canonical(outcome!.pnl)).toBe(outcome!.pnl);
    expect(units(t.simulation.sim.balances("main").USDT!.total) - units("10000")).toBe(
      units(outcome!.pnl),
    );
    expect(first(t.events, "holder.recorded", "sim-main_USDT")).toMatchObject({
      pnl: outcome!.pnl,
    });
  });
});

describe("trader - every wait is bounded in its clock", () => {
  it("trader - killed while its proposal waits, it ends once: the late timeout adds no trader.failed", async () => {
    const bus = new LossyBus();
    bus.loseReplies = true;
    const t = await startSystem(bus, { holder: { reviewMs: 10 * 60_000 } });
    running = t;
    await t.run(() => first(t.events, "trader.proposed") !== undefined);
    await t.settle(bus.request(control(TRADER), asOperator(TRADER, { command: "kill" })));
    await t.run(() => false, 20 * 60_000); // past the proposal's 11 min wait
    const mine = t.events.filter((e) => e.actor === TRADER).map((e) => e.event);
    expect(mine).not.toContain("trader.failed");
    expect(mine.filter((e) => e === "trader.ended")).toHaveLength(1);
  });

  it("trader - a lost proposal reply ends it after the review window and a margin; the mandate is revoked, the allocation freed", async () => {
    const bus = new LossyBus();
    bus.loseReplies = true;
    const t = await startSystem(bus, { holder: { reviewMs: 10 * 60_000 } });
    running = t;
    const revoked: string[] = [];
    const desk = t.system.desk;
    const revoke = desk.revokeMandate.bind(desk);
    desk.revokeMandate = (nonce) => {
      revoked.push(nonce);
      revoke(nonce);
    };
    await t.run(() => first(t.events, "trader.ended") !== undefined);
    const proposed = first(t.events, "trader.proposed")!;
    const ended = first(t.events, "trader.ended")!;
    expect(ended).toMatchObject({
      how: "nothing",
      reason: "no answer to the proposal from sim-main_USDT within 11 min",
    });
    expect(ended.ts - proposed.ts).toBe(11 * 60_000);
    // The Holder had accepted: the answer that never arrived is worth nothing now.
    const [lost] = bus.lost;
    expect(lost).toMatchObject({ accepted: true });
    await t.run(() => revoked.length > 0, 60_000);
    expect(revoked).toEqual([lost!.mandate!.nonce]);
    const capital = await t.settle(
      bus.request<Record<string, unknown>>(control("sim-main_USDT"), { command: "capital" }),
    );
    expect(capital).toMatchObject({ allocated: "0" });
    const late = await refusal(
      t.settle(
        bus.request(
          "crypy.desk.sim-main.order",
          {
            op: "place",
            trader: TRADER,
            mandate: lost!.mandate,
            market: "BTC/USDT",
            side: "buy",
            type: "market",
            amount: "0.01",
          },
          { timeoutMs: 5_000 },
        ),
      ),
    );
    expect(late).toBeInstanceOf(MandateDeniedError);
    expect(late?.message).toMatch(/revoked/);
  });
});

describe("holder - a silent Trader in a whole system", () => {
  it("holder - a Trader whose heartbeats stop is replaced: its mandate revoked before its successor gets one", async () => {
    const bus = new LossyBus();
    const t = await startSystem(bus, { heartbeatMs: 5_000 });
    running = t;
    const story: string[] = [];
    const desk = t.system.desk;
    const revoke = desk.revokeMandate.bind(desk);
    desk.revokeMandate = (nonce) => {
      story.push(`revoked ${nonce}`);
      revoke(nonce);
    };
    await t.run(() => first(t.events, "holder.accepted", "sim-main_USDT") !== undefined);
    story.push("accepted");
    bus.muted.add(heartbeat(TRADER));
    await t.run(() => first(t.events, "holder.trader_silent", "sim-main_USDT") !== undefined);
    bus.muted.clear();
    const silent = first(t.events, "holder.trader_silent", "sim-main_USDT")!;
    expect(silent).toMatchObject({ trader: TRADER, market: "BTC/USDT" });
    expect(silent.silentMs).toBeGreaterThanOrEqual(30_000);
    expect(silent.silentMs).toBeLessThan(40_000);
    expect(story).toEqual(["accepted", `revoked ${silent.revoked}`]);
    // The silent one was told to stop (in one process it can be).
    expect(t.events.find((e) => e.event === "trader.ended")).toMatchObject({
      how: "failed",
      error: expect.stringMatching(/replaced by sim-main_USDT: nothing heard from it/),
    });
    const acceptedBefore = t.events.filter((e) => e.event === "holder.accepted").length;
    await t.run(
      () => t.events.filter((e) => e.event === "holder.accepted").length > acceptedBefore,
    );
    story.push("accepted");
    expect(story).toEqual(["accepted", `revoked ${silent.revoked}`, "accepted"]);
  });

  it("holder - with heartbeats off nobody is judged silent", async () => {
    const { t } = await quietDesk(new LocalBus(), { holder: { maxTraders: 1 } });
    running = t;
    await t.run(() => first(t.events, "trader.ended") !== undefined);
    expect(t.events.some((e) => e.event === "holder.trader_silent")).toBe(false);
  });
});
