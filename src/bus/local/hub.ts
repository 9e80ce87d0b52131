/**
 * LocalHub is the in-process "server": it routes published payloads to subscriptions of every
 * LocalBus connected to it, like nats-server routes between connections.
 *
 * Invariants:
 * - Delivery happens in a later macrotask (setImmediate), never inside publish, and in one global
 *   FIFO, so messages from one publisher reach each subscription in publish order.
 * - Each batch delivers only what was queued before it started: a handler that publishes in a
 *   loop cannot starve I/O or timers.
 * - A queue group gets each message once, round-robin across its members.
 * - Routing results are cached per subject and the cache is dropped on every (un)subscribe.
 */
import type { Payload } from "../codec.js";
import { SubjectIndex } from "./subject-index.js";

export interface Target {
  /** False once unsubscribed or closed: deliveries already queued for it are dropped. */
  readonly active: boolean;
  deliver(subject: string, payload: Payload, reply: string | undefined, isError: boolean): void;
}

export interface Member extends Target {
  readonly subject: string;
  readonly queue: string | undefined;
}

interface Route {
  plain: Member[];
  groups: Member[][];
  cursors: number[];
}

/**
 * One message for its targets: one entry per message, not per target, so a message fanned out to
 * thousands of subscribers queues one object (a route's member list is never mutated once built:
 * (un)subscribing builds new ones). What waits in the queue survives young-generation collections
 * and is promoted; an entry per target made a burst of messages old-generation garbage.
 */
interface Delivery {
  targets: readonly Target[];
  subject: string;
  payload: Payload;
  reply: string | undefined;
  isError: boolean;
}

const ROUTE_CACHE_LIMIT = 10_000;

export class LocalHub {
  private readonly index = new SubjectIndex<Member>();
  private readonly routes = new Map<string, Route>();
  private readonly inboxes = new Map<string, Target>();
  private queue: Delivery[] = [];
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  add(member: Member): void {
    this.index.add(member.subject, member);
    this.routes.clear();
  }

  remove(member: Member): void {
    this.index.remove(member.subject, member);
    this.routes.clear();
  }

  /** Reply subjects of pending requests bypass the index: they are unique and short-lived. */
  addInbox(subject: string, target: Target): void {
    this.inboxes.set(subject, target);
  }

  removeInbox(subject: string): void {
    this.inboxes.delete(subject);
  }

  /** Queues the payload for every matching target; returns how many will get it. */
  route(subject: string, payload: Payload, reply: string | undefined, isError: boolean): number {
    if (this.inboxes.size > 0) {
      const inbox = this.inboxes.get(subject);
      if (inbox !== undefined) {
        this.enqueue([inbox], subject, payload, reply, isError);
        return 1;
      }
    }
    const route = this.routes.get(subject) ?? this.buildRoute(subject);
    if (route.plain.length > 0) this.enqueue(route.plain, subject, payload, reply, isError);
    for (let g = 0; g < route.groups.length; g++) {
      const group = route.groups[g]!;
      const cursor = route.cursors[g]!;
      route.cursors[g] = (cursor + 1) % group.length;
      this.enqueue([group[cursor]!], subject, payload, reply, isError);
    }
    return route.plain.length + route.groups.length;
  }

  /** Resolves once every queued delivery has been made. */
  idle(): Promise<void> {
    if (!this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private buildRoute(subject: string): Route {
    const plain: Member[] = [];
    const byGroup = new Map<string, Member[]>();
    for (const member of this.index.match(subject)) {
      if (member.queue === undefined) plain.push(member);
      else {
        const group = byGroup.get(member.queue);
        if (group === undefined) byGroup.set(member.queue, [member]);
        else group.push(member);
      }
    }
    const groups = [...byGroup.values()];
    const route: Route = { plain, groups, cursors: groups.map(() => 0) };
    if (this.routes.size >= ROUTE_CACHE_LIMIT) this.routes.clear();
    this.routes.set(subject, route);
    return route;
  }

  private enqueue(
    targets: readonly Target[],
    subject: string,
    payload: Payload,
    reply: string | undefined,
    isError: boolean,
  ): void {
    this.queue.push({ targets, subject, payload, reply, isError });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const d of batch) {
      const targets = d.targets;
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i]!;
        if (target.active) target.deliver(d.subject, d.payload, d.reply, d.isError);
      }
    }
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(this.run);
    } else if (this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };
}
