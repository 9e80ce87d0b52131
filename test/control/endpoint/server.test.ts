import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../../../src/control/endpoint/server.js";
import type { ControlEndpoint, EndpointOptions } from "../../../src/control/endpoint/types.js";
import { eventually, type SessionLog, scriptedSessions, sleep, TestClient } from "./helpers.js";

const IAC = 255;
const [DONT, DO, WONT, WILL] = [254, 253, 252, 251];

let endpoint: ControlEndpoint | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await endpoint?.close();
  endpoint = undefined;
});

async function start(
  options: Omit<EndpointOptions, "session"> = {},
): Promise<{ endpoint: ControlEndpoint; log: SessionLog }> {
  const { log, factory } = scriptedSessions();
  endpoint = await listen({ ...options, session: factory });
  return { endpoint, log };
}

async function client(port: number, greeting = "hello\r\n> "): Promise<TestClient> {
  const opened = await TestClient.open(port);
  clients.push(opened);
  if (greeting !== "") await opened.until(greeting);
  return opened;
}

describe("control endpoint", () => {
  it("endpoint - listens on 127.0.0.1 on an OS-chosen port and greets with the session's banner", async () => {
    const { endpoint, log } = await start();
    expect(endpoint.host).toBe("127.0.0.1");
    expect(endpoint.port).toBeGreaterThan(0);
    const peer = await client(endpoint.port);
    expect(peer.text).toBe("hello\r\n> ");
    expect(log.peers).toEqual([`127.0.0.1:${peer.socket.localPort}`]);
    expect(endpoint.connections).toBe(1);
  });

  it("endpoint - a line split across chunks arrives whole", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    for (const part of ["ec", "ho th", "is\r", "\nnext\r", "\n"]) {
      peer.send(part);
      await sleep(15);
    }
    await peer.until("echo: next\r\n> ");
    expect(log.lines).toEqual(["echo this", "next"]);
    expect(peer.text).toBe("hello\r\n> echo: echo this\r\n> echo: next\r\n> ");
  });

  it("endpoint - replies go out with CRLF line breaks, never a doubled CR", async () => {
    const { endpoint } = await start();
    const peer = await client(endpoint.port);
    peer.send("multi\n");
    await peer.until("three\r\n> ");
    expect(peer.text).toBe("hello\r\n> one\r\ntwo\r\nthree\r\n> ");
  });

  it("endpoint - telnet options are refused as raw bytes, each once", async () => {
    const { endpoint } = await start();
    const peer = await client(endpoint.port);
    peer.send([IAC, DO, 1, IAC, WILL, 31, IAC, DO, 1, IAC, WONT, 3]);
    peer.send("ping\r\n");
    await peer.until("echo: ping");
    const afterGreeting = peer.received.subarray("hello\r\n> ".length);
    expect([...afterGreeting.subarray(0, 6)]).toEqual([IAC, WONT, 1, IAC, DONT, 31]);
    expect(afterGreeting.subarray(6).toString()).toBe("echo: ping\r\n> ");
  });

  it("endpoint - one connection over the cap is told so and closed, without a session", async () => {
    const { endpoint, log } = await start({ maxConnections: 2 });
    const first = await client(endpoint.port);
    await client(endpoint.port);
    const third = await client(endpoint.port, "");
    await third.closed;
    expect(third.text).toBe("busy: too many connections (at most 2)\r\n");
    expect(log.peers).toHaveLength(2);
    expect(endpoint.connections).toBe(2);

    first.destroy();
    await eventually(() => endpoint.connections === 1);
    const fourth = await client(endpoint.port);
    fourth.send("ping\n");
    await fourth.until("echo: ping");
    expect(log.peers).toHaveLength(3);
  });

  it("endpoint - a connection without input is closed after idleMs, and input keeps it open", async () => {
    const { endpoint, log } = await start({ idleMs: 300 });
    const quiet = await client(endpoint.port);
    const talking = await client(endpoint.port);
    // Twice idleMs of slow typing: any byte counts as input, not only a whole line.
    for (let i = 0; i < 10; i++) {
      talking.send(String(i));
      await sleep(60);
    }
    talking.send("\n");
    await quiet.closed;
    expect(quiet.text).toBe("hello\r\n> idle: closing after 0.3s without input\r\n");
    await talking.until("echo: 0123456789\r\n> ");
    expect(talking.text).not.toContain("idle:");
    await talking.closed;
    expect(talking.text).toMatch(
      /echo: 0123456789\r\n> idle: closing after 0\.3s without input\r\n$/,
    );
    await eventually(() => log.closed === 2);
  });

  it("endpoint - a peer waiting on a slow command is not idle", async () => {
    const { endpoint } = await start({ idleMs: 100 });
    const peer = await client(endpoint.port);
    peer.send("slow 300 a\n");
    await peer.until("slow a done\r\n> ");
    expect(peer.text).not.toContain("idle:");
    await peer.closed;
  });

  it("endpoint - an overlong line is refused whole and the next line is served", async () => {
    const { endpoint, log } = await start({ maxLineBytes: 16 });
    const peer = await client(endpoint.port);
    peer.send(`${"x".repeat(100)}\r\n`);
    peer.send("ok\r\n");
    await peer.until("echo: ok\r\n> ");
    expect(peer.text).toBe(
      "hello\r\n> line_too_long: a line may be at most 16 bytes\r\necho: ok\r\n> ",
    );
    expect(log.lines).toEqual(["ok"]);
  });

  it("endpoint - a session that rejects or throws gets internal: and the connection goes on", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    peer.send("boom\nthrow\nping\n");
    await peer.until("echo: ping\r\n> ");
    expect(peer.text).toBe(
      "hello\r\n> internal: kaboom\r\ninternal: thrown in line()\r\necho: ping\r\n> ",
    );
    expect(log.closed).toBe(0);
  });

  it("endpoint - a session factory or banner that throws closes that connection only", async () => {
    let calls = 0;
    let closed = 0;
    endpoint = await listen({
      session: () => {
        calls++;
        if (calls === 1) throw new Error("no session for you");
        return {
          open: () => {
            if (calls === 2) throw new Error("no banner");
            return "> ";
          },
          line: async (text) => ({ text: `${text}\n> ` }),
          closed: () => {
            closed++;
            throw new Error("closed() throwing must not matter");
          },
        };
      },
    });
    const first = await client(endpoint.port, "");
    await first.closed;
    expect(first.text).toBe("internal: no session for you\r\n");
    const second = await client(endpoint.port, "");
    await second.closed;
    expect(second.text).toBe("internal: no banner\r\n");
    const third = await client(endpoint.port, "> ");
    third.send("hi\n");
    await third.until("hi\r\n> ");
    expect(closed).toBe(1); // the second connection's session, once
  });

  it("endpoint - a reply with close set is sent, then the connection ends and closed() runs once", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    peer.send("quit\nping\n");
    await peer.closed;
    expect(peer.text).toBe("hello\r\n> bye\r\n");
    await eventually(() => log.closed === 1);
    expect(log.lines).toEqual(["quit"]);
    await sleep(20);
    expect(log.closed).toBe(1);
  });

  it("endpoint - lines reach a slow session one at a time, and replies keep their order", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    peer.send("slow 120 a\nslow 10 b\nping\n");
    await peer.until("echo: ping\r\n> ");
    expect(peer.text).toBe("hello\r\n> slow a done\r\n> slow b done\r\n> echo: ping\r\n> ");
    expect(log.mostAtOnce).toBe(1);
  });

  it("endpoint - a flood of lines waits its turn: every line answered once, in order", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    const lines = Array.from({ length: 2_000 }, (_, i) => `line ${i}`);
    peer.send("slow 200 first\n");
    // Batches that arrive while the session is busy: reading pauses and must resume.
    for (let i = 0; i < lines.length; i += 100) {
      peer.send(`${lines.slice(i, i + 100).join("\r\n")}\r\n`);
      await sleep(5);
    }
    await peer.until("echo: line 1999\r\n> ", 5_000);
    const expected = ["slow first done\r\n> ", ...lines.map((line) => `echo: ${line}\r\n> `)];
    expect(peer.text).toBe(`hello\r\n> ${expected.join("")}`);
    expect(log.mostAtOnce).toBe(1);
  });

  it("endpoint - a peer that half-closes still gets the replies to what it sent", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    peer.socket.end("slow 50 a\nping\n");
    await peer.closed;
    expect(peer.text).toBe("hello\r\n> slow a done\r\n> echo: ping\r\n> ");
    await eventually(() => log.closed === 1);
  });

  it("endpoint - a peer that resets the connection is cleaned up and the server goes on", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    peer.send("slow 50 a\n");
    await sleep(10);
    peer.socket.resetAndDestroy();
    await eventually(() => log.closed === 1 && endpoint.connections === 0);
    const next = await client(endpoint.port);
    next.send("ping\n");
    await next.until("echo: ping");
  });

  it("endpoint - a peer that does not read its replies is cut off instead of buffered", async () => {
    const { endpoint, log } = await start();
    const peer = await client(endpoint.port);
    peer.socket.pause();
    for (let i = 0; i < 40; i++) peer.send("big 1048576\n");
    await eventually(() => log.closed === 1, 5_000);
    expect(endpoint.connections).toBe(0);
    expect(log.lines.length).toBeLessThan(40);
  });

  it("endpoint - close() stops listening, closes every connection and calls closed() for each", async () => {
    const { endpoint, log } = await start();
    const peers = [await client(endpoint.port), await client(endpoint.port)];
    peers[0]?.send("slow 1000 a\n");
    await sleep(20);
    await endpoint.close();
    await Promise.all(peers.map((peer) => peer.closed));
    expect(endpoint.connections).toBe(0);
    expect(log.closed).toBe(2);
    await expect(TestClient.open(endpoint.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("endpoint - options are checked once, naming the bad one", async () => {
    const session = scriptedSessions().factory;
    await expect(listen({ session, maxLineBytes: 0 })).rejects.toThrow(/maxLineBytes/);
    await expect(listen({ session, idleMs: -1 })).rejects.toThrow(/idleMs/);
    await expect(listen({ session, maxConnections: 1.5 })).rejects.toThrow(/maxConnections/);
    await expect(listen({ session, port: 70_000 })).rejects.toThrow(/port/);
    const typo = { session, maxLines: 10 } as EndpointOptions;
    await expect(listen(typo)).rejects.toThrow(/unknown option 'maxLines'/);
  });
});
