import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BusStatus } from "../../src/bus/bus.js";
import { decode } from "../../src/bus/codec.js";
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import { NetworkError } from "../../src/domain/errors.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import { waitUntil } from "../support/wait.js";
import { busContract } from "./contract.js";

let server: NatsServer;
let raw: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  raw = await connect({ servers: server.url });
});

afterAll(async () => {
  await raw?.close();
  await server?.cleanup();
});

busContract("NatsBus", async () => ({
  connect: (options) =>
    NatsBus.connect(server.url, options?.logger === undefined ? {} : { logger: options.logger }),
  rawRequest: async (subject, payload) => {
    const msg = await raw.request(subject, payload, { timeout: 2_000 });
    return { isError: msg.headers?.has("Crypy-Error") ?? false, body: decode(msg.data) };
  },
}));

describe("NatsBus - connection", () => {
  it("NatsBus - an unreachable server fails with NetworkError naming the URL", async () => {
    const probe = await startNatsServer({ jetstream: false });
    const url = probe.url;
    await probe.cleanup();
    const err = await NatsBus.connect(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toContain(url);
  });

  it("NatsBus - error replies carry the Crypy-Error header and plain replies carry none", async () => {
    const bus = await NatsBus.connect(server.url);
    bus.serve("hdr.ok", () => "fine");
    bus.serve("hdr.fail", () => {
      throw new Error("nope");
    });
    await bus.flush();
    const ok = await raw.request("hdr.ok", undefined, { timeout: 2_000 });
    expect(ok.headers).toBeUndefined();
    expect(decode(ok.data)).toBe("fine");
    const h = headers();
    const fail = await raw.request("hdr.fail", undefined, { timeout: 2_000, headers: h });
    expect(fail.headers?.get("Crypy-Error")).toBe("1");
    expect(decode(fail.data)).toEqual({ code: "internal", message: "nope" });
    await bus.close();
  });
});

describe("NatsBus - server restart", () => {
  let own: NatsServer;
  beforeAll(async () => {
    own = await startNatsServer();
  });
  afterAll(async () => {
    await own?.cleanup();
  });

  it("NatsBus - reconnects after a server restart, emits status events, and subscriptions resume", async () => {
    const sub = await NatsBus.connect(own.url, { reconnectTimeWaitMs: 100 });
    const statuses: BusStatus["type"][] = [];
    sub.onStatus((s) => void statuses.push(s.type));
    const got: number[] = [];
    sub.subscribe<number>("rs.x", (n) => void got.push(n));
    sub.serve("rs.echo", (d) => d);
    await sub.flush();

    const pub = await NatsBus.connect(own.url, { reconnectTimeWaitMs: 100 });
    for (let i = 0; i < 5; i++) pub.publish("rs.x", i);
    await waitUntil(() => got.length === 5, "messages before the restart");

    await own.restart();
    await waitUntil(() => statuses.includes("reconnected"), "the reconnected status", 10_000);
    await waitUntil(() => !pub.isClosed, "publisher alive");
    expect(statuses).toContain("disconnected");
    expect(statuses.indexOf("disconnected")).toBeLessThan(statuses.indexOf("reconnected"));

    // The publisher reconnects on its own schedule; wait until its messages flow again.
    let i = 5;
    await waitUntil(
      () => {
        pub.publish("rs.x", i++);
        return got.length > 5;
      },
      "messages after the restart",
      10_000,
    );
    await expect(pub.request("rs.echo", { back: true }, { timeoutMs: 2_000 })).resolves.toEqual({
      back: true,
    });
    expect(got.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(got.slice(5).every((n, k, arr) => k === 0 || n > arr[k - 1]!)).toBe(true);
    await Promise.all([pub.drain(), sub.drain()]);
    expect(statuses.at(-1)).toBe("closed");
  });
});
