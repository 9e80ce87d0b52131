/**
 * NatsBus: the Bus over a real NATS connection (@nats-io/transport-node v3). Reconnects forever
 * (`maxReconnectAttempts: -1`); subscriptions resume after a reconnect, and connection changes
 * are surfaced as BusStatus events. Error replies carry the `Crypy-Error` header, so a successful
 * reply is just the payload: no envelope on the hot path.
 */
import {
  connect,
  headers,
  type NatsConnection,
  type Subscription as NatsSubscription,
  errors as nats,
  type Status,
} from "@nats-io/transport-node";
import { ClosedError, PayloadTooLargeError } from "../../domain/errors.js";
import { childLogger, type Logger } from "../../log/logger.js";
import {
  type Bus,
  type BusStatus,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_REQUEST_TIMEOUT_MS,
  ERROR_HEADER,
  type MessageHandler,
  type RequestHandler,
  type RequestOptions,
  type StatusListener,
  type SubscribeOptions,
  type Subscription,
} from "../bus.js";
import { encode } from "../codec.js";
import { type Dispatch, messageDispatch, requestDispatch } from "../dispatch.js";
import type { Reply } from "../reply.js";
import { assertPublishSubject, assertSubscribeSubject } from "../subjects.js";
import type { NatsCredentials } from "./credentials.js";
import { flushNow } from "./flush-now.js";
import {
  connectError,
  fromNatsError,
  fromNatsStatusError,
  permissionDenied,
  withoutPassword,
} from "./nats-errors.js";
import { NatsRequests } from "./requests.js";

export interface NatsBusOptions {
  /** Connection name shown by the server (`nats server report connections`). */
  name?: string;
  logger?: Logger;
  /** Milliseconds between reconnect attempts; default 2000 (nats.js default). */
  reconnectTimeWaitMs?: number;
  /**
   * The role's user from `crypy nats config`: its password authenticates, its inbox prefix is
   * where replies to this connection's requests arrive (the only inbox the server lets it read).
   */
  credentials?: NatsCredentials;
}

/** Maps nats.js status events onto BusStatus; pings and cluster updates are not ours to report. */
function toBusStatus(s: Status, user: string | undefined): BusStatus | undefined {
  switch (s.type) {
    case "disconnect":
      return { type: "disconnected", server: s.server };
    case "reconnecting":
      return { type: "reconnecting" };
    case "reconnect":
      return { type: "reconnected", server: s.server };
    case "ldm":
      return { type: "lame_duck", server: s.server };
    case "staleConnection":
      return { type: "stale" };
    case "slowConsumer":
      return { type: "slow_consumer", subject: s.sub.getSubject(), pending: s.pending };
    case "error":
      return { type: "error", error: fromNatsStatusError(s.error, user) };
    case "close":
      return { type: "closed" };
    default:
      return undefined;
  }
}

export class NatsBus implements Bus {
  readonly kind = "nats" as const;
  private readonly log: Logger;
  private readonly subscriptions = new Set<NatsSubscription>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly listeners = new Set<StatusListener>();
  private draining: Promise<void> | undefined;
  private closedEmitted = false;
  private readonly requests: NatsRequests;

  private constructor(
    private readonly nc: NatsConnection,
    log: Logger,
    /** The credentials' user, named in permission errors; undefined without credentials. */
    private readonly user: string | undefined,
    inboxPrefix: string | undefined,
  ) {
    this.log = log;
    this.requests = new NatsRequests(nc, inboxPrefix, user);
    void this.pumpStatus();
    void nc.closed().then((err) => {
      this.requests.close();
      if (err) this.emit({ type: "error", error: err });
      this.emitClosed();
    });
  }

  /**
   * Connects to `url` (comma-separated for a cluster). Fails with NetworkError naming the URL, or
   * AuthenticationError when the server refuses the credentials (or wants some).
   */
  static async connect(url: string, options: NatsBusOptions = {}): Promise<NatsBus> {
    const log = options.logger ?? childLogger("bus", { bus: "nats" });
    const creds = options.credentials;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: url.split(",").map((s) => s.trim()),
        maxReconnectAttempts: -1,
        reconnectTimeWait: options.reconnectTimeWaitMs ?? 2_000,
        // nats.js would build an Error per request (JetStream and KV clients on this connection
        // use its own request) to keep the caller's stack for a timeout; fromNatsError names the
        // subject and V8's async stack traces keep the caller anyway.
        noAsyncTraces: true,
        ...(options.name === undefined ? {} : { name: options.name }),
        ...(creds === undefined
          ? {}
          : { user: creds.user, pass: creds.password, inboxPrefix: creds.inboxPrefix }),
      });
    } catch (err) {
      throw connectError(err, withoutPassword(url), creds?.user);
    }
    log.debug({ server: nc.getServer() }, "connected to NATS");
    return new NatsBus(nc, log, creds?.user, creds?.inboxPrefix);
  }

  get maxPayload(): number {
    return this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  get isClosed(): boolean {
    return this.nc.isClosed();
  }

  publish(subject: string, data: unknown): void {
    this.publishBytes(subject, encode(data));
  }

  publishBytes(subject: string, payload: Uint8Array): void {
    if (this.nc.isClosed()) {
      throw new ClosedError(`cannot publish on ${subject}: the bus is closed`);
    }
    assertPublishSubject(subject);
    this.checkSize(subject, payload);
    this.nc.publish(subject, payload);
  }

  subscribe<T = unknown>(
    subject: string,
    handler: MessageHandler<T>,
    options: SubscribeOptions = {},
  ): Subscription {
    const dispatch = messageDispatch(this.log, handler as MessageHandler, this.track);
    return this.add(subject, options.queue, dispatch);
  }

  serve<Req = unknown, Res = unknown>(
    subject: string,
    handler: RequestHandler<Req, Res>,
    options: SubscribeOptions = {},
  ): Subscription {
    const dispatch = requestDispatch(
      encode,
      this.maxPayload,
      this.log,
      handler as RequestHandler,
      this.respond,
      this.track,
    );
    return this.add(subject, options.queue, dispatch);
  }

  request<Res = unknown, Req = unknown>(
    subject: string,
    data: Req,
    options: RequestOptions = {},
  ): Promise<Res> {
    // Not async: the reply's promise is returned as it is, without an extra hop to resolve it.
    try {
      if (this.nc.isClosed() || this.draining !== undefined) {
        throw new ClosedError(`cannot request on ${subject}: the bus is closed or draining`);
      }
      assertPublishSubject(subject);
      const payload = encode(data);
      this.checkSize(subject, payload);
      const timeout = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      return this.requests.request(subject, payload, timeout) as Promise<Res>;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async flush(): Promise<void> {
    try {
      await this.nc.flush();
    } catch (err) {
      throw fromNatsError(err, "flush", this.user);
    }
  }

  drain(): Promise<void> {
    if (this.nc.isClosed()) return Promise.resolve();
    this.draining ??= this.runDrain();
    return this.draining;
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
    this.requests.close();
    this.emitClosed();
  }

  onStatus(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The underlying nats.js connection, for JetStream and KV clients built on the same socket. */
  get connection(): NatsConnection {
    return this.nc;
  }

  private async runDrain(): Promise<void> {
    this.emit({ type: "draining" });
    // Our subscriptions first, so every message already sent to them is handled, then the
    // handlers' async work (replies still go out), then the connection itself.
    await Promise.allSettled([...this.subscriptions].map((s) => s.drain()));
    do {
      await Promise.allSettled([...this.inFlight]);
    } while (this.inFlight.size > 0);
    if (!this.nc.isClosed()) await this.nc.drain();
    this.emitClosed();
  }

  private add(subject: string, queue: string | undefined, dispatch: Dispatch): Subscription {
    if (this.nc.isClosed() || this.draining !== undefined) {
      throw new ClosedError(`cannot subscribe to ${subject}: the bus is closed or draining`);
    }
    assertSubscribeSubject(subject);
    const sub = this.nc.subscribe(subject, {
      ...(queue === undefined ? {} : { queue }),
      callback: (err, msg) => {
        if (err) {
          // A refused subscription is over: the server will never deliver on it.
          const error =
            err instanceof nats.PermissionViolationError ? permissionDenied(err, this.user) : err;
          this.log.error({ subject, err: error }, "subscription error");
          return;
        }
        dispatch(msg.subject, msg.data, msg.reply);
      },
    });
    this.subscriptions.add(sub);
    void sub.closed.then(
      () => this.subscriptions.delete(sub),
      () => this.subscriptions.delete(sub),
    );
    return { subject, unsubscribe: () => sub.unsubscribe() };
  }

  private readonly respond = (reply: string, answer: Reply): void => {
    if (answer.isError) {
      const h = headers();
      h.set(ERROR_HEADER, "1");
      this.nc.publish(reply, answer.payload, { headers: h });
    } else {
      this.nc.publish(reply, answer.payload);
    }
    // The requester is waiting: the reply leaves now, not after the microtasks queued before it.
    flushNow(this.nc);
  };

  private checkSize(subject: string, payload: Uint8Array): void {
    const limit = this.maxPayload;
    if (payload.length > limit) {
      throw new PayloadTooLargeError(
        `payload on ${subject} is ${payload.length} bytes; the server's limit is ${limit}`,
      );
    }
  }

  private readonly track = (work: Promise<unknown>): void => {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  };

  private async pumpStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      // nats.js reports a refused publish here only: a request waiting on that subject fails.
      if (s.type === "error" && s.error instanceof nats.PermissionViolationError) {
        this.requests.refused(s.error);
      }
      const status = toBusStatus(s, this.user);
      if (status === undefined || status.type === "closed") continue;
      if (status.type === "error") this.log.warn({ err: status.error }, "bus error");
      else this.log.info({ status: status.type }, "bus status");
      this.emit(status);
    }
  }

  private emitClosed(): void {
    if (this.closedEmitted) return;
    this.closedEmitted = true;
    this.emit({ type: "closed" });
  }

  private emit(status: BusStatus): void {
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (err) {
        this.log.error({ err, status: status.type }, "a bus status listener threw");
      }
    }
  }
}
