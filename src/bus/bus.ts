/**
 * The Bus: how actors exchange dataflow. Two implementations honour this one contract
 * (test/bus/contract.ts runs against both): NatsBus (a real NATS connection) and LocalBus (in
 * process, the embedded default).
 *
 * Contract:
 * - Subjects follow NATS rules (see subjects.ts); `*` and `>` only when subscribing.
 * - Delivery is asynchronous, never inside `publish`. Messages from one publisher reach each
 *   subscription in publish order. Handlers are called one message at a time, in order; a handler
 *   that returns a promise is not awaited before the next message (as with nats.js callbacks),
 *   but `drain` waits for it.
 * - Every payload goes through the codec, on both buses: a subscriber gets its own decoded copy.
 * - A payload that does not decode, or a handler that throws, is logged with its subject and
 *   dropped; the subscription lives on.
 * - `serve` replies with the handler's return value; a thrown error crosses the wire as
 *   `{code, message}` and `request` rethrows it as the same CrypyError class.
 * - `request` fails with NoRespondersError when nobody serves the subject, TimeoutError when no
 *   reply comes in time, ClosedError once the bus is closed.
 * - A payload larger than `maxPayload` is refused at the sender with PayloadTooLargeError.
 * - `drain` stops new subscriptions, delivers what is already in flight (and waits for async
 *   handlers), flushes, then closes.
 */

export interface MessageInfo {
  subject: string;
  /** The reply subject of a request, when there is one. */
  reply?: string;
}

/** `T` is what the publisher promised; the payload is untrusted, so validate before relying on it. */
export type MessageHandler<T = unknown> = (data: T, info: MessageInfo) => void | Promise<void>;

export type RequestHandler<Req = unknown, Res = unknown> = (
  data: Req,
  info: MessageInfo,
) => Res | Promise<Res>;

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
}

export interface RequestOptions {
  /** Default: DEFAULT_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
/** The NATS server's default max_payload; LocalBus uses the same limit so both behave alike. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

export interface Subscription {
  readonly subject: string;
  /** Stops delivery at once; messages not yet delivered are dropped. */
  unsubscribe(): void;
}

export type BusStatus =
  | { type: "disconnected"; server?: string }
  | { type: "reconnecting" }
  | { type: "reconnected"; server?: string }
  | { type: "lame_duck"; server?: string }
  | { type: "stale" }
  | { type: "slow_consumer"; subject: string; pending: number }
  | { type: "error"; error: Error }
  | { type: "draining" }
  | { type: "closed" };

export type StatusListener = (status: BusStatus) => void;

export interface Bus {
  readonly kind: "local" | "nats";
  /** Largest encoded payload this bus accepts, in bytes. */
  readonly maxPayload: number;

  publish(subject: string, data: unknown): void;
  /** Publishes an already-encoded payload (bridges, replays of recorded data). */
  publishBytes(subject: string, payload: Uint8Array): void;
  subscribe<T = unknown>(
    subject: string,
    handler: MessageHandler<T>,
    options?: SubscribeOptions,
  ): Subscription;
  request<Res = unknown, Req = unknown>(
    subject: string,
    data: Req,
    options?: RequestOptions,
  ): Promise<Res>;
  serve<Req = unknown, Res = unknown>(
    subject: string,
    handler: RequestHandler<Req, Res>,
    options?: SubscribeOptions,
  ): Subscription;

  /** Resolves when everything published so far has left this client (NATS: a server round trip). */
  flush(): Promise<void>;
  /** Graceful shutdown: deliver in-flight messages, then close. */
  drain(): Promise<void>;
  /** Immediate shutdown: pending requests fail with ClosedError. Idempotent. */
  close(): Promise<void>;
  readonly isClosed: boolean;

  /** Returns a function that removes the listener. */
  onStatus(listener: StatusListener): () => void;
}

/** Header that marks a reply as an error; its body is a WireError. */
export const ERROR_HEADER = "Crypy-Error";
