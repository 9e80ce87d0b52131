/**
 * NatsBus's request/reply: one wildcard inbox subscription per connection
 * (`<inboxPrefix>.<nuid>.*`, made on the first request), each request published with a reply
 * subject of its own token under it, and a table of the requests still waiting.
 *
 * Why not nats.js's `nc.request`: on every successful request it cancels its own bookkeeping by
 * building a `RequestError("cancelled")` (an Error with a stack trace, tens of µs) and keeps a
 * deferred, a race and a timeout helper per request. An order's round trip pays all of that.
 *
 * What it keeps of nats.js's behaviour, so the Bus contract holds:
 * - an empty reply with status 503 is the server saying nobody serves the subject;
 * - a refused inbox subscription fails every waiting request (and the next request subscribes
 *   again, as nats.js recreates its own inbox);
 * - a refused publish fails the oldest waiting request on that subject (`refused`, fed from the
 *   connection's status stream, where nats.js reports it);
 * - a closed connection fails every waiting request (ClosedError).
 */
import {
  createInbox,
  type NatsConnection,
  type Msg as NatsMsg,
  errors as nats,
} from "@nats-io/transport-node";
import {
  ClosedError,
  type CrypyError,
  errorFromWire,
  NoRespondersError,
  TimeoutError,
} from "../../domain/errors.js";
import { ERROR_HEADER } from "../bus.js";
import { decode } from "../codec.js";
import { flushNow } from "./flush-now.js";
import { fromNatsError, permissionDenied } from "./nats-errors.js";

/** The status a NATS server answers a request with when no subscriber could take it. */
const NO_RESPONDERS = 503;
/** setTimeout's longest delay (2^31 - 1 ms, ~24.8 days). */
const LONGEST_MS = 2_147_483_647;

class Pending {
  constructor(
    readonly subject: string,
    /** performance.now() by which a reply must have come. */
    readonly deadline: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (err: Error) => void,
  ) {}
}

export class NatsRequests {
  /** `<inbox>.` while the inbox subscription lives; undefined before the first request. */
  #base: string | undefined;
  #next = 0;
  readonly #pending = new Map<string, Pending>();
  /**
   * One timer for every waiting request, due at the earliest deadline it was set for: a request
   * answered in time costs no timer of its own (Node's timer lists cost µs per set and clear).
   */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly nc: NatsConnection,
    /** The credentials' inbox prefix (the only inbox the server lets this user read). */
    private readonly inboxPrefix: string | undefined,
    /** Who this connection is, named in permission errors. */
    private readonly user: string | undefined,
  ) {}

  /** Publishes `payload` on `subject` with a reply subject; resolves with the decoded reply. */
  request(subject: string, payload: Uint8Array, timeoutMs: number): Promise<unknown> {
    const base = this.#base ?? this.#subscribe();
    const token = (++this.#next).toString(36);
    // Not a positive number: due at once, as setTimeout would have it (LocalBus); no timer
    // beyond setTimeout's longest either.
    const deadline = performance.now() + (timeoutMs > 0 ? Math.min(timeoutMs, LONGEST_MS) : 0);
    let pending: Pending | undefined;
    const reply = new Promise<unknown>((resolve, reject) => {
      pending = new Pending(subject, deadline, resolve, reject);
    });
    this.#pending.set(token, pending!);
    if (deadline < this.#timerAt) this.#wake(deadline, deadline - performance.now());
    try {
      this.nc.publish(subject, payload, { reply: base + token });
    } catch (err) {
      this.#fail(token, fromNatsError(err, subject, this.user));
      return reply;
    }
    // Someone waits for the answer: the request (and a first inbox subscription) leaves now.
    flushNow(this.nc);
    return reply;
  }

  /** The server refused a publish: the oldest request waiting on that subject fails with it. */
  refused(err: InstanceType<typeof nats.PermissionViolationError>): void {
    if (err.operation !== "publish") return;
    for (const [token, p] of this.#pending) {
      if (p.subject === err.subject) {
        this.#fail(token, permissionDenied(err, this.user));
        return;
      }
    }
  }

  /** The connection is closed: nothing waiting will be answered. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    for (const [token, p] of this.#pending) {
      this.#fail(token, new ClosedError(`request on ${p.subject}: the bus closed before a reply`));
    }
  }

  /** Requests still waiting for their reply. */
  get waiting(): number {
    return this.#pending.size;
  }

  /** Fails the request `token` with `err`, if it is still waiting. */
  #fail(token: string, err: Error): void {
    const p = this.#pending.get(token);
    if (p === undefined) return;
    this.#pending.delete(token);
    p.reject(err);
  }

  #subscribe(): string {
    const base = `${createInbox(this.inboxPrefix)}.`;
    this.#base = base;
    this.nc.subscribe(`${base}*`, { callback: this.#onReply });
    return base;
  }

  readonly #onReply = (err: Error | null, msg: NatsMsg): void => {
    if (err !== null) {
      this.#lostInbox(err);
      return;
    }
    const base = this.#base;
    const subject = msg.subject;
    if (base === undefined || !subject.startsWith(base)) return;
    const token = subject.slice(base.length);
    const p = this.#pending.get(token);
    // A reply after its request timed out (or a second one): nobody is waiting for it.
    if (p === undefined) return;
    this.#pending.delete(token);
    const data = msg.data;
    if (data.length === 0 && msg.headers?.code === NO_RESPONDERS) {
      p.reject(new NoRespondersError(`no responders for ${p.subject}`));
      return;
    }
    let decoded: unknown;
    try {
      decoded = decode(data);
    } catch (failure) {
      p.reject(failure as Error);
      return;
    }
    if (msg.headers?.has(ERROR_HEADER)) p.reject(errorFromWire(decoded));
    else p.resolve(decoded);
  };

  /** The inbox subscription failed (the server refused it): every waiting request fails. */
  #lostInbox(err: Error): void {
    this.#base = undefined;
    for (const [token, p] of this.#pending) {
      const error: CrypyError =
        err instanceof nats.PermissionViolationError
          ? permissionDenied(err, this.user)
          : fromNatsError(err, p.subject, this.user);
      this.#fail(token, error);
    }
  }

  /** (Re)sets the timer for `at`, `inMs` from now. */
  #wake(at: number, inMs: number): void {
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(inMs)));
  }

  /** Fails the requests past their deadline; the timer waits for the earliest of the rest. */
  readonly #sweep = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [token, p] of this.#pending) {
      if (p.deadline <= now) {
        this.#fail(token, new TimeoutError(`request on ${p.subject} got no reply in time`));
      } else if (p.deadline < next) next = p.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#wake(next, next - now);
  };
}
