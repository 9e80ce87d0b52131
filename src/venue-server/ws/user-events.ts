/**
 * The user data stream's source: the simulator's order, fill and balance events, turned into each
 * account's `executionReport`s and `outboundAccountPosition`s for whoever subscribed to it (a
 * WebSocket API subscription or a listen key).
 *
 * The simulator publishes one change (an order placed, a path step that filled resting orders) as
 * a burst of synchronous events: the orders' new states, then the fills, then the balances. The
 * burst is gathered and reported once it ends, as Binance reports one execution at a time: an order
 * not seen before first as NEW, then one TRADE per fill with the cumulative quantities after that
 * fill, then CANCELED, EXPIRED or REJECTED if that is where it ended; an order refused outright
 * (rejected before it was ever reported) is not reported, as Binance answers the request instead.
 * What each report looks like is the stream's (`UserPayloads`): spot's executionReport and
 * outboundAccountPosition (SpotPayloads: spot orders only; an account position lists only the
 * assets whose balance differs from the last one reported), or USDⓈ-M's ORDER_TRADE_UPDATE and
 * ACCOUNT_UPDATE (ws/futures-payloads.ts: contract orders only).
 *
 * Nothing listens to the simulator while nobody is subscribed.
 */
import type { Balances } from "../../domain/balance.js";
import type { Fill } from "../../domain/fill.js";
import type { Order } from "../../domain/order.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { SimEvent, Simulator } from "../../sim/simulator.js";
import { STATUSES } from "../binance-account.js";
import { STP_MODES } from "../binance-spot.js";
import {
  accountPosition,
  addDecimal,
  type Execution,
  type ExecutionType,
  executionReport,
} from "./user-payloads.js";

export type UserSink = (event: object) => void;

/** The shapes of one user data stream's reports. */
export interface UserPayloads {
  /** Whether this stream reports the orders of `symbol`. */
  covers(symbol: string): boolean;
  execution(time: number, order: Order, e: Execution): object;
  /** Forgets what was reported (the stream starts again). */
  reset(): void;
  /**
   * The event after a burst that moved `account`'s money (`symbols`: the covered markets whose
   * orders changed in it; `orders`: whether any of its orders changed, covered or not), or
   * undefined when there is nothing new to tell.
   */
  account(
    account: string,
    time: number,
    symbols: ReadonlySet<string>,
    orders: boolean,
  ): object | undefined;
}

/** Binance spot's reports: spot orders, and the balances that changed. */
export class SpotPayloads implements UserPayloads {
  private readonly reported = new Map<string, Balances>();

  constructor(
    private readonly sim: Simulator,
    private readonly config: VenueConfig,
  ) {}

  covers(symbol: string): boolean {
    return this.config.markets[symbol]?.kind === "spot";
  }

  execution(time: number, order: Order, e: Execution): object {
    return executionReport(time, order, e, STP_MODES[this.config.selfTradePrevention]);
  }

  reset(): void {
    this.reported.clear();
    for (const account of Object.keys(this.config.accounts)) {
      this.reported.set(account, this.sim.balances(account));
    }
  }

  account(account: string, time: number): object | undefined {
    const now = this.sim.balances(account);
    const before = this.reported.get(account) ?? {};
    this.reported.set(account, now);
    const changed = Object.entries(now).filter(([asset, b]) => {
      const was = before[asset];
      return was === undefined || was.free !== b.free || was.used !== b.used;
    });
    return changed.length > 0 ? accountPosition(time, changed) : undefined;
  }
}

export class UserEvents {
  private readonly sinks = new Map<string, Set<UserSink>>();
  private detach: (() => void) | undefined;
  private burst: SimEvent[] = [];
  /** Orders reported and still open: a later fill of one is not NEW. */
  private readonly working = new Set<string>();
  private executionId = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly config: VenueConfig,
    private readonly payloads: UserPayloads = new SpotPayloads(sim, config),
  ) {}

  /** Sends `account`'s events to `sink`; returns a function that stops them. */
  subscribe(account: string, sink: UserSink): () => void {
    if (this.detach === undefined) this.activate();
    let set = this.sinks.get(account);
    if (set === undefined) {
      set = new Set();
      this.sinks.set(account, set);
    }
    set.add(sink);
    return () => {
      set.delete(sink);
      if (set.size === 0) this.sinks.delete(account);
      if (this.sinks.size === 0) this.close();
    };
  }

  close(): void {
    this.detach?.();
    this.detach = undefined;
    this.sinks.clear();
    this.burst = [];
  }

  private activate(): void {
    this.working.clear();
    this.payloads.reset();
    for (const account of Object.keys(this.config.accounts)) {
      for (const o of this.sim.openOrders(account)) this.working.add(o.id);
    }
    this.detach = this.sim.on((event) => {
      if (event.type !== "order" && event.type !== "fill" && event.type !== "balance") return;
      if (this.burst.length === 0) queueMicrotask(() => this.report());
      this.burst.push(event);
    });
  }

  private report(): void {
    const burst = this.burst;
    this.burst = [];
    const time = this.sim.clock.now();
    const orders = new Map<string, Order>();
    const fills = new Map<string, Fill[]>();
    /** Accounts whose money moved, and when the simulator moved it. */
    const accounts = new Map<string, number>();
    for (const event of burst) {
      if (event.type === "order") orders.set(event.order.id, event.order);
      else if (event.type === "fill") {
        const list = fills.get(event.fill.orderId) ?? [];
        list.push(event.fill);
        fills.set(event.fill.orderId, list);
      } else if (event.type === "balance") accounts.set(event.account, event.time);
    }
    const owner = new Map<string, string>();
    for (const event of burst) if (event.type === "order") owner.set(event.order.id, event.account);
    const symbols = new Map<string, Set<string>>();
    const ordered = new Set(owner.values());
    for (const [id, order] of orders) {
      if (!this.payloads.covers(order.symbol)) continue;
      const account = owner.get(id)!;
      const touched = symbols.get(account) ?? new Set<string>();
      touched.add(order.symbol);
      symbols.set(account, touched);
      for (const e of this.executions(order, fills.get(id) ?? [])) {
        this.send(account, this.payloads.execution(time, order, e));
      }
    }
    for (const [account, at] of accounts) {
      const touched = symbols.get(account) ?? new Set<string>();
      const event = this.payloads.account(account, at, touched, ordered.has(account));
      if (event !== undefined) this.send(account, event);
    }
  }

  /** The executions one burst made of `order`, in Binance's order. */
  private executions(order: Order, fills: Fill[]): Execution[] {
    const seen = this.working.has(order.id);
    if (order.status === "open") this.working.add(order.id);
    else this.working.delete(order.id);
    if (!seen && order.status === "rejected") return [];
    // The quantities before this burst's fills: the order's totals less what they added.
    let filled = order.filled;
    let cost = order.cost;
    for (const f of fills) {
      filled = addDecimal(filled, f.amount, -1);
      cost = addDecimal(cost, f.cost, -1);
    }
    const out: Execution[] = [];
    const next = (type: ExecutionType, status: string, fill?: Fill): void => {
      out.push({
        type,
        status,
        filled,
        cost,
        executionId: ++this.executionId,
        ...(fill ? { fill } : {}),
      });
    };
    if (!seen) next("NEW", "NEW");
    fills.forEach((fill, i) => {
      filled = addDecimal(filled, fill.amount);
      cost = addDecimal(cost, fill.cost);
      const done = i === fills.length - 1 && order.status === "closed";
      next("TRADE", done ? "FILLED" : "PARTIALLY_FILLED", fill);
    });
    if (order.status === "canceled" || order.status === "expired" || order.status === "rejected") {
      const type =
        order.status === "canceled"
          ? "CANCELED"
          : order.status === "expired"
            ? "EXPIRED"
            : "REJECTED";
      next(type, STATUSES[order.status]);
    }
    return out;
  }

  private send(account: string, event: object): void {
    for (const sink of this.sinks.get(account) ?? []) sink(event);
  }
}
