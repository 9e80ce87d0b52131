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
import { errorFromWire, InvalidInputError } from "../../domain/errors.js";
import type { Logger, LogLevel } from "../../log/logger.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { commonCommands } from "../commands/common.js";
import { CommandSet, outcomeText } from "../commands/interpreter.js";
import { type OperatorGate, UNAUTHENTICATED } from "../commands/operator.js";
import { render } from "../commands/render.js";
import type { Settings } from "../commands/settings.js";
import type { AuditSink, Caller, CommandOutcome, CommandSpec } from "../commands/types.js";

export interface ActorEnv {
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** Heartbeat period in this clock's ms; 0 turns heartbeats off (backtests). Default 5000. */
  heartbeatMs?: number;
  /** Opens each actor's telnet endpoint and keeps the audit log; none: bus control only. */
  control?: ControlHost;
}

/**
 * Where actors get their own control endpoint, the audit log and the operators they trust
 * (src/control/plane.ts implements it all; a test may give only some).
 */
export interface ControlHost {
  /** Opens `actor`'s endpoint; resolves with its address, "host:port". None: bus control only. */
  open?(actor: Actor): Promise<string>;
  /** Closes `actor`'s endpoint, if it has one. */
  close?(actor: Actor): void;
  /** Where mutating commands are recorded, from any door (telnet or bus). */
  readonly audit?: AuditSink;
  /** Who a bus control request speaks for. None: nobody on the bus is an operator. */
  readonly operators?: OperatorGate;
}

/**
 * A control request on the bus: a whole line (answered as an outcome with text), or a command.
 * Everything in it is the sender's claim: only `auth`, an operator's signature over the request
 * (commands/operator.ts), makes it an operator's; otherwise it runs read-only.
 */
export interface ControlRequest {
  line?: unknown;
  /** A partial line to complete: answered with the candidates. */
  complete?: unknown;
  command?: unknown;
  args?: unknown;
  /** A signed request may ask for less than operator, never more. */
  role?: unknown;
  /** The sender's name for itself: recorded as a claim, never as who. */
  who?: unknown;
  auth?: unknown;
}

export type ControlReply = CommandOutcome & { text: string };

export type ActorKind = "desk" | "holder" | "trader" | "recorder";

/** An actor event as published for people and tools: `{ts, actor, event, ...}`. */
export interface ActorEvent {
  ts: number;
  actor: string;
  event: string;
  [field: string]: unknown;
}

export abstract class Actor {
  private readonly subscriptions: Subscription[] = [];
  /** Messages off the hot path (events, reports), published together once per turn. */
  private readonly pending: { subject: string; payload: unknown; what: string }[] = [];
  private pendingScheduled = false;
  private heartbeatTimer: TimerHandle | undefined;
  private commandSetCache: CommandSet | undefined;
  private paused_ = false;
  /** "host:port" of this actor's telnet endpoint, once open. */
  private controlAddress: string | undefined;
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

  /** The kind's own control commands (a name shared with a common command replaces it). */
  protected commands(): CommandSpec[] {
    return [];
  }

  /** What `get`/`set` reach: the kind's live settings, each checked by its template schema. */
  protected settings(): Settings {
    return {};
  }

  /** Paused: no new initiative (entries, spawns, automatic acceptances) until resumed. */
  get paused(): boolean {
    return this.paused_;
  }

  /** `pause`; a kind may do more (the Desk reduces), and must call this. */
  protected pause(): unknown {
    this.paused_ = true;
    this.emit("actor.paused");
    return { paused: true, state: this.state };
  }

  protected resume(): unknown {
    this.paused_ = false;
    this.emit("actor.resumed");
    return { paused: false, state: this.state };
  }

  /** Every command this actor answers: the common ones and its kind's. */
  get commandSet(): CommandSet {
    const self = this;
    if (this.commandSetCache === undefined) {
      this.commandSetCache = new CommandSet(
        this.id,
        [
          ...commonCommands({
            id: this.id,
            statusValue: () => this.statusValue(),
            settings: () => this.settings(),
            pause: () => this.pause(),
            resume: () => this.resume(),
            setLogLevel: (level: LogLevel) => {
              this.log.level = level;
            },
            get commandSet() {
              return self.commandSet;
            },
          }),
          ...this.commands(),
        ],
        this.env.control?.audit,
      );
    }
    return this.commandSetCache;
  }

  /** `status`: who, what and where, then the kind's own fields. */
  statusValue(): Record<string, unknown> {
    return {
      id: this.id,
      kind: this.kind,
      state: this.state,
      ...(this.paused_ ? { paused: true } : {}),
      ...this.status(),
    };
  }

  /** The telnet endpoint's address ("host:port"), once open. */
  get controlEndpoint(): string | undefined {
    return this.controlAddress;
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
      this.bus.serve<ControlRequest>(control(this.id), (request) => this.control(request)),
    );
    this.beat();
    this.emit("actor.started", { kind: this.kind });
    const host = this.env.control;
    if (host?.open !== undefined) {
      host.open(this).then(
        (address) => {
          this.controlAddress = address;
          if (this.actorStopped) host.close?.(this);
          else this.emit("actor.listening", { control: address });
        },
        (err: unknown) => this.log.error({ err }, "could not open the control endpoint"),
      );
    }
  }

  private actorStopped = false;

  /**
   * One control request from the bus. `{line}` is answered with the outcome and its text, never
   * an error (the dashboard and REPLs show either); `{command, args}` with the command's value, or
   * its error (tools and tests that want a value). The caller is whom the operator gate verified:
   * an unsigned request is `bus (unauthenticated)` and reads only.
   */
  async control(request: ControlRequest): Promise<unknown> {
    const r: ControlRequest = request !== null && typeof request === "object" ? request : {};
    if (typeof r.complete === "string") return this.commandSet.complete(r.complete);
    const caller = this.callerOf(r);
    if (typeof r.line === "string") {
      const outcome = await this.commandSet.line(r.line, caller);
      return { ...outcome, text: outcomeText(outcome, render) } satisfies ControlReply;
    }
    const name = typeof r.command === "string" ? r.command : "";
    const outcome = await this.commandSet.run(name, commandArgs(name, r.args), caller);
    if (!outcome.ok) throw errorFromWire({ code: outcome.code, message: outcome.message });
    return outcome.value;
  }

  private callerOf(request: ControlRequest): Caller {
    const gate = this.env.control?.operators;
    if (gate !== undefined) return gate.callerOf(this.id, request);
    return {
      who: UNAUTHENTICATED,
      role: "read",
      unverified: "this actor trusts no operator key on the bus",
      ...(typeof request.who === "string" && request.who !== ""
        ? { claims: request.who.slice(0, 120) }
        : {}),
    };
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
    // Stopping: what is still queued has nobody to reach.
    if (this.bus.isClosed) {
      this.pending.length = 0;
      return;
    }
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
        ...(this.controlAddress === undefined ? {} : { control: this.controlAddress }),
      });
    } catch (err) {
      this.log.warn({ err }, "heartbeat not sent");
    }
    this.heartbeatTimer = this.clock.setTimeout(() => this.beat(), every);
  }

  /** Stops heartbeats and control; subclasses stop their own work first. */
  protected stopActor(): void {
    this.actorStopped = true;
    if (this.controlAddress !== undefined) this.env.control?.close?.(this);
    this.flushPending();
    if (this.heartbeatTimer !== undefined) this.clock.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
  }
}

/**
 * A bus command's arguments are words, as typed on a command line: anything else is refused by
 * name rather than turned into text (`{}` would become "[object Object]").
 */
function commandArgs(command: string, args: unknown): string[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) {
    throw new InvalidInputError(
      `${command}: args must be a list of texts, got ${describeValue(args)}`,
    );
  }
  const bad = args.findIndex((arg) => typeof arg !== "string");
  if (bad >= 0) {
    throw new InvalidInputError(
      `${command}: argument ${bad + 1} must be a text, got ${describeValue(args[bad])}`,
    );
  }
  return args as string[];
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${String(value)} (a ${typeof value})`;
}
