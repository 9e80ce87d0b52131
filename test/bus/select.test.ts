import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, selectedNatsUrl } from "../../src/bus/select.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";

describe("select - which bus a process uses", () => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it("select - --nats wins over CRYPY_NATS_URL, which wins over the embedded default", () => {
    const env = { CRYPY_NATS_URL: "nats://env:4222" };
    expect(selectedNatsUrl({ natsUrl: "nats://flag:4222", env })).toBe("nats://flag:4222");
    expect(selectedNatsUrl({ env })).toBe("nats://env:4222");
    expect(selectedNatsUrl({ env: {} })).toBeUndefined();
    expect(selectedNatsUrl({ env: { CRYPY_NATS_URL: "  " } })).toBeUndefined();
  });

  it("select - no URL gives the LocalBus; a URL gives a connected NatsBus", async () => {
    const local = await createBus({ env: {} });
    expect(local.kind).toBe("local");
    await local.close();
    const nats = await createBus({ env: { CRYPY_NATS_URL: server.url } });
    expect(nats.kind).toBe("nats");
    expect(nats.isClosed).toBe(false);
    await nats.close();
  });
});
