/**
 * The gateway's book of its Traders' orders: who owns each, what each still holds in reserve, each
 * Trader's position per market, and which order states were already taken in (the same state
 * arrives in the venue's reply, on its order stream and in a cancel's answer).
 *
 * Invariants:
 * - A client order id is `<desk>-<market token>-<start>-<seq>`, its sequence counted per market
 *   and never reused in a Desk's life (the journal carries it across restarts), its start (the
 *   run's, in base-36 seconds) apart from any other run's, whose journal this one may not have.
 * - An order's reservation only shrinks: by what fills (taken from it) and by what is released.
 *   Once the order is closed, canceled, expired or rejected it reserves nothing.
 * - A Trader's base on offer (the unfilled closing part of its open sells) never exceeds the
 *   position it holds from its fills.
 */
import { marketToken } from "../../../domain/market.js";
import type { Order, Side } from "../../../domain/order.js";
import { PositionLedger, type PositionScales } from "../../../domain/position-ledger.js";

/** Order states remembered per order (enough for any duplicate to arrive). */
const HANDLED_LIMIT = 10_000;

export interface OwnedOrder {
  readonly clientOrderId: string;
  readonly trader: string;
  readonly market: string;
  readonly side: Side;
  /** The mandate whose budget this order draws on. */
  readonly nonce: string;
  /** The limit price sent (a market order's protective limit). */
  readonly price: string;
  /** Base asked for, minor units. */
  readonly amount: bigint;
  /** Base filled so far, minor units. */
  filled: bigint;
  /** Mandate budget still reserved for what has not filled, quote minor units. */
  budget: bigint;
  /** Base of the Trader's holding this sell still offers (its unfilled closing part). */
  closing: bigint;
  /** Base of this sell beyond the holding, unfilled (reserved on the budget). */
  excess: bigint;
  /** The last state taken in. */
  last: Order | undefined;
  done: boolean;
  /** Contract markets: it may only reduce the position, and reserves nothing. */
  readonly reduceOnly?: boolean;
  /** Contract markets: the leverage its margin was reserved at. */
  readonly leverage?: number;
  /** Contract markets: the price its margin was reserved at (its worst fill). */
  readonly marginPrice?: string;
}

/** A Trader's position on a market. */
export interface HeldPosition {
  readonly trader: string;
  readonly market: string;
  readonly position: PositionLedger;
}

export class OwnedOrders {
  readonly #desk: string;
  readonly #seq = new Map<string, number>();
  readonly #byClientId = new Map<string, OwnedOrder>();
  readonly #open = new Map<string, OwnedOrder>();
  /** By `trader\u0000market`; each entry names its trader and market, so listing splits nothing. */
  readonly #positions = new Map<string, HeldPosition>();
  /** `<desk>-<market token>-<start>-` by market: a client order id's prefix, built once per market. */
  readonly #idPrefix = new Map<string, string>();
  readonly #handled = new Map<string, string>();
  /** Client ids of finished orders, oldest first, from #doneHead on. */
  #done: string[] = [];
  #doneHead = 0;

  readonly #start: string;

  /**
   * `startedAt` (ms, the Desk's clock) marks every id this Desk run makes. A Desk with a fresh
   * journal (a new state directory, another machine) starts counting at 1 again on an account
   * that may already have used `<desk>-<market>-1`: the venue refuses a client id it has seen, and
   * a lost reply looked up by id would find the old order. A run's start, in seconds, keeps the
   * ids of two runs apart; the journal's orders keep the ids they were sent with.
   */
  constructor(desk: string, startedAt: number) {
    this.#desk = desk;
    this.#start = Math.floor(startedAt / 1000).toString(36);
  }

  /** The next client order id for `market`: deterministic for a given start. */
  nextClientId(market: string): string {
    const seq = (this.#seq.get(market) ?? 0) + 1;
    this.#seq.set(market, seq);
    let prefix = this.#idPrefix.get(market);
    if (prefix === undefined) {
      prefix = `${this.#desk}-${marketToken(market)}-${this.#start}-`;
      this.#idPrefix.set(market, prefix);
    }
    return prefix + seq;
  }

  /**
   * An order from the journal: owned again, and its market's sequence past its id's, so no client
   * order id is ever reused across restarts.
   */
  restore(order: OwnedOrder): void {
    const seq = Number(order.clientOrderId.slice(order.clientOrderId.lastIndexOf("-") + 1));
    if (Number.isSafeInteger(seq) && seq > (this.#seq.get(order.market) ?? 0))
      this.#seq.set(order.market, seq);
    this.add(order);
  }

  add(order: OwnedOrder): void {
    this.#byClientId.set(order.clientOrderId, order);
    this.#open.set(order.clientOrderId, order);
  }

  byClientId(clientOrderId: string): OwnedOrder | undefined {
    return this.#byClientId.get(clientOrderId);
  }

  /** The open order with venue id or client id `id` that `trader` owns. */
  openOf(trader: string, id: string): OwnedOrder | undefined {
    for (const o of this.#open.values()) {
      if (o.trader === trader && (o.last?.id === id || o.clientOrderId === id)) return o;
    }
    return undefined;
  }

  /** Orders not yet known to be over, each with its last state (if the venue answered yet). */
  open(): OwnedOrder[] {
    return [...this.#open.values()];
  }

  /** Every order still remembered, open or over, in the order they were placed. */
  remembered(): OwnedOrder[] {
    return [...this.#byClientId.values()];
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Marks an order over: it reserves nothing from now on. */
  finish(order: OwnedOrder): void {
    order.done = true;
    order.budget = 0n;
    order.closing = 0n;
    order.excess = 0n;
    this.#open.delete(order.clientOrderId);
    this.#done.push(order.clientOrderId);
    // Over and fully answered: no later state can change it, so it need not be kept by id.
    if (this.#byClientId.size > HANDLED_LIMIT) this.#forgetOldestDone();
  }

  /**
   * True the first time this state of the order is seen; a repeat (the reply and the stream carry
   * the same state) is false. The fee is part of the state: a venue may tell it only later.
   */
  firstSight(order: Order): boolean {
    const fee = order.fee === undefined ? "" : `${order.fee.cost} ${order.fee.currency}`;
    const state = `${order.status}\u0000${order.filled}\u0000${fee}`;
    if (this.#handled.get(order.clientOrderId) === state) return false;
    this.#handled.set(order.clientOrderId, state);
    if (this.#handled.size > HANDLED_LIMIT) {
      this.#handled.delete(this.#handled.keys().next().value as string);
    }
    return true;
  }

  /** The position `trader` holds on `market` through this Desk (created flat on first use). */
  position(trader: string, market: string, scales: PositionScales): PositionLedger {
    const key = `${trader}\u0000${market}`;
    const held = this.#positions.get(key);
    if (held !== undefined) return held.position;
    const position = new PositionLedger(scales);
    this.#positions.set(key, { trader, market, position });
    return position;
  }

  /** The last state of each order `trader` placed on `market` that is still remembered. */
  lastStatesOf(trader: string, market: string): Order[] {
    const out: Order[] = [];
    for (const o of this.#byClientId.values()) {
      if (o.trader === trader && o.market === market && o.last !== undefined) out.push(o.last);
    }
    return out;
  }

  /**
   * Contract markets: what `trader`'s open reduceOnly orders on `market` on `side` still offer to
   * close, and what its other open orders there could still add to the position on `side`.
   */
  contractOpen(trader: string, market: string, side: Side): { closing: bigint; adding: bigint } {
    let closing = 0n;
    let adding = 0n;
    for (const o of this.#open.values()) {
      if (o.trader !== trader || o.market !== market || o.side !== side) continue;
      const rest = o.amount > o.filled ? o.amount - o.filled : 0n;
      if (o.reduceOnly === true) closing += rest;
      else adding += rest;
    }
    return { closing, adding };
  }

  /** Base of `trader`'s holding on `market` its open sells already offer. */
  offered(trader: string, market: string): bigint {
    let sum = 0n;
    for (const o of this.#open.values()) {
      if (o.trader === trader && o.market === market) sum += o.closing;
    }
    return sum;
  }

  /** Every (trader, market) position, for status. */
  /** Per market, the last client order id sequence used. */
  sequences(): [string, number][] {
    return [...this.#seq];
  }

  /** A market's sequence from a snapshot (never lowered). */
  restoreSequence(market: string, seq: number): void {
    if (seq > (this.#seq.get(market) ?? 0)) this.#seq.set(market, seq);
  }

  /** A Trader's position from a snapshot. */
  restorePosition(trader: string, market: string, position: PositionLedger): void {
    this.#positions.set(`${trader}\u0000${market}`, { trader, market, position });
  }

  positions(): HeldPosition[] {
    return [...this.#positions.values()];
  }

  /**
   * Forgets the order that finished longest ago. A queue in finishing order, not a scan of the
   * Map from its start: that scan walked every deleted slot again on each call, which made a
   * journal replay of many orders quadratic.
   */
  #forgetOldestDone(): void {
    while (this.#doneHead < this.#done.length) {
      const id = this.#done[this.#doneHead]!;
      this.#doneHead += 1;
      if (this.#byClientId.get(id)?.done === true) {
        this.#byClientId.delete(id);
        break;
      }
    }
    if (this.#doneHead > 1024 && this.#doneHead * 2 > this.#done.length) {
      this.#done = this.#done.slice(this.#doneHead);
      this.#doneHead = 0;
    }
  }
}
