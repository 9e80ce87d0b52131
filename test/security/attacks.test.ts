/**
 * The attacks of issue 11, each made by an insider — a client holding a valid credential of some
 * role (here the trader's) on a real nats-server started with the configuration `crypy nats config`
 * writes — against a crypy system connected with the node role's credentials. Each is refused,
 * by the server or by the actor that receives it, and nothing it aimed at changes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyRing } from "../../src/actors/identity/key-ring.js";
import { ActorKeys, keysDir } from "../../src/actors/identity/keys.js";
import type { Mandate } from "../../src/actors/mandate.js";
import { signCancel, signOrder } from "../../src/actors/order-signature.js";
import { registerBytes, signOutcome, signProposal } from "../../src/actors/trader-signature.js";
import type { BusStatus } from "../../src/bus/bus.js";
import { readCredentials } from "../../src/bus/nats/credentials.js";
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import {
  control,
  deskCache,
  deskOrder,
  deskReport,
  holderProposal,
  holderReport,
} from "../../src/bus/subjects.js";
import { credentialsFile, natsConfigCommand } from "../../src/cli/nats-config.js";
import { PermissionDeniedError } from "../../src/domain/errors.js";
import { asOperator } from "../actors/commands/as-operator.js";
import { startSystem, type TestSystem } from "../actors/support.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { waitUntil } from "../support/wait.js";

const TRADER = "sim-main_BTC-USDT";
const GOOD = { sharpe: 3, maxDrawdown: 0.05, trades: 9, totalReturn: 0.2, buyAndHoldReturn: 0 };

let dir: string;
let server: NatsServer;
let system: NatsBus;
let attacker: NatsBus;
const attackerStatus: BusStatus[] = [];
let t: TestSystem;
/** The genuine Trader's key, as its state directory keeps it. */
let genuine: ActorKeys;
/** A genuine mandate for the genuine Trader, as one sniffed off the wire would be. */
let mandate: Mandate;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-attacks-"));
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  await natsConfigCommand({ out: join(dir, "nats") }, quiet);
  server = await startNatsServer({
    jetstream: false,
    configFile: join(dir, "nats", "nats-server.conf"),
  });
  const creds = async (role: string) => readCredentials(join(dir, "nats", credentialsFile(role)));
  system = await NatsBus.connect(server.url, { credentials: await creds("node"), name: "node" });
  attacker = await NatsBus.connect(server.url, {
    credentials: await creds("trader"),
    name: "insider",
  });
  attacker.onStatus((s) => void attackerStatus.push(s));
  const stateDir = join(dir, "state");
  t = await startSystem(system, { holder: { maxTraders: 0 }, keys: KeyRing.at(stateDir) });
  await t.run(() => false, 120_000);
  genuine = ActorKeys.load(keysDir(stateDir), TRADER);
  const holder = t.system.holders[0]!;
  mandate = holder.keys.sign(
    {
      trader: TRADER,
      traderKey: genuine.publicKey,
      desk: "sim-main",
      market: "BTC/USDT",
      sides: ["buy", "sell"],
      maxNotional: "1000",
      expiresAt: t.simulation.clock.now() + 3_600_000,
      nonce: "sniffed-1",
    },
    holder.id,
  );
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await attacker?.close();
  await system?.close();
  await server?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const failure = (p: Promise<unknown>) =>
  t.settle(p).then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );
const events = (name: string) => t.events.filter((e) => e.event === name);
const order = { market: "BTC/USDT", side: "buy", type: "market", amount: "0.01" };

describe("attacks on the bus, by an insider with a trader's credentials", () => {
  it("attack - a made-up proposal gets no mandate: the Holder gives capital only to Traders it spawned or registered", async () => {
    const proposal = {
      trader: "evil-trader",
      market: "BTC/USDT",
      strategy: "sma-cross",
      params: {},
      metrics: GOOD,
    };
    const mine = ActorKeys.generate();
    const made = await failure(
      attacker.request(holderProposal("sim-main", "USDT"), {
        ...proposal,
        ...signProposal(mine, "sim-main", "USDT", proposal, 1),
      }),
    );
    expect(made?.code).toBe("mandate_denied");
    expect(made?.message).toMatch(/^unknown trader: .* did not spawn or register "evil-trader"/);
    // Under a real Trader's name, signed with the insider's own key.
    const borrowed = { ...proposal, trader: TRADER };
    const impostor = await failure(
      attacker.request(holderProposal("sim-main", "USDT"), {
        ...borrowed,
        ...signProposal(mine, "sim-main", "USDT", borrowed, 1),
      }),
    );
    expect(impostor?.code).toBe("mandate_denied");
    expect(events("holder.accepted")).toEqual([]);
  });

  it("attack - reading others' replies on _INBOX.> is refused by the server", async () => {
    const seen: unknown[] = [];
    attacker.subscribe("_INBOX.>", (m) => void seen.push(m));
    await waitUntil(
      () =>
        attackerStatus.some((s) => s.type === "error" && s.error instanceof PermissionDeniedError),
      "the server's refusal of the subscription",
    );
    // A request and its reply between the system's own actors pass unseen.
    await t.settle(system.request(deskCache("sim-main"), { op: "ticker", market: "BTC/USDT" }));
    expect(seen).toEqual([]);
  });

  it("attack - a sniffed mandate is worthless: orders under it must be signed by the key it names", async () => {
    const placedBefore = events("order.placed").length;
    const mine = ActorKeys.generate();
    const unsigned = await failure(
      attacker.request(deskOrder("sim-main"), { op: "place", trader: TRADER, mandate, ...order }),
    );
    expect(unsigned?.code).toBe("mandate_denied");
    expect(unsigned?.message).toMatch(/^unsigned/);
    const fields = { trader: TRADER, ...order };
    const resigned = await failure(
      attacker.request(deskOrder("sim-main"), {
        op: "place",
        ...fields,
        mandate,
        ...signOrder(mine, "sim-main", fields, mandate.nonce, 1),
      }),
    );
    expect(resigned?.message).toMatch(/^bad signature/);
    expect(events("order.placed")).toHaveLength(placedBefore);
    expect(t.simulation.sim.myTrades("main")).toEqual([]);
  });

  it("attack - a captured order replayed, or replayed with a changed field, is refused", async () => {
    const fields = { trader: TRADER, ...order };
    const captured = {
      op: "place",
      ...fields,
      mandate,
      ...signOrder(genuine, "sim-main", fields, mandate.nonce, 1),
    };
    // The genuine Trader's order goes through once (sent here on the system's own connection).
    expect(await t.settle(system.request(deskOrder("sim-main"), captured))).toMatchObject({
      status: "closed",
    });
    const replay = await failure(attacker.request(deskOrder("sim-main"), captured));
    expect(replay?.code).toBe("mandate_denied");
    expect(replay?.message).toMatch(/^replayed request: sequence 1 .* not above 1/);
    const changed = await failure(
      attacker.request(deskOrder("sim-main"), { ...captured, amount: "0.02", seq: 2 }),
    );
    expect(changed?.message).toMatch(/^bad signature/);
    expect(t.simulation.sim.myTrades("main")).toHaveLength(1);
  });

  it("attack - another Trader's reports, readable to the trader role, give nothing usable: its order cannot be cancelled by them", async () => {
    const reports: Array<{ order: { id: string; status: string } }> = [];
    attacker.subscribe<{ order: { id: string; status: string } }>(
      deskReport("sim-main", TRADER),
      (m) => void reports.push(m),
    );
    await attacker.flush();
    // The genuine Trader rests a limit buy far below the market.
    const fields = {
      trader: TRADER,
      market: "BTC/USDT",
      side: "buy",
      type: "limit",
      amount: "0.01",
      price: "10000",
    };
    const resting = await t.settle(
      system.request<{ id: string; status: string }>(deskOrder("sim-main"), {
        op: "place",
        ...fields,
        mandate,
        ...signOrder(genuine, "sim-main", fields, mandate.nonce, 50),
      }),
    );
    expect(resting.status).toBe("open");
    await t.run(() => reports.some((r) => r.order.id === resting.id), 60_000);
    // What it read: the order's id. A cancel of it, unsigned or signed with its own key, is refused.
    const unsigned = await failure(
      attacker.request(deskOrder("sim-main"), { op: "cancel", trader: TRADER, id: resting.id }),
    );
    expect(unsigned?.message).toMatch(/^unsigned/);
    const resigned = await failure(
      attacker.request(deskOrder("sim-main"), {
        op: "cancel",
        trader: TRADER,
        id: resting.id,
        ...signCancel(ActorKeys.generate(), "sim-main", TRADER, resting.id, 51),
      }),
    );
    expect(resigned?.message).toMatch(/^bad signature/);
    expect(t.simulation.sim.openOrders("main").map((o) => o.id)).toContain(resting.id);
  });

  it("attack - halting the Desk over crypy.ctl is refused by the server; the Desk trades on", async () => {
    const halt = await attacker
      .request(control("sim-main"), { command: "halt", who: "operator" })
      .catch((e: unknown) => e);
    expect(halt).toBeInstanceOf(PermissionDeniedError);
    await t.run(() => false, 1_000);
    expect(t.system.desk.state).toBe("active");
    expect(events("desk.halted")).toEqual([]);
  });
  it("attack - a fake report of a real Trader frees none of its capital and writes nothing into the templates", async () => {
    // The genuine Trader, registered with a one-time token (as one in another process does),
    // proposes and is given capital: that allocation is what a fake report would free.
    const holder = t.system.holders[0]!;
    const invite = (await holder.control(
      asOperator(holder.id, { command: "invite", args: [TRADER, "BTC/USDT"] }),
    )) as { token: string; register: string };
    await t.settle(
      system.request(invite.register, {
        trader: TRADER,
        market: "BTC/USDT",
        publicKey: genuine.publicKey,
        token: invite.token,
        signature: genuine.sign(
          registerBytes("sim-main", "USDT", TRADER, genuine.publicKey, invite.token),
        ),
      }),
    );
    const proposal = {
      trader: TRADER,
      market: "BTC/USDT",
      strategy: "sma-cross",
      params: {},
      metrics: GOOD,
    };
    expect(
      await t.settle(
        system.request(holderProposal("sim-main", "USDT"), {
          ...proposal,
          ...signProposal(genuine, "sim-main", "USDT", proposal, 10),
        }),
      ),
    ).toMatchObject({ accepted: true });
    // Read in process: the node role may not send control requests, only the operator may.
    const capital = () => holder.control({ command: "capital" });
    const before = await capital();
    expect(before).toMatchObject({ byTrader: { [TRADER]: expect.any(String) } });
    const fake = {
      trader: TRADER,
      market: "BTC/USDT",
      strategy: "invented",
      params: { evil: 1 },
      trades: 3,
      pnl: "99999",
      returnPct: 9,
    };
    attacker.publish(holderReport("sim-main", "USDT"), fake);
    attacker.publish(holderReport("sim-main", "USDT"), {
      ...fake,
      ...signOutcome(ActorKeys.generate(), "sim-main", "USDT", fake, 11),
    });
    await attacker.flush();
    await t.run(() => events("holder.report_refused").length >= 2, 1_000);
    expect(events("holder.report_refused").map((e) => e.reason)).toEqual([
      expect.stringMatching(/^unsigned/),
      expect.stringMatching(/^bad signature/),
    ]);
    expect(t.outcomes).toEqual([]);
    expect(await capital()).toEqual(before);
  });
});
