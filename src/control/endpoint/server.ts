/**
 * The TCP transport of a control endpoint: accepts telnet (or plain TCP) connections, turns bytes
 * into lines with the telnet decoder, and hands each line to the connection's session.
 *
 * Invariants:
 * - A session sees its lines one at a time, in order; its reply to one line is written before the
 *   next line is handed over, so replies never interleave.
 * - Nothing a peer or a session does can crash the process: socket errors are absorbed, a session
 *   that throws gets `internal: <message>` written to its peer, and a write to a closed socket is a
 *   no-op.
 * - Memory per connection is bounded: the decoder keeps at most one line, reading pauses while
 *   lines wait for the session, and a peer that does not read its replies is disconnected once more
 *   than OUTPUT_LIMIT bytes wait to be sent.
 * - `session.closed()` is called exactly once for every session created; a connection refused for
 *   being over the cap never gets a session.
 * - Idle means nothing from the peer and no command running: the clock restarts on every byte
 *   received and once the replies to queued lines are out.
 * - A peer that half-closes (`printf 'status\n' | nc …`) still gets the replies to what it sent.
 */

import { createServer, type Server, type Socket } from "node:net";
import { InternalError, InvalidInputError } from "../../domain/errors.js";
import { TelnetDecoder } from "./telnet-decoder.js";
import type { ControlEndpoint, EndpointOptions, LineSession } from "./types.js";

const DEFAULTS = {
  host: "127.0.0.1",
  port: 0,
  maxLineBytes: 4096,
  idleMs: 15 * 60_000,
  maxConnections: 16,
} as const;

/** Bytes waiting to be sent before a peer that does not read is cut off. */
const OUTPUT_LIMIT = 1024 * 1024;
/** Lines waiting for the session before we stop reading from the peer. */
const QUEUE_PAUSE = 64;
/** After we end a connection, how long the peer has to close its side before we destroy it. */
const LINGER_MS = 5_000;

type Settings = Required<Omit<EndpointOptions, "session">> & Pick<EndpointOptions, "session">;

/**
 * Starts listening; resolves once the port is bound.
 *
 * @example
 * const endpoint = await listen({ port: 4222, session: (peer) => new ControlSession(peer) });
 * // … telnet 127.0.0.1 4222 …
 * await endpoint.close();
 */
export async function listen(options: EndpointOptions): Promise<ControlEndpoint> {
  const settings = validate(options);
  const sockets = new Set<Socket>(); // every accepted socket, so close() can reach it
  const served = new Set<Socket>(); // those with a session: what the cap and `connections` count
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      served.delete(socket);
    });
    if (served.size >= settings.maxConnections) {
      refuse(socket, `busy: too many connections (at most ${settings.maxConnections})\r\n`);
    } else {
      served.add(socket);
      serve(socket, settings);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // After binding, a server error is a failed accept (EMFILE, …): that one peer is lost, the
  // endpoint keeps serving the others.
  server.on("error", () => {});

  const address = server.address();
  if (address === null || typeof address === "string") {
    server.close();
    throw new InternalError(`endpoint did not bind a TCP address: ${String(address)}`);
  }
  return {
    host: address.address,
    port: address.port,
    get connections() {
      return served.size;
    },
    close: () => closeServer(server, sockets),
  };
}

const KNOWN_OPTIONS = new Set([...Object.keys(DEFAULTS), "session"]);

function validate(options: EndpointOptions): Settings {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new InvalidInputError(`endpoint: unknown option '${key}'`);
  }
  const settings: Settings = { ...DEFAULTS, ...definedOnly(options), session: options.session };
  const positive = ["maxLineBytes", "idleMs", "maxConnections"] as const;
  for (const key of positive) {
    if (!Number.isSafeInteger(settings[key]) || settings[key] < 1) {
      throw new InvalidInputError(
        `endpoint: ${key} must be a positive integer, got ${settings[key]}`,
      );
    }
  }
  if (typeof settings.host !== "string" || settings.host === "") {
    throw new InvalidInputError(`endpoint: host must be a non-empty string, got ${settings.host}`);
  }
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65_535) {
    throw new InvalidInputError(`endpoint: port must be 0..65535, got ${settings.port}`);
  }
  if (typeof settings.session !== "function") {
    throw new InvalidInputError("endpoint: session must be a function");
  }
  return Object.freeze(settings);
}

/** `{port: undefined}` means "the default", not "no port". */
function definedOnly(options: EndpointOptions): Partial<EndpointOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/** Resolves once the server and every connection have closed, and each session heard of it. */
async function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  // The server counts a socket gone before the socket's own 'close' listeners run; waiting for
  // those too means every session.closed() has been called when close() resolves.
  const gone = [...sockets].map(
    (socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())),
  );
  for (const socket of sockets) socket.destroy();
  await Promise.all([stopped, ...gone]);
}

/** Writes `text` and ends the connection; the peer gets LINGER_MS to close its side. */
function refuse(socket: Socket, text: string): void {
  socket.on("error", () => {});
  socket.end(text);
  linger(socket);
}

function linger(socket: Socket): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once("close", () => clearTimeout(timer));
}

function peerOf(socket: Socket): string {
  const address = socket.remoteAddress ?? "unknown";
  return `${address.includes(":") ? `[${address}]` : address}:${socket.remotePort ?? 0}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One accepted connection, from its first byte to its close. */
function serve(socket: Socket, settings: Settings): void {
  const decoder = new TelnetDecoder({ maxLineBytes: settings.maxLineBytes });
  const queue: Array<string | null> = []; // a line, or null for "that line was too long"
  let session: LineSession | undefined;
  let busy = false;
  let ending = false; // we have ended (or are about to end) our side: no more session calls
  let inputEnded = false;
  let idleTimer: NodeJS.Timeout | undefined;

  const write = (data: string | Buffer): void => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(data);
    // The peer is not reading what we send; keeping it would let it grow our memory without end.
    if (socket.writableLength > OUTPUT_LIMIT) socket.destroy();
  };
  const end = (text?: string): void => {
    if (ending) return;
    ending = true;
    queue.length = 0;
    clearTimeout(idleTimer);
    if (text !== undefined) write(text);
    socket.end();
    linger(socket);
  };
  const armIdle = (): void => {
    clearTimeout(idleTimer);
    if (ending) return;
    idleTimer = setTimeout(() => {
      // A peer waiting for a slow command is not idle; its clock restarts once the reply is sent.
      if (!busy) end(`idle: closing after ${settings.idleMs / 1000}s without input\r\n`);
    }, settings.idleMs);
  };

  const drain = async (): Promise<void> => {
    if (busy || session === undefined) return;
    if (queue.length > 0) {
      busy = true;
      while (queue.length > 0 && !ending) await handle(session, queue.shift()!);
      busy = false;
      armIdle(); // the peer's clock restarts once its replies are out
    }
    if (inputEnded) end();
  };
  const handle = async (session: LineSession, item: string | null): Promise<void> => {
    if (queue.length < QUEUE_PAUSE / 2 && socket.isPaused() && !socket.destroyed) socket.resume();
    if (item === null) {
      write(`line_too_long: a line may be at most ${settings.maxLineBytes} bytes\r\n`);
      return;
    }
    try {
      const reply = await session.line(item);
      if (typeof reply?.text !== "string") throw new TypeError("session replied without text");
      write(reply.text.replace(/\r?\n/g, "\r\n"));
      if (reply.close === true) end();
    } catch (error) {
      write(`internal: ${messageOf(error)}\r\n`);
    }
  };
  const enqueue = (item: string | null): void => {
    if (ending) return;
    queue.push(item);
    if (queue.length >= QUEUE_PAUSE) socket.pause();
  };

  socket.on("error", () => {}); // ECONNRESET, EPIPE, …: 'close' follows and cleans up.
  socket.on("data", (chunk: Buffer) => {
    if (ending) return; // what a peer sends after we ended is not read by anyone
    armIdle();
    for (const event of decoder.push(chunk)) {
      if (event.kind === "reply") write(event.bytes);
      else enqueue(event.kind === "line" ? event.text : null);
    }
    void drain();
  });
  // The peer has sent all it will (e.g. `printf 'status\n' | nc …`): answer what it sent, then end.
  socket.on("end", () => {
    inputEnded = true;
    void drain();
  });
  socket.once("close", () => {
    ending = true;
    queue.length = 0;
    clearTimeout(idleTimer);
    if (session === undefined) return;
    try {
      session.closed();
    } catch {
      // The connection is gone either way; a session failing to tidy up is its own business.
    }
  });

  try {
    session = settings.session(peerOf(socket));
    write(session.open().replace(/\r?\n/g, "\r\n"));
  } catch (error) {
    end(`internal: ${messageOf(error)}\r\n`);
    return;
  }
  armIdle();
}
