/**
 * What every actor has, whatever its kind: an id, a lifecycle (an xstate machine, read through
 * `state`), a control endpoint on the bus (`crypy.ctl.<actor>`: status and the kind's commands),
 * heartbeats (`crypy.sys.hb.<actor>`), and events for people (`crypy.sys.event.<actor>`).
 *
 * A failing command or handler never takes the actor down: it answers with the error, logs it, and
 * carries on; a failure of the actor itself moves its machine to a failed state its parent sees.
 */
import { hostname } from "node:os";
import type { Bus, Subscription } from "../../bus/bus.js";
import { actorEvent, control, heartbeat } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { Logger } from "../../log/logger.js";
import type { Clock, TimerHandle } from "../../time/clock.js";

export interface ActorEnv {
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** Heartbeat period in this clock's ms; 0 turns heartbeats off (backtests). Default 5000. */
  heartbeatMs?: number;
}

export type ActorKind = "desk" | "holder" | "trader";

/** An actor event as published for people and tools: `{ts, actor, event, ...}`. */
export interface ActorEvent {
  ts: number;
  actor: string;
  event: string;
  [field: string]: unknown;
}

export type Command = (args: readonly string[]) => unknown;

export abstract class Actor {
  private readonly subscriptions: Subscription[] = [];
  /** Messages off the hot path (events, reports), published together once per turn. */
  private readonly pending: { subject: string; payload: unknown; what: string }[] = [];
  private pendingScheduled = false;
  private heartbeatTimer: TimerHandle | undefined;
  protected readonly log: Logger;

  constructor(
    readonly id: string,
    readonly kind: ActorKind,
    protected readonly env: ActorEnv,
  ) {
    this.log = env.log.child({ actor: id, kind });
  }

  /** The lifecycle state (the machine's), e.g. "active", "inPosition". */
  abstract get state(): string;

  /** What `status` answers. */
  protected abstract status(): Record<string, unknown>;

  /** The kind's own control commands, by name. */
  protected commands(): Record<string, Command> {
    return {};
  }

  protected get bus(): Bus {
    return this.env.bus;
  }

  protected get clock(): Clock {
    return this.env.clock;
  }

  /** Serves control requests and starts heartbeats; subclasses then start their own work. */
  protected startActor(): void {
    this.subscriptions.push(
      this.bus.serve<{ command?: unknown; args?: unknown }>(control(this.id), (request) =>
        this.control(request),
      ),
    );
    this.beat();
    this.emit("actor.started", { kind: this.kind });
  }

  /** Handles one control request: `{command: "status" | <kind's command>, args?: string[]}`. */
  async control(request: { command?: unknown; args?: unknown }): Promise<unknown> {
    const name = typeof request?.command === "string" ? request.command : "";
    const args = Array.isArray(request.args) ? request.args.map(String) : [];
    if (name === "status")
      return { id: this.id, kind: this.kind, state: this.state, ...this.status() };
    const command = this.commands()[name];
    if (command === undefined) {
      const known = ["status", ...Object.keys(this.commands())].join(", ");
      throw new InvalidInputError(
        `${this.id} has no command ${JSON.stringify(name)} (commands: ${known})`,
      );
    }
    return command(args);
  }

  /** Keeps a subscription to close on stop. */
  protected keep(subscription: Subscription): Subscription {
    this.subscriptions.push(subscription);
    return subscription;
  }

  /**
   * Events for people leave the hot path: they are queued and published together once per turn
   * of the event loop, in the order they happened (timestamped when they happened).
   */
  protected emit(event: string, fields: Record<string, unknown> = {}): void {
    const payload: ActorEvent = { ts: this.clock.now(), actor: this.id, event, ...fields };
    this.publishSoon(actorEvent(this.id), payload, event);
  }

  /**
   * Publishes `payload` at the end of this turn of the event loop (setImmediate), after what is on
   * the hot path (a reply the requester waits on) has gone out, in order with the actor's events.
   * Only the sending waits: the actor's state is already updated when this is called.
   */
  protected publishSoon(subject: string, payload: unknown, what = subject): void {
    this.pending.push({ subject, payload, what });
    if (!this.pendingScheduled) {
      this.pendingScheduled = true;
      setImmediate(() => this.flushPending());
    }
  }

  private flushPending(): void {
    this.pendingScheduled = false;
    for (const { subject, payload, what } of this.pending.splice(0)) {
      try {
        this.bus.publish(subject, payload);
      } catch (err) {
        this.log.warn({ err, what }, "could not publish an actor message");
      }
    }
  }

  private beat(): void {
    const every = this.env.heartbeatMs ?? 5_000;
    if (every <= 0 || this.bus.isClosed) return;
    try {
      this.bus.publish(heartbeat(this.id), {
        id: this.id,
        kind: this.kind,
        state: this.state,
        pid: process.pid,
        host: hostname(),
        ts: this.clock.now(),
      });
    } catch (err) {
      this.log.warn({ err }, "heartbeat not sent");
    }
    this.heartbeatTimer = this.clock.setTimeout(() => this.beat(), every);
  }

  /** Stops heartbeats and control; subclasses stop their own work first. */
  protected stopActor(): void {
    this.flushPending();
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
  }
}
