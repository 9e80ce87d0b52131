/**
 * A command channel over an actor's telnet endpoint, in the session's JSON mode: each reply is one
 * RFC 7464 record (RS, JSON, LF), so nothing the actor prints can be mistaken for the reply's end.
 * Requests go one at a time, in order.
 */
import { connect, type Socket } from "node:net";
import { ClosedError, NetworkError, TimeoutError } from "../../domain/errors.js";
import { RECORD_SEPARATOR } from "../endpoint/session.js";
import { type ChannelReply, type CommandChannel, replyForPeople } from "./channel.js";

export interface TcpChannelOptions {
  /** A token for endpoints that need one. */
  token?: string | undefined;
  /** Ask for the read-only role. */
  readOnly?: boolean;
  timeoutMs?: number;
}

export async function tcpChannel(
  actor: string,
  address: string,
  options: TcpChannelOptions = {},
): Promise<CommandChannel> {
  const at = address.lastIndexOf(":");
  const host = address.slice(0, at);
  const port = Number(address.slice(at + 1));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port }, () => resolve(s));
    s.once("error", (err) =>
      reject(
        new NetworkError(`cannot reach ${actor} at ${address}: ${err.message}`, { cause: err }),
      ),
    );
  });
  socket.setNoDelay(true);
  let buffer = "";
  let closed = false;
  const waiting: Array<{ resolve: (r: ChannelReply) => void; reject: (e: Error) => void }> = [];
  const failAll = (err: Error) => {
    closed = true;
    for (const w of waiting.splice(0)) w.reject(err);
  };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const start = buffer.indexOf(RECORD_SEPARATOR);
      if (start < 0) {
        buffer = "";
        return;
      }
      const end = buffer.indexOf("\n", start);
      if (end < 0) {
        buffer = buffer.slice(start);
        return;
      }
      const record = buffer.slice(start + 1, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      let reply: ChannelReply;
      try {
        reply = replyForPeople(JSON.parse(record));
      } catch {
        reply = { ok: false, text: `bad reply from ${actor}`, code: "bad_payload" };
      }
      waiting.shift()?.resolve(reply);
    }
  });
  socket.on("error", (err) =>
    failAll(new NetworkError(`${actor}: ${err.message}`, { cause: err })),
  );
  socket.on("close", () => failAll(new ClosedError(`${actor} closed the connection`)));

  const send = (line: string) =>
    new Promise<ChannelReply>((resolve, reject) => {
      if (closed) {
        reject(new ClosedError(`the connection to ${actor} is closed`));
        return;
      }
      const timer = setTimeout(() => {
        const i = waiting.findIndex((w) => w.resolve === done);
        if (i >= 0) waiting.splice(i, 1);
        reject(new TimeoutError(`${actor} did not answer '${line}' within ${timeoutMs} ms`));
        socket.destroy();
      }, timeoutMs);
      const done = (r: ChannelReply) => {
        clearTimeout(timer);
        resolve(r);
      };
      waiting.push({
        resolve: done,
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      socket.write(`${line.replace(/[\r\n]/g, " ")}\r\n`);
    });

  await send("mode json");
  if (options.token !== undefined) {
    const auth = await send(`auth ${options.token}`);
    if (!auth.ok) {
      socket.destroy();
      throw new NetworkError(`${actor} refused the token: ${auth.text}`);
    }
  }
  if (options.readOnly === true) await send("role read");

  return {
    actor,
    get connected() {
      return !closed;
    },
    run: (line) => send(line),
    async complete(line) {
      try {
        const reply = await send(`complete ${line}`);
        return Array.isArray(reply.value) ? reply.value.map(String) : [];
      } catch {
        return [];
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        socket.once("close", () => resolve());
        socket.end();
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1_000).unref();
      });
    },
  };
}
