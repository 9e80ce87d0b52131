import { mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runScript } from "../support/run-script.js";
import { findOnPath, type NatsServer, startNatsServer } from "./nats-server.js";

const servers: NatsServer[] = [];
const connections: NatsConnection[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(connections.splice(0).map((nc) => nc.close()));
  await Promise.all(servers.splice(0).map((s) => s.cleanup()));
});

async function start(): Promise<NatsServer> {
  const server = await startNatsServer();
  servers.push(server);
  return server;
}

/** A subscription's messages one at a time (nats.js lets a subscription be iterated only once). */
function messagesOf(sub: Subscription): (timeoutMs?: number) => Promise<string> {
  const messages = sub[Symbol.asyncIterator]();
  return (timeoutMs = 5_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no message on ${sub.getSubject()}`)),
        timeoutMs,
      );
      messages.next().then((next) => {
        clearTimeout(timer);
        if (next.done === true) reject(new Error("subscription closed"));
        else resolve(next.value.string());
      }, reject);
    });
}

async function statusEvent(nc: NatsConnection, type: string): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === type) return;
  }
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("nats-server harness", () => {
  it("harness - serves publish/subscribe, survives a restart, cleans up", async () => {
    const server = await start();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);

    const nc = await connect({
      servers: server.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    connections.push(nc);
    expect(nc.info?.jetstream).toBe(true);

    const nextMessage = messagesOf(nc.subscribe("harness.ping"));
    nc.publish("harness.ping", "before");
    expect(await nextMessage()).toBe("before");

    const reconnected = statusEvent(nc, "reconnect");
    await server.restart();
    await reconnected;

    nc.publish("harness.ping", "after");
    expect(await nextMessage()).toBe("after");

    await nc.close();
    await server.cleanup();
    await expect(stat(server.dir)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await acceptsConnections(server.port)).toBe(false);
  });

  it("harness - two servers started together get different ports", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.port).not.toBe(b.port);
    expect(a.dir).not.toBe(b.dir);
    expect(await acceptsConnections(a.port)).toBe(true);
    expect(await acceptsConnections(b.port)).toBe(true);
  });

  it("harness - stop is idempotent and a stopped server refuses connections", async () => {
    const server = await start();
    await server.stop();
    await server.stop();
    expect(await acceptsConnections(server.port)).toBe(false);
  });

  it("harness - a server that cannot start reports its own log", async () => {
    const taken = await start();
    const failure = startNatsServer({ port: taken.port });
    await expect(failure).rejects.toThrow(
      /did not start[\s\S]*last log lines[\s\S]*address already in use/,
    );
  });

  it("harness - a missing nats-server says how to install it", async () => {
    vi.stubEnv("PATH", "");
    vi.stubEnv("CRYPY_TEST_SBIN_DIRS", "");
    await expect(startNatsServer()).rejects.toThrow(
      "nats-server not found on PATH; install Debian's `nats-server` package (apt-get install nats-server)",
    );
  });

  it("harness - nats-server off PATH is found in an sbin directory, where Debian puts it", async () => {
    const sbin = await mkdtemp(join(tmpdir(), "crypy-sbin-"));
    try {
      await symlink(await findOnPath("nats-server"), join(sbin, "nats-server"));
      vi.stubEnv("PATH", "");
      vi.stubEnv("CRYPY_TEST_SBIN_DIRS", sbin);
      const server = await startNatsServer({ jetstream: false });
      try {
        expect(await acceptsConnections(server.port)).toBe(true);
      } finally {
        await server.cleanup();
      }
    } finally {
      await rm(sbin, { recursive: true, force: true });
    }
  });

  it("harness - no server or temp dir outlives the process that started it", async () => {
    const harness = fileURLToPath(new URL("./nats-server.ts", import.meta.url));
    const { code, stdout, stderr } = await runScript(
      [
        "const { startNatsServer } = await import(process.argv[1]);",
        "const server = await startNatsServer();",
        "process.stdout.write(JSON.stringify({ port: server.port, dir: server.dir }));",
        "process.exit(0);",
      ],
      harness,
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });

    const { port, dir } = JSON.parse(stdout) as { port: number; dir: string };
    expect(port).toBeGreaterThan(0);
    await expect(stat(dir)).rejects.toMatchObject({ code: "ENOENT" });
    const deadline = Date.now() + 2_000;
    while ((await acceptsConnections(port)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await acceptsConnections(port)).toBe(false);
  });
});
