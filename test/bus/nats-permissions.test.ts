/**
 * The real nats-server, started with the configuration `crypy nats config` writes, refuses what a
 * role may not say, and lets through what it may. Each client connects with its role's
 * credentials file, exactly as a crypy process does.
 *
 * How nats.js v3 reports a refusal, and what NatsBus makes of it:
 * - a publish: the server answers `-ERR 'Permissions Violation for Publish to "<subject>"'`; the
 *   connection stays up and the status stream carries the error → BusStatus "error" with a
 *   PermissionDeniedError naming the subject;
 * - a request: the same, and the request itself fails at once → PermissionDeniedError;
 * - a subscription: the server refuses it and nats.js closes it → BusStatus "error" as above.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamDeskJournal } from "../../src/actors/desk/journal/jetstream.js";
import type { BusStatus } from "../../src/bus/bus.js";
import { type NatsCredentials, readCredentials } from "../../src/bus/nats/credentials.js";
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import {
  control,
  deskCache,
  deskCapabilities,
  deskOrder,
  heartbeat,
  holderProposal,
  inboxPrefix,
  marketData,
  ROLES,
  type Role,
} from "../../src/bus/subjects.js";
import { credentialsFile, natsConfigCommand } from "../../src/cli/nats-config.js";
import {
  AuthenticationError,
  InvalidInputError,
  PermissionDeniedError,
} from "../../src/domain/errors.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { capturedLogger } from "../support/log-sink.js";
import { sleep, waitUntil } from "../support/wait.js";

let dir: string;
let server: NatsServer;
const creds = new Map<Role, NatsCredentials>();
const open: NatsBus[] = [];
const closing: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-nats-perm-"));
  const quiet = new Writable({ write: (_c, _e, done) => done() });
  await natsConfigCommand({ out: join(dir, "nats") }, quiet);
  for (const role of ROLES) {
    creds.set(role, await readCredentials(join(dir, "nats", credentialsFile(role))));
  }
  server = await startNatsServer({
    jetstream: false,
    configFile: join(dir, "nats", "nats-server.conf"),
  });
});

afterAll(async () => {
  await Promise.allSettled(open.map((b) => b.close()));
  await Promise.allSettled(closing.map((close) => close()));
  await server?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** A bus connected as `role`, with every status it reports. */
async function as(role: Role): Promise<{ bus: NatsBus; statuses: BusStatus[] }> {
  const bus = await NatsBus.connect(server.url, { credentials: creds.get(role)!, name: role });
  open.push(bus);
  const statuses: BusStatus[] = [];
  bus.onStatus((s) => void statuses.push(s));
  return { bus, statuses };
}

/** The permission errors a bus reported, as their messages. */
function refusals(statuses: readonly BusStatus[]): string[] {
  return statuses.flatMap((s) =>
    s.type === "error" && s.error instanceof PermissionDeniedError ? [s.error.message] : [],
  );
}

describe("nats permissions - refused", () => {
  it("nats permissions - a trader publishing a halt on crypy.ctl.sim-main is refused and the desk never sees it", async () => {
    const desk = await as("desk");
    const seen: unknown[] = [];
    desk.bus.serve(control("sim-main"), (req) => {
      seen.push(req);
      return { ok: true, text: "halted" };
    });
    await desk.bus.flush();

    const trader = await as("trader");
    trader.bus.publish(control("sim-main"), { line: "halt", role: "operator" });
    await trader.bus.flush();
    await waitUntil(() => refusals(trader.statuses).length > 0, "the trader's refusal");
    expect(refusals(trader.statuses)).toEqual([
      expect.stringContaining("may not publish on crypy.ctl.sim-main"),
    ]);
    // The connection survives a refusal; a request on the same subject fails at once.
    const err = await trader.bus
      .request(control("sim-main"), { line: "halt", role: "operator" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect((err as Error).message).toContain("publish on crypy.ctl.sim-main");

    // The operator's halt goes through, and it is the only one the desk saw.
    const operator = await as("operator");
    expect(await operator.bus.request(control("sim-main"), { line: "halt" })).toEqual({
      ok: true,
      text: "halted",
    });
    expect(seen).toEqual([{ line: "halt" }]);
  });

  it("nats permissions - a refused request fails alone: the trader's order waiting meanwhile is answered", async () => {
    const desk = await as("desk");
    desk.bus.serve(deskOrder("alone-desk"), async () => {
      await sleep(100);
      return { status: "filled" };
    });
    desk.bus.serve(control("alone-desk"), () => ({ ok: true }));
    await desk.bus.flush();
    const trader = await as("trader");
    const order = trader.bus.request(deskOrder("alone-desk"), { op: "place" });
    const started = Date.now();
    const halt = await trader.bus
      .request(control("alone-desk"), { line: "halt" }, { timeoutMs: 3_000 })
      .catch((e: unknown) => e);
    expect(halt).toBeInstanceOf(PermissionDeniedError);
    expect((halt as Error).message).toContain("may not publish on crypy.ctl.alone-desk");
    // At once, not at its timeout.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await order).toEqual({ status: "filled" });
  });

  it("nats permissions - no role but the operator may publish on crypy.ctl.*", async () => {
    const responder = await as("trader");
    responder.bus.serve(control("sim-main_BTC-USDT"), () => "status");
    await responder.bus.flush();
    for (const role of ROLES.filter((r) => r !== "operator")) {
      const { bus } = await as(role);
      const err = await bus
        .request(control("sim-main_BTC-USDT"), { line: "stop" }, { timeoutMs: 2_000 })
        .catch((e: unknown) => e);
      expect(err, role).toBeInstanceOf(PermissionDeniedError);
    }
    const operator = await as("operator");
    expect(await operator.bus.request(control("sim-main_BTC-USDT"), {})).toBe("status");
  });

  it("nats permissions - a trader cannot subscribe to _INBOX.> nor another user's inbox, so it sees no one's replies", async () => {
    const desk = await as("desk");
    desk.bus.serve(deskCache("inbox-desk"), () => ({ free: "1000" }));
    await desk.bus.flush();

    const trader = await as("trader");
    const sniffed: unknown[] = [];
    for (const pattern of ["_INBOX.>", `${inboxPrefix("holder")}.>`, `${inboxPrefix("node")}.>`]) {
      trader.bus.subscribe(pattern, (m) => void sniffed.push(m));
    }
    await trader.bus.flush();
    await waitUntil(() => refusals(trader.statuses).length === 3, "three refused subscriptions");
    expect(refusals(trader.statuses)).toEqual([
      expect.stringContaining("may not subscribe to _INBOX.>"),
      expect.stringContaining("may not subscribe to _INBOX_holder.>"),
      expect.stringContaining("may not subscribe to _INBOX_node.>"),
    ]);

    const holder = await as("holder");
    expect(await holder.bus.request(deskCache("inbox-desk"), { op: "balance" })).toEqual({
      free: "1000",
    });
    await sleep(50);
    expect(sniffed).toEqual([]);
  });

  it("nats permissions - without its inbox prefix a user gets no replies at all", async () => {
    const desk = await as("desk");
    desk.bus.serve(deskOrder("prefix-desk"), () => ({ status: "open" }));
    await desk.bus.flush();
    const { inboxPrefix: _, ...rest } = creds.get("trader")!;
    const bus = await NatsBus.connect(server.url, {
      credentials: { ...rest, inboxPrefix: "_INBOX" },
    });
    open.push(bus);
    const err = await bus.request(deskOrder("prefix-desk"), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect((err as Error).message).toMatch(/may not subscribe to _INBOX\./);
    // The next request asks for its inbox again, and is refused the same way, not left waiting.
    const again = await bus
      .request(deskOrder("prefix-desk"), {}, { timeoutMs: 3_000 })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(PermissionDeniedError);
    expect((again as Error).message).toMatch(/may not subscribe to _INBOX\./);
  });

  it("nats permissions - an observer cannot place orders nor publish anything, but reads market data", async () => {
    const desk = await as("desk");
    const orders: unknown[] = [];
    desk.bus.serve(deskOrder("obs-desk"), (o) => {
      orders.push(o);
      return { status: "open" };
    });
    await desk.bus.flush();

    const observer = await as("observer");
    const ticks: unknown[] = [];
    observer.bus.subscribe(marketData("obs-desk", "BTC/USDT", "ticker"), (t) => void ticks.push(t));
    observer.bus.subscribe(heartbeat("obs-desk"), () => {});
    await observer.bus.flush();

    const err = await observer.bus
      .request(deskOrder("obs-desk"), { op: "place" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    observer.bus.publish(marketData("obs-desk", "BTC/USDT", "ticker"), { last: "1" });
    await observer.bus.flush();

    desk.bus.publish(marketData("obs-desk", "BTC/USDT", "ticker"), { last: "23140.48" });
    await waitUntil(() => ticks.length > 0, "the desk's ticker");
    await sleep(50);
    expect(ticks).toEqual([{ last: "23140.48" }]);
    expect(orders).toEqual([]);
    expect(refusals(observer.statuses)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("may not subscribe to crypy.sys.hb.obs-desk"),
        expect.stringContaining("may not publish on crypy.desk.obs-desk.order"),
        expect.stringContaining("may not publish on crypy.md.obs-desk.BTC-USDT.ticker"),
      ]),
    );
  });

  it("nats permissions - only the desk publishes its capabilities; a holder and a trader hear them", async () => {
    const holder = await as("holder");
    const trader = await as("trader");
    const heard: unknown[] = [];
    holder.bus.subscribe(deskCapabilities("caps-desk"), (c) => void heard.push(["holder", c]));
    trader.bus.subscribe(deskCapabilities("caps-desk"), (c) => void heard.push(["trader", c]));
    await holder.bus.flush();
    await trader.bus.flush();

    // A trader cannot make its Holder believe the venue allows shorting.
    trader.bus.publish(deskCapabilities("caps-desk"), { of: "caps-desk", shorting: true });
    await trader.bus.flush();
    await waitUntil(() => refusals(trader.statuses).length > 0, "the trader's refusal");
    expect(refusals(trader.statuses)).toEqual([
      expect.stringContaining("may not publish on crypy.desk.caps-desk.capabilities"),
    ]);

    const desk = await as("desk");
    desk.bus.publish(deskCapabilities("caps-desk"), { of: "caps-desk", shorting: false });
    await waitUntil(() => heard.length === 2, "the desk's capabilities, at both");
    await sleep(50);
    expect(heard).toEqual(
      expect.arrayContaining([
        ["holder", { of: "caps-desk", shorting: false }],
        ["trader", { of: "caps-desk", shorting: false }],
      ]),
    );
    expect(heard).toHaveLength(2);
  });

  it("nats permissions - a responder may answer a request, never publish into an inbox unasked", async () => {
    const trader = await as("trader");
    const stray: unknown[] = [];
    trader.bus.subscribe(`${inboxPrefix("trader")}.stray.>`, (m) => void stray.push(m));
    await trader.bus.flush();
    const desk = await as("desk");
    desk.bus.publish(`${inboxPrefix("trader")}.stray.1`, { status: "filled" });
    await desk.bus.flush();
    await waitUntil(() => refusals(desk.statuses).length > 0, "the desk's refusal");
    expect(refusals(desk.statuses)).toEqual([
      expect.stringContaining("may not publish on _INBOX_trader.stray.1"),
    ]);
    expect(stray).toEqual([]);
  });
});

describe("nats permissions - allowed", () => {
  it("nats permissions - a trader's order reaches a desk-role responder and its reply comes back (allow_responses)", async () => {
    const desk = await as("desk");
    desk.bus.serve(deskOrder("ok-desk"), (o: { amount: string }) => ({
      status: "filled",
      amount: o.amount,
    }));
    const holder = await as("holder");
    holder.bus.serve(holderProposal("ok-desk", "USDT"), () => ({ accepted: true }));
    await Promise.all([desk.bus.flush(), holder.bus.flush()]);

    const trader = await as("trader");
    expect(await trader.bus.request(deskOrder("ok-desk"), { amount: "0.01" })).toEqual({
      status: "filled",
      amount: "0.01",
    });
    expect(await trader.bus.request(holderProposal("ok-desk", "USDT"), {})).toEqual({
      accepted: true,
    });
    expect(refusals([...desk.statuses, ...holder.statuses, ...trader.statuses])).toEqual([]);
  });

  it("nats permissions - the desk's user keeps its journal on JetStream (--journal jetstream); a trader's user may not touch it", async () => {
    const connectAs = async (role: Role) => {
      const c = creds.get(role)!;
      const nc = await connect({
        servers: server.url,
        user: c.user,
        pass: c.password,
        inboxPrefix: c.inboxPrefix,
      });
      closing.push(() => nc.close());
      return nc;
    };
    const entry = {
      kind: "desk.lost" as const,
      clientOrderId: "perm-desk-BTC-USDT-1",
      reason: "t",
    };
    const journal = await JetStreamDeskJournal.open(await connectAs("desk"), "perm-desk");
    await journal.append(entry);
    await journal.snapshot([entry]);
    await journal.append({ ...entry, clientOrderId: "perm-desk-BTC-USDT-2" });
    await journal.close();
    const again = await JetStreamDeskJournal.open(await connectAs("node"), "perm-desk");
    expect(again.recovered.map((e) => (e as typeof entry).clientOrderId)).toEqual([
      "perm-desk-BTC-USDT-1",
      "perm-desk-BTC-USDT-2",
    ]);
    await again.close();
    await expect(JetStreamDeskJournal.open(await connectAs("trader"), "perm-desk")).rejects.toThrow(
      /perm-desk|CRYPY_JOURNAL|permission/i,
    );
  });
});

describe("nats permissions - credentials", () => {
  it("nats permissions - a wrong password is an AuthenticationError that never shows the password", async () => {
    const { logger, records } = capturedLogger("trace");
    const wrong = { ...creds.get("trader")!, password: "not-the-password-0123456789" };
    const err = await NatsBus.connect(server.url, { credentials: wrong, logger }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain("refused user trader: wrong user or password");
    expect((err as Error).message).toContain(server.url);
    expect(JSON.stringify(records) + String((err as Error).stack)).not.toContain(wrong.password);
  });

  it("nats permissions - a password inside a NATS URL never reaches the error message", async () => {
    const probe = await startNatsServer({ jetstream: false });
    const port = probe.port;
    await probe.cleanup();
    const err = await NatsBus.connect(`nats://trader:hunter2-secret@127.0.0.1:${port}`).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain(`nats://trader:***@127.0.0.1:${port}`);
    expect((err as Error).message).not.toContain("hunter2-secret");
  });

  it("nats permissions - no credentials against a permissioned server says to pass --nats-creds", async () => {
    const err = await NatsBus.connect(server.url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain("--nats-creds");
  });

  it("nats permissions - a connected bus logs nothing that holds its password", async () => {
    const { logger, records } = capturedLogger("trace");
    const c = creds.get("node")!;
    const bus = await NatsBus.connect(server.url, { credentials: c, logger });
    bus.publish(control("x"), {});
    await bus.flush();
    await waitUntil(() => records.some((r) => r.msg === "bus error"), "the logged refusal");
    await bus.close();
    const text = JSON.stringify(records);
    expect(text).toContain("crypy.ctl.x");
    expect(text).not.toContain(c.password);
  });

  it("nats permissions - a credentials file others may read is refused, naming the file and chmod 600", async () => {
    const file = join(dir, "loose.creds.json");
    const text = await readFile(join(dir, "nats", credentialsFile("trader")), "utf8");
    await writeFile(file, text, { mode: 0o644 });
    const err = await readCredentials(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain(`chmod 600 ${file}`);
    expect((err as Error).message).not.toContain(creds.get("trader")!.password);
  });

  it("nats permissions - a malformed credentials file names the field, never the text", async () => {
    const file = join(dir, "bad.creds.json");
    await writeFile(file, '{"user":"trader","password":"short"}', { mode: 0o600 });
    await expect(readCredentials(file)).rejects.toThrow(/password: at least 16/);
    await writeFile(file, '{"user":"trader","password":"secret-but-broken', { mode: 0o600 });
    const err = await readCredentials(file).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`NATS credentials ${file} is not JSON`);
  });
});
