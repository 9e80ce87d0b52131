import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus, selectedNatsCreds, selectedNatsUrl } from "../../src/bus/select.js";
import { InvalidInputError } from "../../src/domain/errors.js";
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

  it("select - --nats-creds wins over CRYPY_NATS_CREDS; credentials without a URL are a mistake", async () => {
    const env = { CRYPY_NATS_CREDS: "/env/node.creds.json" };
    expect(selectedNatsCreds({ natsCreds: "/flag/trader.creds.json", env })).toBe(
      "/flag/trader.creds.json",
    );
    expect(selectedNatsCreds({ env })).toBe("/env/node.creds.json");
    expect(selectedNatsCreds({ env: {} })).toBeUndefined();
    const err = await createBus({ env }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toContain("/env/node.creds.json");
    expect((err as Error).message).toContain("--nats URL");
  });
});
