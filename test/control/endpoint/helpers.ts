/**
 * Test helpers for the control endpoint: a scripted session that records what it was given, and
 * a raw TCP client that collects everything the server sends.
 */

import { connect, type Socket } from "node:net";
import type { LineReply, LineSession } from "../../../src/control/endpoint/types.js";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the sessions of one endpoint saw, summed over connections. */
export interface SessionLog {
  peers: string[];
  lines: string[];
  closed: number;
  /** Calls of line() running now, and the most seen at once on one connection. */
  running: number;
  mostAtOnce: number;
}

/**
 * A session that echoes, with a few scripted commands:
 * `quit` closes, `boom` rejects, `throw` throws synchronously, `slow <ms> <tag>` answers late,
 * `big <bytes>` answers with that many bytes, `multi` answers several lines.
 */
export function scriptedSessions(): {
  log: SessionLog;
  factory: (peer: string) => LineSession;
} {
  const log: SessionLog = { peers: [], lines: [], closed: 0, running: 0, mostAtOnce: 0 };
  const factory = (peer: string): LineSession => {
    log.peers.push(peer);
    let running = 0;
    return {
      open: () => "hello\n> ",
      line: (text) => {
        log.lines.push(text);
        if (text === "throw") throw new Error("thrown in line()");
        running++;
        log.running++;
        log.mostAtOnce = Math.max(log.mostAtOnce, running);
        const done = (reply: LineReply): LineReply => {
          running--;
          log.running--;
          return reply;
        };
        return answer(text).then(done, (error: unknown) => {
          done({ text: "" });
          throw error;
        });
      },
      closed: () => {
        log.closed++;
      },
    };
  };
  return { log, factory };
}

async function answer(text: string): Promise<LineReply> {
  const [command, arg, tag] = text.split(" ");
  switch (command) {
    case "quit":
      return { text: "bye\n", close: true };
    case "boom":
      throw new Error("kaboom");
    case "slow":
      await sleep(Number(arg));
      return { text: `slow ${tag} done\n> ` };
    case "big":
      return { text: "x".repeat(Number(arg)) };
    case "multi":
      return { text: "one\ntwo\r\nthree\n> " };
    default:
      return { text: `echo: ${text}\n> ` };
  }
}

/** A raw TCP client that keeps every byte it receives. */
export class TestClient {
  received = Buffer.alloc(0);
  readonly closed: Promise<void>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      for (const waiter of this.waiters) waiter();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  static open(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1" }, () => resolve(new TestClient(socket)));
      socket.once("error", reject);
    });
  }

  get text(): string {
    return this.received.toString("utf8");
  }

  send(data: string | Buffer | number[]): void {
    this.socket.write(Array.isArray(data) ? Buffer.from(data) : data);
  }

  /** Resolves with everything received once it contains `expected`. */
  until(expected: string | Buffer, timeoutMs = 3_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.received.includes(expected)) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(this.received);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${JSON.stringify(String(expected))}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Polls `condition` until it holds; fails after `timeoutMs`. */
export async function eventually(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition did not hold in time");
    await sleep(5);
  }
}
