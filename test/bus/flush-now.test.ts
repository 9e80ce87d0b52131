/**
 * flushNow reaches into nats.js (ProtocolHandler.flushPending): this pins that the internals are
 * still there, so a nats.js upgrade that moves them fails here instead of silently putting the
 * microtask's wait back on every request and reply.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushNow } from "../../src/bus/nats/flush-now.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer({ jetstream: false });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.cleanup();
});

/** The bytes nats.js holds for its next write (internal; see the file's comment). */
function buffered(c: NatsConnection): number {
  return (c as unknown as { protocol: { outbound: { size(): number } } }).protocol.outbound.size();
}

describe("flushNow", () => {
  it("flushNow - a publish leaves the buffer at once, not in nats.js's microtask", async () => {
    nc.publish("flush.now", new Uint8Array([1, 2, 3]));
    expect(buffered(nc)).toBeGreaterThan(0);
    flushNow(nc);
    expect(buffered(nc)).toBe(0);
    // And the server got it: a round trip after it sees nothing left behind.
    await nc.flush();
    expect(buffered(nc)).toBe(0);
  });

  it("flushNow - a connection without nats.js's internals is left to its own flush", () => {
    expect(() => flushNow({} as NatsConnection)).not.toThrow();
  });
});
