/**
 * The order gateway: the one path from a Trader's request to the venue, and the only place a
 * mandate's budget is reserved, spent and released.
 *
 * Invariants (the property test in test/actors/gateway-property.test.ts checks them against the
 * simulator under random interleavings):
 * - Reserve before you send. Trading state, the mandate, the order's worst-case cost (exposure.ts)
 *   and the risk limits are checked, and the cost reserved on the mandate, in one synchronous step
 *   with no await inside; only then is the venue called. So for every mandate, at every instant,
 *   reserved (open orders) + spent (fills) <= maxNotional, and a request refused here has sent
 *   nothing.
 * - A venue's definitive rejection releases the whole reservation and the caller gets the error. A
 *   failure that leaves the order's fate unknown (network, timeout) is looked up by client order
 *   id: an order found is the caller's answer; one the venue does not know is released and the
 *   error goes back; if the lookup fails too the reservation stays until the venue reports the
 *   order (never resubmitted blindly).
 * - Release what was not spent: a fill takes its real cost from the reservation and gives back what
 *   the worst case had set aside for it; a cancel, expiry (an IOC remainder), rejection and the
 *   cancels of a halt give back the rest.
 * - A sell offers first what its Trader holds and has not already offered (no oversell by
 *   concurrent sells); only the part beyond is reserved on the budget.
 * - A halt cancels every open order; an order that was already on its way and reaches the venue
 *   after the halt is cancelled as its answer arrives.
 */
import {
  InternalError,
  InvalidInputError,
  JournalFailedError,
  MandateDeniedError,
  OrderNotFoundError,
  RejectedError,
  RiskDeniedError,
  TransientError,
} from "../../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../../domain/fixed.js";
import type { Ticker } from "../../../domain/market-data.js";
import type { Order } from "../../../domain/order.js";
import { fillSince, knownFee } from "../../../domain/order-progress.js";
import type { PositionFill } from "../../../domain/position-ledger.js";
import { crashPoint } from "../../../journal/crash-point.js";
import type { Logger } from "../../../log/logger.js";
import type { Clock } from "../../../time/clock.js";
import type { Venue } from "../../../venues/venue.js";
import type { AuthorizedMandate } from "../../mandate.js";
import { cancelBytes, orderBytes } from "../../order-signature.js";
import { booksOf, intentOf, restoreBooks, restoreIntent } from "../journal/books.js";
import type { BooksEntry, DeskEntry, DeskJournal } from "../journal/entries.js";
import type { MandateBook, SignedRequest } from "../mandate-book.js";
import { type RiskGate, utcDay } from "../risk.js";
import type { RiskGates } from "../risk-gates.js";
import { ContractExposure } from "./contract-exposure.js";
import { checkContractMandate, contractBudget, marginInUse } from "./contract-plan.js";
import type { SpotExposure } from "./exposure.js";
import { type OwnedOrder, OwnedOrders } from "./owned-orders.js";
import {
  type CancelRequest,
  checkPlaceRequest,
  isOlder,
  type PlaceRequest,
  type PositionReply,
  readAmount,
  scalesOf,
} from "./requests.js";

export type { CancelRequest, PlaceRequest, PositionRequest } from "./requests.js";

/** A new state of an owned order, after the gateway took it in. */
export interface OwnedUpdate {
  owner: OwnedOrder;
  order: Order;
  /** What executed since the previous state, if anything. */
  fill: PositionFill | undefined;
}

export interface GatewayOptions {
  desk: string;
  venue: Venue;
  clock: Clock;
  log: Logger;
  mandates: MandateBook;
  risk: RiskGates;
  /** The rules of a market the Desk trades; throws for one it does not. */
  exposure: (market: string) => SpotExposure;
  /** The last ticker of a market: the touch a market order is bounded by. */
  ticker: (market: string) => Ticker | undefined;
  /** Slippage cap of market orders, a decimal fraction. */
  slippage: () => string;
  /** The Desk's trading state: active, reducing, halted, … */
  state: () => string;
  /** Called once per new state of an owned order (fill events, reports), after accounting. */
  onUpdate: (update: OwnedUpdate) => void;
  /** Actor events (order.placed, order.rejected, order.unknown). */
  emit: (event: string, fields: Record<string, unknown>) => void;
  /**
   * Where intents and order states go before the Desk acts on them (journal/entries.ts); none:
   * nothing survives a restart.
   */
  journal?: DeskJournal;
  /** The journal could not make an entry durable: the Desk must stop trading. */
  journalFailed?: (err: unknown) => void;
  /**
   * The venue account's total balance of an asset in its minor units, if known: what margin usage
   * on contract markets is measured against.
   */
  balance?: (asset: string) => bigint | undefined;
}

const OVER = "over budget: ";

/**
 * A place request's proof as the mandate book checks it: its signed bytes rebuilt from the request
 * itself. A class rather than a closure made per order.
 */
class PlaceProof implements SignedRequest {
  readonly seq: unknown;
  readonly signature: unknown;

  constructor(
    private readonly desk: string,
    private readonly request: PlaceRequest,
  ) {
    this.seq = request.seq;
    this.signature = request.signature;
  }

  bytes(nonce: string, seq: number): Buffer {
    return orderBytes(this.desk, this.request, nonce, seq);
  }
}
const TERMINAL = new Set(["closed", "canceled", "expired", "rejected"]);

export class OrderGateway {
  readonly orders: OwnedOrders;
  readonly #o: GatewayOptions;
  /** Replaying the journal: states are taken in silently and journaled again never. */
  #replaying = false;
  /** Order states wait for their journal entry, in order, before anyone is told. */
  #durable: Promise<void> = Promise.resolve();
  /** Contract positions' leverage by trader and market: that of the last order that opened. */
  readonly #leverage = new Map<string, number>();

  constructor(options: GatewayOptions) {
    this.#o = options;
    this.orders = new OwnedOrders(options.desk, options.clock.now());
  }

  /** Checks, reserves, sends. Resolves with the venue's order; rejects with a typed refusal. */
  async place(r: PlaceRequest): Promise<Order> {
    const owned = this.#admit(r, this.#o.clock.now());
    if (this.#o.journal !== undefined) {
      crashPoint("desk.intent.before");
      await this.#journalIntent(owned, r.seq);
      crashPoint("desk.intent.durable");
      // Halted while the intent was being made durable: it is not sent.
      if (this.#o.state() === "halted") {
        const err = new RiskDeniedError(`${this.#o.desk} was halted before the order was sent`);
        this.#rejected(owned, err);
        throw err;
      }
    }
    let order: Order;
    const stop = r.type === "stop_market";
    try {
      order = await this.#o.venue.createOrder(
        r.market,
        stop ? "stop_market" : "limit",
        r.side,
        r.amount,
        stop ? undefined : owned.price,
        {
          clientOrderId: owned.clientOrderId,
          ...(stop
            ? { triggerPrice: owned.price }
            : { timeInForce: r.type === "market" ? "IOC" : "GTC" }),
          ...(owned.reduceOnly === true ? { reduceOnly: true } : {}),
        },
      );
    } catch (err) {
      return this.#afterFailedSend(owned, err);
    }
    crashPoint("desk.order.answered");
    const placed = this.#placed(order);
    // The reply is a report too: it never runs ahead of the journal (nor of its fill's event).
    // Without a journal every state was told as it was taken: nothing to wait for, no hop.
    if (this.#o.journal !== undefined) await this.#durable;
    return placed;
  }

  /** A Trader's cancel of its own open order (by venue or client id). */
  async cancel(r: CancelRequest): Promise<Order> {
    if (typeof r.trader !== "string" || typeof r.id !== "string")
      throw new InvalidInputError("a cancel needs a string 'trader' and a string 'id'");
    const owned = this.orders.openOf(r.trader, r.id);
    if (owned === undefined)
      throw new OrderNotFoundError(`${r.trader} has no open order ${r.id} on ${this.#o.desk}`);
    // Only the Trader whose key the order's mandate names may cancel it.
    const key = this.#o.mandates.traderKeyOf(owned.nonce);
    if (key === undefined) throw new OrderNotFoundError(`order ${r.id} has no mandate on record`);
    this.#o.mandates.checkSigned(r.trader, key, {
      seq: r.seq,
      signature: r.signature,
      bytes: (_nonce, seq) => cancelBytes(this.#o.desk, r.trader, r.id, seq),
    });
    return this.cancelOwned(owned);
  }

  /** Cancels one owned order at the venue and takes its answer in. */
  async cancelOwned(owned: OwnedOrder): Promise<Order> {
    const id = owned.last?.id;
    if (id === undefined) {
      throw new RiskDeniedError(
        `order ${owned.clientOrderId} is still on its way to the venue; cancel it once it is acknowledged`,
      );
    }
    const order = await this.#o.venue.cancelOrder(id, owned.market);
    this.take(order);
    await this.#durable;
    return order;
  }

  /** Cancels every open order at the venue (a halt, or an operator's `cancel all`). */
  async cancelAll(): Promise<Order[]> {
    const cancelled = await this.#o.venue.cancelAllOrders();
    for (const order of cancelled) this.take(order);
    return cancelled;
  }

  /**
   * Takes in a state of an order from anywhere (reply, stream, cancel): positions, risk and the
   * mandate's reservation follow it, then `onUpdate` is told. A state seen before, or an order
   * this gateway does not own, changes nothing.
   */
  take(told: Order): OwnedUpdate | undefined {
    const owned = this.orders.byClientId(told.clientOrderId);
    if (owned === undefined) return undefined;
    // The reply and the order stream travel apart: an older state may come after a newer one.
    if (owned.last !== undefined && isOlder(told, owned.last)) return undefined;
    // A venue may tell the fee only in a later state (binance: its stream, not its REST reply).
    const fee = knownFee(owned.last, told);
    const order = fee === told.fee || fee === undefined ? told : { ...told, fee };
    // Once over, only a fee told late still changes the books.
    if (owned.done && fee === owned.last?.fee) return undefined;
    if (!this.orders.firstSight(order)) return undefined;
    const fill = fillSince(owned.last, order);
    owned.last = order;
    if (fill !== undefined) this.#account(owned, fill);
    if (TERMINAL.has(order.status) && !owned.done) this.#release(owned);
    const update = { owner: owned, order, fill };
    if (this.#replaying) return update;
    const journal = this.#o.journal;
    if (journal === undefined) {
      this.#o.onUpdate(update);
      return update;
    }
    crashPoint("desk.state.taken");
    if (fill !== undefined && !TERMINAL.has(order.status)) crashPoint("desk.fill.partial");
    // Told once durable, each state after the one before it: a report never runs ahead of the
    // journal, so a restart never forgets a fill a Trader was told of.
    this.#durable = this.#durable
      .then(() => journal.append({ kind: "desk.order", order }))
      .then(
        () => {
          crashPoint("desk.state.durable");
          this.#o.onUpdate(update);
        },
        (err: unknown) => {
          this.#o.journalFailed?.(err);
          this.#o.onUpdate(update);
        },
      );
    return update;
  }

  /** Resolves once every order state taken in so far is journaled (or failed to be) and told. */
  durable(): Promise<void> {
    return this.#durable;
  }

  /**
   * Rebuilds the books from an earlier run's journal: owned orders and their reservations,
   * mandate budgets, positions, client order id sequences and the Traders' request sequences.
   * Events and reports are not repeated.
   */
  restore(entries: readonly DeskEntry[]): void {
    this.#replaying = true;
    try {
      for (const entry of entries) {
        if (entry.kind === "desk.books") restoreBooks(entry, this.#books());
        else if (entry.kind === "desk.intent") restoreIntent(entry, this.#books());
        else if (entry.kind === "desk.revoked") this.#o.mandates.revoke(entry.nonce);
        else if (entry.kind === "desk.order") this.take(entry.order);
        else if (entry.kind === "desk.lost") {
          const owned = this.orders.byClientId(entry.clientOrderId);
          if (owned !== undefined && !owned.done) this.#release(owned);
        }
      }
    } finally {
      this.#replaying = false;
    }
  }

  /** The books now, compacted into one entry: what a snapshot keeps instead of the journal. */
  books(): BooksEntry {
    return booksOf(this.#books());
  }

  #books() {
    return { orders: this.orders, mandates: this.#o.mandates, risk: this.#o.risk };
  }

  /** An owned order the venue never received: released, and journaled as lost. */
  lose(owned: OwnedOrder, reason: string): void {
    this.#rejected(owned, reason);
  }

  /** The order as reserved, durable before the venue hears of it; a failure sends nothing. */
  async #journalIntent(owned: OwnedOrder, seq: unknown): Promise<void> {
    const mandate = this.#o.mandates.record(owned.nonce);
    const key = this.#o.mandates.traderKeyOf(owned.nonce);
    if (mandate === undefined || key === undefined)
      throw new InternalError(`order ${owned.clientOrderId} has no mandate on record`);
    try {
      await this.#o.journal?.append(
        intentOf(owned, mandate, typeof seq === "number" ? { key, seq } : undefined),
      );
    } catch (err) {
      // Nothing was sent: the reservation goes back, and the Desk stops trading.
      this.#release(owned);
      this.#o.journalFailed?.(err);
      throw new JournalFailedError(
        `${this.#o.desk} could not journal order ${owned.clientOrderId}, so it was not sent: ${String(err)}`,
        { cause: err },
      );
    }
  }

  /** Base `trader` holds on `market` and has not offered in an open sell, in base minor units. */
  available(trader: string, market: string): bigint {
    const exposure = this.#o.exposure(market);
    const held = this.orders.position(trader, market, scalesOf(exposure)).quantity;
    const free = held - this.orders.offered(trader, market);
    return free > 0n ? free : 0n;
  }

  /** `{op: "position"}`: what `trader` holds on `market`, and its orders' last known states. */
  positionOf(trader: string, market: string): PositionReply {
    const ledger = this.orders.position(trader, market, scalesOf(this.#o.exposure(market)));
    return {
      position: {
        quantity: ledger.baseText(ledger.quantity),
        basis: ledger.quoteText(ledger.basis),
        realised: ledger.quoteText(ledger.realised),
        fees: ledger.quoteText(ledger.fees),
        otherFees: Object.fromEntries(ledger.otherFees),
      },
      orders: this.orders.lastStatesOf(trader, market),
    };
  }

  // ---- the synchronous step ----

  #admit(r: PlaceRequest, now: number): OwnedOrder {
    checkPlaceRequest(r);
    const state = this.#o.state();
    if (state === "halted")
      throw new RiskDeniedError(`${this.#o.desk} is halted: new orders are refused until resume`);
    if (state !== "active" && state !== "reducing")
      throw new RiskDeniedError(`${this.#o.desk} is ${state}`);
    const exposure = this.#o.exposure(r.market);
    const amount = readAmount(r.amount, exposure.rules.baseScale);
    // A stop is bounded at its trigger, as a limit there: it only ever closes (checked below).
    const stop = r.type === "stop_market";
    const limit = stop ? r.stopPrice : r.price;
    const type = r.type === "market" ? "market" : "limit";
    const priced = exposure.price(
      limit === undefined
        ? { side: r.side, type, amount }
        : { side: r.side, type, amount, price: limit },
      this.#o.ticker(r.market),
      this.#o.slippage(),
    );
    let closing = 0n;
    let excess = 0n;
    let budget: bigint;
    const contract = exposure instanceof ContractExposure ? exposure : undefined;
    const contractAsk =
      contract === undefined
        ? undefined
        : {
            trader: r.trader,
            market: r.market,
            side: r.side,
            amount,
            price: contract.marginPrice(
              r.side,
              priced.price,
              this.#o.ticker(r.market),
              this.#o.slippage(),
            ),
            reduceOnly: r.reduceOnly === true,
            leverage: r.leverage ?? 1,
          };
    const contractBook =
      contract === undefined
        ? undefined
        : {
            position: this.orders.position(r.trader, r.market, scalesOf(contract)).quantity,
            ...this.orders.contractOpen(r.trader, r.market, r.side),
          };
    if (contract !== undefined && contractAsk !== undefined && contractBook !== undefined) {
      budget = contractBudget(contract, contractAsk, contractBook, state);
    } else if (r.reduceOnly !== undefined || r.leverage !== undefined) {
      throw new InvalidInputError(
        `reduceOnly and leverage are for contract markets; ${r.market} is spot`,
      );
    } else if (r.side === "sell") {
      const free = this.available(r.trader, r.market);
      closing = amount < free ? amount : free;
      excess = amount - closing;
      budget = excess > 0n ? exposure.sellBound(excess, priced.price) : 0n;
    } else {
      budget = exposure.buyBound(amount, priced.price);
    }
    if (
      stop &&
      (contract === undefined ? r.side !== "sell" || excess > 0n : r.reduceOnly !== true)
    ) {
      throw new RiskDeniedError(
        contract === undefined
          ? `a stop order may only sell what ${r.trader} holds and has not offered on ${r.market}`
          : `a stop order on ${r.market} must be reduceOnly: it may only close a position`,
      );
    }
    if (contract === undefined && state === "reducing" && (r.side !== "sell" || excess > 0n)) {
      throw new RiskDeniedError(
        `${this.#o.desk} is reducing: only orders that reduce a position are accepted`,
      );
    }
    let auth: AuthorizedMandate;
    try {
      auth = this.#o.mandates.authorize(
        { trader: r.trader, desk: this.#o.desk, market: r.market, side: r.side, notional: budget },
        r.mandate,
        now,
        // Always: the order must be signed by the Trader key the mandate names, never replayed.
        new PlaceProof(this.#o.desk, r),
      );
    } catch (err) {
      if (excess === 0n || !(err instanceof MandateDeniedError) || !err.message.startsWith(OVER))
        throw err;
      const { base, baseScale } = exposure.rules;
      const text = (n: bigint) => `${formatDecimal(n, baseScale)} ${base}`;
      throw new MandateDeniedError(
        `${OVER}${text(excess)} of this sell is beyond the ${text(closing)} ${r.trader} holds and has not offered, and ${err.message.slice(OVER.length)}`,
        { cause: err },
      );
    }
    const risk = this.#o.risk.of(r.market);
    if (contract !== undefined && contractAsk !== undefined && contractBook !== undefined) {
      checkContractMandate(contract, contractAsk, contractBook, auth);
      if (!contractAsk.reduceOnly) {
        const settle = contract.contract.settle;
        const used = this.#marginInUse(settle) + budget;
        risk.checkMargin(r.market, used, this.#o.balance?.(settle));
      }
    }
    this.#mark(exposure.rules.quote, risk);
    risk.check({ market: r.market, side: r.side, notional: priced.notional }, now);
    this.#o.mandates.commit(auth);
    risk.recordOrder(now);
    const owned: OwnedOrder = {
      clientOrderId: this.orders.nextClientId(r.market),
      trader: r.trader,
      market: r.market,
      side: r.side,
      nonce: auth.nonce,
      price: priced.price,
      amount,
      filled: 0n,
      budget,
      closing,
      excess,
      last: undefined,
      done: false,
      ...(contractAsk === undefined
        ? {}
        : {
            reduceOnly: contractAsk.reduceOnly,
            leverage: contractAsk.leverage,
            marginPrice: contractAsk.price,
          }),
    };
    this.orders.add(owned);
    // Placed = checked, reserved and sent; the venue's fills may arrive before its reply does.
    this.#o.emit("order.placed", {
      trader: r.trader,
      market: r.market,
      side: r.side,
      type: r.type,
      amount: r.amount,
      price: priced.price,
      reserved: formatDecimal(budget, exposure.rules.quoteScale),
      clientOrderId: owned.clientOrderId,
    });
    return owned;
  }

  // ---- after the venue answered ----

  #placed(order: Order): Order {
    this.take(order);
    // Sent before a halt, arrived after its cancels: cancel it now.
    if (this.#o.state() === "halted" && order.status === "open") {
      const owned = this.orders.byClientId(order.clientOrderId);
      if (owned !== undefined && !owned.done) {
        this.cancelOwned(owned).catch((err: unknown) =>
          this.#o.log.error({ err }, "could not cancel an order that arrived after the halt"),
        );
      }
    }
    return order;
  }

  async #afterFailedSend(owned: OwnedOrder, err: unknown): Promise<Order> {
    if (err instanceof RejectedError || !(err instanceof TransientError)) {
      this.#rejected(owned, err);
      throw err;
    }
    // Network or timeout: the venue may hold the order. Look it up by its id, never resend.
    let found: Order;
    try {
      found = await this.#o.venue.fetchOrder("", owned.market, {
        clientOrderId: owned.clientOrderId,
      });
    } catch (lookup) {
      if (lookup instanceof OrderNotFoundError) {
        this.#rejected(owned, err);
        throw err;
      }
      this.#o.emit("order.unknown", {
        trader: owned.trader,
        market: owned.market,
        clientOrderId: owned.clientOrderId,
        error: String(err),
      });
      throw new TransientError(
        `order ${owned.clientOrderId} is unknown after ${String(err)}; its reservation stays until the venue reports it`,
        { cause: err },
      );
    }
    return this.#placed(found);
  }

  #rejected(owned: OwnedOrder, err: unknown): void {
    this.#release(owned);
    // The intent is on record: so is that it never reached the venue.
    this.#o.journal
      ?.append({ kind: "desk.lost", clientOrderId: owned.clientOrderId, reason: String(err) })
      .catch((failure: unknown) => this.#o.journalFailed?.(failure));
    this.#o.emit("order.rejected", {
      trader: owned.trader,
      market: owned.market,
      clientOrderId: owned.clientOrderId,
      error: String(err),
    });
  }

  // ---- accounting ----

  /** Margin in use in `settle` (contract-plan.ts's marginInUse) over this gateway's books. */
  #marginInUse(settle: string): bigint {
    return marginInUse(settle, {
      open: this.orders.open(),
      positions: this.orders.positions(),
      exposure: this.#o.exposure,
      ticker: this.#o.ticker,
      leverage: (trader, market) => this.#leverage.get(`${trader}\u0000${market}`),
    });
  }

  /**
   * Marks the open positions in `quote` at their markets' last prices, for the day's loss limit:
   * unrealised PnL computed when an order asks, not on every tick.
   */
  #mark(quote: string, risk: RiskGate): void {
    const byMarket = new Map<string, bigint>();
    for (const { market, position } of this.orders.positions()) {
      if (position.flat || position.scales.quote !== quote) continue;
      const last = this.#o.ticker(market)?.last;
      if (last === undefined) continue;
      byMarket.set(market, (byMarket.get(market) ?? 0n) + position.unrealised(last));
    }
    for (const market of this.#o.risk.marked(quote)) {
      if (!byMarket.has(market)) risk.markPnl(market, 0n);
    }
    for (const [market, unrealised] of byMarket) risk.markPnl(market, unrealised);
  }

  /** A fill: position, risk, and the reservation's share of it (real cost spent, rest released). */
  #account(owned: OwnedOrder, fill: PositionFill): void {
    const exposure = this.#o.exposure(owned.market);
    const { baseScale, quoteScale, quote } = exposure.rules;
    const amount = parseDecimal(fill.amount, baseScale, "half-even");
    const cost = parseDecimal(fill.cost, quoteScale, "up");
    const position = this.orders.position(owned.trader, owned.market, scalesOf(exposure));
    const realisedBefore = position.realised;
    position.apply(fill);
    const risk = this.#o.risk.of(owned.market);
    risk.recordFill(owned.market, owned.side, cost);
    // The day's loss limit counts what closing fills realise (fees included).
    const realised = position.realised - realisedBefore;
    if (realised !== 0n) risk.recordPnl(realised, utcDay(this.#o.clock.now()));
    owned.filled += amount;
    // A fee told after the order was over: its reservation is already settled.
    if (owned.done) return;
    const rest = owned.amount > owned.filled ? owned.amount - owned.filled : 0n;
    let spent: bigint;
    let bound: bigint;
    if (exposure instanceof ContractExposure) {
      // Margin at the order's leverage and the fee: what the fill holds of the reservation.
      const leverage = owned.leverage ?? 1;
      const fee = fill.fee?.currency === quote ? parseDecimal(fill.fee.cost, quoteScale, "up") : 0n;
      spent = owned.reduceOnly === true ? 0n : exposure.marginOf(cost, leverage) + fee;
      bound =
        owned.reduceOnly === true
          ? 0n
          : exposure.marginBound(rest, owned.marginPrice ?? owned.price, leverage);
      if (owned.reduceOnly !== true && amount > 0n) {
        this.#leverage.set(`${owned.trader}\u0000${owned.market}`, leverage);
      }
    } else if (owned.side === "buy") {
      const fee = fill.fee?.currency === quote ? parseDecimal(fill.fee.cost, quoteScale, "up") : 0n;
      spent = cost + fee;
      bound = exposure.buyBound(rest, owned.price);
    } else {
      const fromHolding = amount < owned.closing ? amount : owned.closing;
      owned.closing -= fromHolding;
      const beyond = amount - fromHolding;
      owned.excess = owned.excess > beyond ? owned.excess - beyond : 0n;
      spent = beyond > 0n ? exposure.sellBound(beyond, owned.price) : 0n;
      bound = exposure.sellBound(owned.excess, owned.price);
    }
    if (spent > owned.budget) {
      // A venue filled beyond the order's own price: the invariant of the venue, not ours, broke.
      this.#o.log.error(
        {
          clientOrderId: owned.clientOrderId,
          spent: String(spent),
          reserved: String(owned.budget),
        },
        "a fill cost more than the order's worst case",
      );
      spent = owned.budget;
    }
    const keep = owned.budget - spent < bound ? owned.budget - spent : bound;
    const release = owned.budget - spent - keep;
    owned.budget = keep;
    if (release > 0n) this.#o.mandates.release(owned.nonce, release);
  }

  /** The order is over: whatever it still reserves goes back. */
  #release(owned: OwnedOrder): void {
    if (owned.budget > 0n) this.#o.mandates.release(owned.nonce, owned.budget);
    this.orders.finish(owned);
  }
}
