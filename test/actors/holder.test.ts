/**
 * A Holder alone on a LocalBus and a virtual clock: a stand-in Desk cache answers its balance, and
 * the test plays its Traders (heartbeats, proposals, reports) by hand.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Capital } from "../../src/actors/holder/capital.js";
import { Holder } from "../../src/actors/holder/holder.js";
import { ActorKeys } from "../../src/actors/identity/keys.js";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import { traderId } from "../../src/actors/runtime/ids.js";
import type { ProposalReply, TraderEnd, TraderOutcome } from "../../src/actors/trader/trader.js";
import { registerBytes, signOutcome, signProposal } from "../../src/actors/trader-signature.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import {
  allActorEvents,
  deskCache,
  heartbeat,
  holderProposal,
  holderReport,
} from "../../src/bus/subjects.js";
import { createLogger } from "../../src/log/logger.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";
import { asOperator, testControl } from "./commands/as-operator.js";
import { LENIENT } from "./support.js";

const T0 = Date.UTC(2024, 0, 1);
const GOOD = { sharpe: 2, maxDrawdown: 0.1, trades: 5, totalReturn: 0.1, buyAndHoldReturn: 0 };

interface Played {
  id: string;
  keys: ActorKeys;
  seq: number;
  abandoned: string[];
  end: (end: TraderEnd) => void;
}

let bus: LocalBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

async function holderOn(asset: string, decimals: number, free: string, market: string) {
  bus = new LocalBus();
  const b = bus;
  const clock = new VirtualClock(T0);
  const events: ActorEvent[] = [];
  /** What happened, in order: revocations, spawns and acceptances. */
  const story: string[] = [];
  /** Outcomes handed to learning (the templates). */
  const learnt: TraderOutcome[] = [];
  b.subscribe<ActorEvent>(allActorEvents(), (e) => {
    events.push(e);
    if (e.event === "holder.accepted") story.push(`accepted ${e.allocation}`);
  });
  b.serve(deskCache("sim-main"), () => ({ [asset]: { free } }));
  const traders: Played[] = [];
  const holder = new Holder(
    {
      id: `sim-main_${asset}`,
      asset,
      desk: "sim-main",
      criteria: LENIENT,
      fraction: 0.5,
      maxTraders: 1,
      mandateTtlMs: 86_400_000,
      assetDecimals: decimals,
      pairs: [market],
      spawnTrader: (m) => {
        let end!: (e: TraderEnd) => void;
        const ended = new Promise<TraderEnd>((resolve) => {
          end = resolve;
        });
        const played: Played = {
          id: traderId("sim-main", m),
          keys: ActorKeys.generate(),
          seq: 0,
          abandoned: [],
          end,
        };
        traders.push(played);
        story.push(`spawned ${traders.length}`);
        return {
          id: played.id,
          publicKey: played.keys.publicKey,
          ended,
          abandon: (why) => void played.abandoned.push(why),
        };
      },
      revoke: (nonce) => void story.push(`revoked ${nonce}`),
      onOutcome: async (o) => {
        learnt.push(o);
        return [];
      },
      respawnAfterMs: 60_000,
      livenessMs: 30_000,
    },
    {
      bus: b,
      clock,
      log: createLogger({ level: "silent" }),
      heartbeatMs: 5_000,
      control: testControl(),
    },
  );
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await b.flush();
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  /** Moves the clock by `ms`, timer by timer, letting the bus deliver in between. */
  const advance = async (ms: number, beat?: string) => {
    const until = clock.now() + ms;
    for (;;) {
      await settle();
      const next = clock.nextTimerAt();
      if (next === undefined || next > until) break;
      clock.runNext();
      if (beat !== undefined) b.publish(heartbeat(beat), { id: beat, kind: "trader" });
    }
    clock.advanceTo(until);
    await settle();
  };
  holder.start();
  await settle();
  /** A proposal signed by the latest Trader spawned with this id, as a live Trader signs it. */
  const propose = (trader: string) => {
    const played = traders.filter((t) => t.id === trader).at(-1)!;
    const p = { trader, market, strategy: "sma-cross", params: {}, metrics: GOOD };
    return b.request<ProposalReply>(holderProposal("sim-main", asset), {
      ...p,
      ...signProposal(played.keys, "sim-main", asset, p, ++played.seq),
    });
  };
  const capital = () => holder.control({ command: "capital" }) as Promise<Record<string, unknown>>;
  return { holder, clock, events, story, learnt, traders, advance, propose, capital, bus: b };
}

describe("holder - allocations follow the asset's decimals, exactly", () => {
  it("holder - a two-decimal asset allocates to the cent: half of 1000.05 is 500.02", async () => {
    const h = await holderOn("EUR", 2, "1000.05", "BTC/EUR");
    const reply = await h.propose(h.traders[0]!.id);
    expect(reply).toMatchObject({ accepted: true, allocation: "500.02" });
    expect(reply.mandate?.maxNotional).toBe("500.02");
    expect(await h.capital()).toEqual({
      asset: "EUR",
      free: "1000.05",
      allocated: "500.02",
      unallocated: "500.03",
      byTrader: { "sim-main_BTC-EUR": "500.02" },
    });
    expect(h.holder.statusValue()).toMatchObject({ free: "1000.05", allocated: "500.02" });
    await h.holder.stop();
  });

  it("holder - an eight-decimal asset allocates to the satoshi, not to 0.01", async () => {
    const h = await holderOn("BTC", 8, "0.12345679", "ETH/BTC");
    const reply = await h.propose(h.traders[0]!.id);
    // Half of 0.12345679 is 0.061728395: rounded down to a satoshi, never up.
    expect(reply).toMatchObject({ accepted: true, allocation: "0.06172839" });
    expect(reply.mandate?.maxNotional).toBe("0.06172839");
    expect(h.events.find((e) => e.event === "holder.accepted")).toMatchObject({
      allocation: "0.06172839",
    });
    await h.holder.stop();
  });

  it("holder - a share is floor((free − allocated) × fraction) in minor units", () => {
    const c = new Capital("USDT", 8);
    c.setFree("10000");
    expect(c.text(c.share(0.5))).toBe("5000");
    c.grant("a", c.share(0.5), "n-1");
    expect(c.text(c.share(0.3))).toBe("1500");
    expect(c.release("a", "n-2")).toBeUndefined(); // another mandate's nonce frees nothing
    expect(c.release("a", "n-1")).toEqual({ units: 500_000_000_000n, nonce: "n-1" });
    expect(c.setFree("not a number")).toBe(false);
    expect(c.text(c.free)).toBe("10000");
  });
});

describe("holder - a silent Trader is replaced", () => {
  it("holder - no sign of life for the liveness time: mandate revoked and allocation freed first, then a fresh Trader", async () => {
    const h = await holderOn("USDT", 8, "10000", "BTC/USDT");
    const first = h.traders[0]!;
    const accepted = await h.propose(first.id); // its first sign of life
    const nonce = accepted.mandate!.nonce;
    await h.advance(60_000, first.id); // beating every 5 s: alive
    expect(h.events.some((e) => e.event === "holder.trader_silent")).toBe(false);
    await h.advance(25_000); // silent, but not for long enough
    expect(h.events.some((e) => e.event === "holder.trader_silent")).toBe(false);
    await h.advance(10_000);
    expect(h.events.find((e) => e.event === "holder.trader_silent")).toMatchObject({
      trader: first.id,
      market: "BTC/USDT",
      revoked: nonce,
    });
    expect(first.abandoned[0]).toMatch(/nothing heard from it for 3\d s/);
    expect(await h.capital()).toMatchObject({ allocated: "0", unallocated: "10000" });
    // The replacement comes after the pause, and gets a mandate of its own.
    await h.advance(60_000);
    const second = h.traders[1]!;
    expect(second.id).toBe(first.id);
    const again = await h.propose(second.id);
    expect(again.mandate!.nonce).not.toBe(nonce);
    expect(h.story).toEqual([
      "spawned 1",
      "accepted 5000",
      `revoked ${nonce}`,
      "spawned 2",
      "accepted 5000",
    ]);
    // The old Trader's late report and late end touch nothing of its successor's.
    const late: TraderOutcome = {
      trader: first.id,
      market: "BTC/USDT",
      strategy: "sma-cross",
      params: {},
      trades: 1,
      pnl: "-1.5",
      returnPct: -0.0003,
      mandate: nonce,
    };
    h.bus.publish(holderReport("sim-main", "USDT"), {
      ...late,
      ...signOutcome(first.keys, "sim-main", "USDT", late, ++first.seq),
    });
    first.end({ kind: "failed", error: "gone" });
    await h.advance(1_000, second.id);
    expect(await h.capital()).toMatchObject({ allocated: "5000" });
    expect(h.events.some((e) => e.event === "holder.trader_failed")).toBe(false);
    expect(h.story).toHaveLength(5);
    await h.holder.stop();
  });

  it("holder - a Trader that ends has its mandate revoked and its allocation freed", async () => {
    const h = await holderOn("USDT", 8, "10000", "BTC/USDT");
    const first = h.traders[0]!;
    const nonce = (await h.propose(first.id)).mandate!.nonce;
    first.end({ kind: "nothing", reason: "no entry signal" });
    await h.advance(1_000);
    expect(h.story).toContain(`revoked ${nonce}`);
    expect(await h.capital()).toMatchObject({ allocated: "0" });
    await h.holder.stop();
  });
});

describe("holder - stopping", () => {
  it("holder - a proposal still waiting for a person is refused and answered before the Holder's actor.stopped", async () => {
    const h = await holderOn("USDT", 8, "1000", "BTC/USDT");
    await h.holder.control(
      asOperator(h.holder.id, { command: "set", args: ["approval", "manual"] }),
    );
    const answer = h.propose(h.traders[0]!.id);
    await h.advance(1_000);
    await h.holder.stop();
    await h.advance(1_000);
    expect(await answer).toMatchObject({ accepted: false, reason: "sim-main_USDT is stopping" });
    const mine = h.events.filter((e) => e.actor === "sim-main_USDT").map((e) => e.event);
    expect(mine.slice(-2)).toEqual(["holder.refused", "actor.stopped"]);
  });
});

describe("holder - a proposal that comes while it stops", () => {
  it("holder - is refused at once, and no review window outlives the Holder", async () => {
    const h = await holderOn("USDT", 8, "1000", "BTC/USDT");
    await h.holder.control(
      asOperator(h.holder.id, { command: "set", args: ["approval", "manual"] }),
    );
    // On its way when the Holder begins to stop: it arrives while the Holder stops.
    const asked = h.propose(h.traders[0]!.id);
    const stopping = h.holder.stop();
    const answer = await asked;
    await stopping;
    expect(answer).toMatchObject({ accepted: false, reason: "sim-main_USDT is stopping" });
    // Nothing left on its clock: a live session's process can end.
    expect(h.clock.nextTimerAt()).toBeUndefined();
  });
});

describe("holder - whose word counts: proposals and reports signed by its own Traders", () => {
  const proposal = (trader: string) => ({
    trader,
    market: "BTC/USDT",
    strategy: "sma-cross",
    params: {},
    metrics: GOOD,
  });
  const ask = (h: Awaited<ReturnType<typeof holderOn>>, body: unknown) =>
    h.bus.request<ProposalReply>(holderProposal("sim-main", "USDT"), body).then(
      (reply) => ({ reply, err: undefined }),
      (err: Error) => ({ reply: undefined, err }),
    );

  it("holder - a made-up, unsigned, foreign-signed or replayed proposal gets no mandate", async () => {
    const h = await holderOn("USDT", 8, "1000", "BTC/USDT");
    const own = h.traders[0]!;
    const stranger = ActorKeys.generate();
    const signed = (keys: ActorKeys, trader: string, seq: number) => ({
      ...proposal(trader),
      ...signProposal(keys, "sim-main", "USDT", proposal(trader), seq),
    });
    const replayable = signed(own.keys, own.id, 5);
    const cases: Array<[string, unknown, RegExp]> = [
      ["made up for a name nobody spawned", signed(stranger, "evil-trader", 1), /^unknown trader/],
      ["unsigned, under a real Trader's name", proposal(own.id), /^unsigned/],
      ["signed by another key", signed(stranger, own.id, 2), /^bad signature/],
    ];
    for (const [what, body, message] of cases) {
      const { reply, err } = await ask(h, body);
      expect(reply, what).toBeUndefined();
      expect((err as { code?: string }).code, what).toBe("mandate_denied");
      expect(err?.message, what).toMatch(message);
    }
    expect((await ask(h, replayable)).reply).toMatchObject({ accepted: true });
    const replay = await ask(h, replayable);
    expect(replay.err?.message).toMatch(/^replayed: sequence 5/);
    await h.advance(0);
    expect(h.events.filter((e) => e.event === "holder.accepted")).toHaveLength(1);
    await h.holder.stop();
  });

  it("holder - a forged report frees nothing and teaches nothing; an oversized one is refused even signed", async () => {
    const h = await holderOn("USDT", 8, "1000", "BTC/USDT");
    const own = h.traders[0]!;
    const accepted = await h.propose(own.id);
    const nonce = accepted.mandate!.nonce;
    const report = (change: Partial<TraderOutcome> = {}): TraderOutcome => ({
      trader: own.id,
      market: "BTC/USDT",
      strategy: "sma-cross",
      params: { fast: 5 },
      trades: 1,
      pnl: "12",
      returnPct: 0.01,
      mandate: nonce,
      ...change,
    });
    // Forged: made up by someone holding no Trader key, and a real one with a changed pnl.
    h.bus.publish(holderReport("sim-main", "USDT"), report({ strategy: "evil" }));
    const real = report();
    const proof = signOutcome(own.keys, "sim-main", "USDT", real, ++own.seq);
    h.bus.publish(holderReport("sim-main", "USDT"), { ...real, pnl: "999999", ...proof });
    // Signed by the Trader, but far too big for a template.
    const huge = report({
      params: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`p${i}`, i])),
    });
    h.bus.publish(holderReport("sim-main", "USDT"), {
      ...huge,
      ...signOutcome(own.keys, "sim-main", "USDT", huge, ++own.seq),
    });
    await h.advance(1_000);
    expect(h.learnt).toEqual([]);
    expect(await h.capital()).toMatchObject({ allocated: "500" });
    const refused = h.events
      .filter((e) => e.event === "holder.report_refused")
      .map((e) => e.reason);
    expect(refused).toEqual([
      expect.stringMatching(/^unsigned/),
      expect.stringMatching(/^bad signature/),
      expect.stringMatching(/^refused report: 'params' has more than 16 entries/),
    ]);
    // The genuine report, as signed, is learnt from and frees its allocation.
    h.bus.publish(holderReport("sim-main", "USDT"), {
      ...real,
      ...signOutcome(own.keys, "sim-main", "USDT", real, ++own.seq),
    });
    await h.advance(1_000);
    expect(h.learnt).toEqual([real]);
    expect(await h.capital()).toMatchObject({ allocated: "0" });
    await h.holder.stop();
  });

  it("holder - a Trader in another process registers once with a one-time token, then trades under its own key", async () => {
    const h = await holderOn("USDT", 8, "1000", "BTC/USDT");
    const outside = ActorKeys.generate();
    const invite = (await h.holder.control(
      asOperator(h.holder.id, { command: "invite", args: ["remote-trader", "BTC/USDT"] }),
    )) as { token: string; register: string };
    expect(invite.register).toBe("crypy.holder.sim-main.USDT.register");
    const registration = (keys: ActorKeys, token: string) => ({
      trader: "remote-trader",
      market: "BTC/USDT",
      publicKey: keys.publicKey,
      token,
      signature: keys.sign(
        registerBytes("sim-main", "USDT", "remote-trader", keys.publicKey, token),
      ),
    });
    const register = (body: unknown) =>
      h.bus.request(invite.register, body).then(
        (r) => r,
        (e: Error) => e,
      );
    const wrong = await register(registration(outside, "not-the-token"));
    expect((wrong as Error).message).toMatch(/^bad token/);
    // Proof of possession: a token with someone else's key signature is refused.
    const thief = ActorKeys.generate();
    const stolen = {
      ...registration(thief, invite.token),
      signature: outside.sign(Buffer.from("x")),
    };
    expect(((await register(stolen)) as Error).message).toMatch(/^bad signature/);
    expect(await register(registration(outside, invite.token))).toEqual({
      registered: "remote-trader",
      market: "BTC/USDT",
    });
    expect(((await register(registration(thief, invite.token))) as Error).message).toMatch(
      /^bad token/,
    );
    const p = proposal("remote-trader");
    const { reply } = await ask(h, { ...p, ...signProposal(outside, "sim-main", "USDT", p, 1) });
    expect(reply).toMatchObject({ accepted: true });
    expect(reply?.mandate?.traderKey).toBe(outside.publicKey);
    await h.holder.stop();
  });
});
