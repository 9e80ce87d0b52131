/**
 * LocalBus: the in-process bus, crypy's embedded default. It is a *connection* to a LocalHub; by
 * default each LocalBus gets a private hub, and several LocalBus instances given the same hub
 * talk to each other as NATS clients of one server would. It encodes and decodes every payload,
 * so what crosses it is exactly what would cross NATS.
 */
import {
  ClosedError,
  errorFromWire,
  NoRespondersError,
  PayloadTooLargeError,
  TimeoutError,
} from "../../domain/errors.js";
import { childLogger, type Logger } from "../../log/logger.js";
import {
  type Bus,
  type BusStatus,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type MessageHandler,
  type RequestHandler,
  type RequestOptions,
  type StatusListener,
  type SubscribeOptions,
  type Subscription,
} from "../bus.js";
import { byteLength, decode, encodeText, exceedsBytes, type Payload } from "../codec.js";
import { type Dispatch, messageDispatch, requestDispatch } from "../dispatch.js";
import { assertPublishSubject, assertSubscribeSubject } from "../subjects.js";
import { LocalHub, type Member } from "./hub.js";

export interface LocalBusOptions {
  /** Share a hub to connect several LocalBus instances; default: a private hub. */
  hub?: LocalHub;
  maxPayload?: number;
  logger?: Logger;
}

let connections = 0;

class LocalSubscription implements Member, Subscription {
  active = true;
  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
    private readonly dispatch: Dispatch,
    private readonly owner: LocalBus,
  ) {}

  deliver(subject: string, payload: Payload, reply: string | undefined): void {
    this.dispatch(subject, payload, reply);
  }

  unsubscribe(): void {
    this.owner.release(this);
  }
}

export class LocalBus implements Bus {
  readonly kind = "local" as const;
  readonly maxPayload: number;
  readonly hub: LocalHub;
  private readonly log: Logger;
  private readonly inboxPrefix: string;
  private inboxSeq = 0;
  private readonly subscriptions = new Set<LocalSubscription>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pendingRequests = new Map<string, (err: Error) => void>();
  private readonly listeners = new Set<StatusListener>();
  private state: "open" | "draining" | "closed" = "open";
  private drained: Promise<void> | undefined;

  constructor(options: LocalBusOptions = {}) {
    this.hub = options.hub ?? new LocalHub();
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.log = options.logger ?? childLogger("bus", { bus: "local" });
    this.inboxPrefix = `_INBOX.local${++connections}.`;
  }

  get isClosed(): boolean {
    return this.state === "closed";
  }

  publish(subject: string, data: unknown): void {
    this.send(subject, encodeText(data));
  }

  publishBytes(subject: string, payload: Uint8Array): void {
    this.send(subject, payload);
  }

  private send(subject: string, payload: Payload): void {
    if (this.state === "closed")
      throw new ClosedError(`cannot publish on ${subject}: the bus is closed`);
    assertPublishSubject(subject);
    this.checkSize(subject, payload);
    this.hub.route(subject, payload, undefined, false);
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
      encodeText,
      this.maxPayload,
      this.log,
      handler as RequestHandler,
      (reply, answer) => this.hub.route(reply, answer.payload, undefined, answer.isError),
      this.track,
    );
    return this.add(subject, options.queue, dispatch);
  }

  request<Res = unknown, Req = unknown>(
    subject: string,
    data: Req,
    options: RequestOptions = {},
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.state !== "open") {
        reject(new ClosedError(`cannot request on ${subject}: the bus is ${this.state}`));
        return;
      }
      const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const inbox = this.inboxPrefix + ++this.inboxSeq;
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        clearTimeout(timer);
        this.hub.removeInbox(inbox);
        this.pendingRequests.delete(inbox);
      };
      try {
        assertPublishSubject(subject);
        const payload = encodeText(data);
        this.checkSize(subject, payload);
        this.pendingRequests.set(inbox, (err) => {
          settle();
          reject(err);
        });
        this.hub.addInbox(inbox, {
          active: true,
          deliver: (_subject, answer, _reply, isError) => {
            settle();
            try {
              const decoded = decode(answer);
              if (isError) reject(errorFromWire(decoded));
              else resolve(decoded as Res);
            } catch (err) {
              reject(err);
            }
          },
        });
        if (this.hub.route(subject, payload, inbox, false) === 0) {
          settle();
          reject(new NoRespondersError(`no responders for ${subject}`));
          return;
        }
        timer = setTimeout(() => {
          settle();
          reject(new TimeoutError(`request on ${subject} got no reply within ${timeoutMs} ms`));
        }, timeoutMs);
      } catch (err) {
        settle();
        reject(err);
      }
    });
  }

  flush(): Promise<void> {
    return this.hub.idle();
  }

  drain(): Promise<void> {
    if (this.state === "closed") return Promise.resolve();
    this.drained ??= this.runDrain();
    return this.drained;
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    for (const sub of this.subscriptions) this.deactivate(sub);
    this.subscriptions.clear();
    for (const [inbox, fail] of [...this.pendingRequests]) {
      fail(new ClosedError(`request abandoned: the bus closed (${inbox})`));
    }
    this.emit({ type: "closed" });
  }

  onStatus(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal called by LocalSubscription.unsubscribe */
  release(sub: LocalSubscription): void {
    this.deactivate(sub);
    this.subscriptions.delete(sub);
  }

  private async runDrain(): Promise<void> {
    this.state = "draining";
    this.emit({ type: "draining" });
    // Stop routing to our subscriptions, but let what is already queued for them be delivered.
    for (const sub of this.subscriptions) this.hub.remove(sub);
    do {
      await this.hub.idle();
      await Promise.allSettled([...this.inFlight]);
    } while (this.inFlight.size > 0);
    await this.close();
  }

  private add(subject: string, queue: string | undefined, dispatch: Dispatch): Subscription {
    if (this.state !== "open") {
      throw new ClosedError(`cannot subscribe to ${subject}: the bus is ${this.state}`);
    }
    assertSubscribeSubject(subject);
    const sub = new LocalSubscription(subject, queue, dispatch, this);
    this.subscriptions.add(sub);
    this.hub.add(sub);
    return sub;
  }

  private deactivate(sub: LocalSubscription): void {
    if (!sub.active) return;
    sub.active = false;
    this.hub.remove(sub);
  }

  private checkSize(subject: string, payload: Payload): void {
    if (exceedsBytes(payload, this.maxPayload)) {
      throw new PayloadTooLargeError(
        `payload on ${subject} is ${byteLength(payload)} bytes; the limit is ${this.maxPayload}`,
      );
    }
  }

  private readonly track = (work: Promise<unknown>): void => {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  };

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
