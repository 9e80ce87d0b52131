/**
 * The exchange: order entry, matching and settlement for every market of the simulator, driven by
 * requests (place, cancel, amend) and by the market path (resting orders and stops).
 *
 * Rules, beyond the book's own invariants (see book/):
 * - A user order that takes liquidity meets the synthetic makers' quotes, materialized for that one
 *   match around the current path price, behind any user order at the same price.
 * - A resting user order fills against the makers when the path goes through its price (or touches
 *   it, with the "touch" rule; and with queuePosition, only once the size displayed ahead of it at
 *   that price has traded, and then by what traded past it), at its own price, as maker.
 * - Stop orders trigger on the path price (buy: path ≥ stop; sell: path ≤ stop) and then execute as
 *   a market or limit order at that moment. A stop that would trigger at once is refused.
 * - A buy stop-market reserves quote at its trigger price; when triggered it buys what that reserve
 *   plus free funds can pay, and expires the rest.
 * - A market buy reserves exactly the cost of what the book can fill; a market order the book cannot
 *   fill completely fills what it can and expires the rest.
 * - On a contract an order reserves margin in the settle asset instead (perp/contract-orders.ts),
 *   and its fills change positions (perp/contract-fills.ts).
 */
import { InvalidOrderError, UnknownMarketError } from "../domain/errors.js";
import type { Clock } from "../time/clock.js";
import { AddResult, BUY, SELL, type Side, type StpMode } from "./book/index.js";
import type { Ledger } from "./ledger.js";
import { displayedAt, quoteAgainst } from "./maker-quotes.js";
import { crossResting } from "./market-path.js";
import { priceMarketBuy } from "./market-pricing.js";
import {
  checkOrder,
  type OrderInput,
  refuseImmediateTrigger,
  requireMarketPrice,
  type VenueRules,
} from "./order-entry.js";
import { type OrderRef, OrderRegistry } from "./order-registry.js";
import {
  checkReduceOnly,
  contractReserve,
  marketNotional,
  refuseExpired,
} from "./perp/contract-orders.js";
import { type MarginSetting, Positions } from "./perp/positions.js";
import { type Changes, Settlement } from "./settlement.js";
import {
  createSimMarket,
  type MarketSetup,
  pathTicks,
  referenceTicks,
  type SimMarket,
} from "./sim-market.js";
import { remainingLots, type SimOrder } from "./sim-order.js";

const bookSide = (side: "buy" | "sell"): Side => (side === "buy" ? BUY : SELL);

export class Exchange {
  readonly markets: ReadonlyMap<string, SimMarket>;
  /** Read and loaded by saved-state.ts, with the ledger, for a restart. */
  readonly registry = new OrderRegistry();
  readonly settlement: Settlement;
  /** Positions on contracts, and each account's leverage and margin mode. */
  readonly positions: Positions;
  /** Called after every operation that changed something. */
  onChanges: ((changes: Changes) => void) | undefined;

  constructor(
    setups: readonly MarketSetup[],
    readonly ledger: Ledger,
    private readonly rules: VenueRules & { readonly stp: StpMode },
    private readonly clock: Clock,
    marginDefaults: MarginSetting = { leverage: 20, mode: "cross" },
  ) {
    this.positions = new Positions(marginDefaults);
    this.settlement = new Settlement(ledger, this.registry.byNumber, this.positions);
    this.markets = new Map(
      setups.map((setup) => [
        setup.instrument.symbol,
        createSimMarket(setup, this.settlement, rules.stp),
      ]),
    );
  }

  market(symbol: string): SimMarket {
    const m = this.markets.get(symbol);
    if (m === undefined) {
      throw new UnknownMarketError(
        `unknown market ${symbol} on ${this.rules.venue} (markets: ${[...this.markets.keys()].join(", ")})`,
      );
    }
    return m;
  }

  place(account: string, input: OrderInput): SimOrder {
    const m = this.market(input.symbol);
    refuseExpired(m, this.clock.now());
    const checked = checkOrder(m, input, this.rules);
    const inst = m.instrument;
    const num = this.registry.nextNumber++;
    const clientOrderId = checked.clientOrderId ?? `${this.rules.venue}-${num}`;
    this.registry.checkNew(account, clientOrderId);
    if (
      checked.type === "market" ||
      checked.type === "stop_market" ||
      checked.type === "stop_limit"
    ) {
      requireMarketPrice(m);
    }
    if (!Number.isNaN(checked.stopTicks))
      refuseImmediateTrigger(m, checked.side, checked.stopTicks);

    const order: SimOrder = {
      num,
      clientOrderId,
      account,
      instrument: inst,
      type: checked.type,
      side: checked.side,
      timeInForce: checked.timeInForce,
      priceTicks: checked.priceTicks,
      stopTicks: checked.stopTicks,
      amountLots: checked.lots,
      filledLots: 0,
      costUnits: 0n,
      notionalTickLots: 0n,
      feeUnits: 0n,
      reserved: 0n,
      reservedAsset: checked.side === "buy" || inst.contract !== undefined ? inst.quote : inst.base,
      status: "open",
      timestamp: this.clock.now(),
      lastTradeTimestamp: undefined,
      triggered: false,
      queueAhead: 0,
      reduceOnly: checked.reduceOnly,
    };
    if (order.reduceOnly) checkReduceOnly(this.positions, order);
    // Written only if a reservation is refused: formatting the amount costs more than the order.
    const what = () => `${order.side} ${inst.lotsToAmount(order.amountLots)} ${inst.symbol}`;
    this.transact(m, () => {
      // Registered first: settlement finds the order by its number while it fills.
      this.registry.add(order);
      try {
        if (order.type === "market") {
          this.executeMarket(m, order, what, false);
        } else {
          const atTicks = order.type === "stop_market" ? order.stopTicks : order.priceTicks;
          const notional = inst.cost(atTicks, order.amountLots);
          inst.checkNotional(notional);
          this.reserve(order, this.reserveFor(m, order, notional, order.amountLots), what);
          if (order.type === "limit") this.executeLimit(m, order);
          else m.stops.add(order.num, bookSide(order.side), order.stopTicks);
        }
      } catch (err) {
        // Refused before anything filled: the order never existed.
        this.forget(order);
        throw err;
      }
      this.settlement.touch(order);
    });
    return order;
  }

  cancel(account: string, ref: OrderRef): SimOrder {
    const order = this.registry.find(account, ref);
    if (order.status !== "open") {
      throw new InvalidOrderError(
        `order ${order.num} is ${order.status}; only open orders can be cancelled`,
      );
    }
    const m = this.market(order.instrument.symbol);
    this.transact(m, () => {
      this.withdrawResting(m, order);
      order.status = "canceled";
      this.settlement.release(order);
    });
    return order;
  }

  cancelAll(account: string, symbol?: string): SimOrder[] {
    if (symbol !== undefined) this.market(symbol);
    const open = [...this.registry.byNumber.values()].filter(
      (o) =>
        o.account === account &&
        o.status === "open" &&
        (symbol === undefined || o.instrument.symbol === symbol),
    );
    return open.map((o) => this.cancel(account, { id: String(o.num) }));
  }

  /**
   * Amends an open limit order: `amount` is the new total (more than what has filled), `price` the
   * new limit. Reducing the amount at the same price keeps the order's place in the queue; any
   * other change sends it to the back and may match at once.
   */
  amend(account: string, id: string, amount?: string, price?: string): SimOrder {
    const order = this.registry.find(account, { id });
    if (order.status !== "open" || order.type !== "limit") {
      throw new InvalidOrderError(
        `order ${order.num} is not an open limit order; it cannot be amended`,
      );
    }
    const m = this.market(order.instrument.symbol);
    refuseExpired(m, this.clock.now());
    const inst = m.instrument;
    const newTicks = price === undefined ? order.priceTicks : inst.priceToTicks(price);
    const newLots = amount === undefined ? order.amountLots : inst.amountToLots(amount);
    if (newLots <= order.filledLots) {
      throw new InvalidOrderError(
        `amount ${amount} is not more than the ${inst.lotsToAmount(order.filledLots)} already filled`,
      );
    }
    const remaining = newLots - order.filledLots;
    inst.checkNotional(inst.cost(newTicks, newLots));
    const needed = this.reserveFor(m, order, inst.cost(newTicks, remaining), remaining);
    const before = {
      amountLots: order.amountLots,
      priceTicks: order.priceTicks,
      reserved: order.reserved,
    };
    this.transact(m, () => {
      if (needed > order.reserved) {
        this.reserve(order, needed - order.reserved, `amend of order ${order.num}`);
      } else if (needed < order.reserved) {
        this.ledger.unlock(order.account, order.reservedAsset, order.reserved - needed);
        order.reserved = needed;
      }
      order.amountLots = newLots;
      order.priceTicks = newTicks;
      quoteAgainst(m, this.ledger, order.side, this.clock.now(), remainingLots(order));
      const result = m.book.amend(order.num, newTicks, remaining, order.timeInForce === "PO");
      m.liquidity.withdraw(m.book);
      if (result === AddResult.REJECTED_POST_ONLY) {
        // The book left the order as it was; so do we.
        this.restoreReservation(order, before.reserved);
        order.amountLots = before.amountLots;
        order.priceTicks = before.priceTicks;
        throw new InvalidOrderError(
          `post-only order ${order.num} would take liquidity at ${inst.ticksToPrice(newTicks)}; it was not amended`,
        );
      }
      this.settleResult(m, order, result);
      this.settlement.touch(order);
    });
    return order;
  }

  /** The market path reached `price` at `time`: cross resting orders, trigger stops. */
  onPath(m: SimMarket, price: number, volume: number): void {
    m.lastPrice = price;
    const book = m.book;
    if (book.size > 0) {
      const p = pathTicks(m, price);
      const touch = m.fillRule === "touch";
      const bid = book.bestBid();
      const orders = this.registry.byNumber;
      if (bid > p || (touch && bid === p)) {
        this.transact(m, () => crossResting(m, this.ledger, orders, SELL, p, volume));
      }
      const ask = book.bestAsk();
      if (ask < p || (touch && ask === p)) {
        this.transact(m, () => crossResting(m, this.ledger, orders, BUY, p, volume));
      }
    }
    if (m.stops.size > 0) {
      const triggered = m.stops.trigger(pathTicks(m, price));
      if (triggered.length > 0) this.runStops(m, [...triggered]);
    }
  }

  private runStops(m: SimMarket, ids: number[]): void {
    for (const id of ids) {
      const order = this.registry.byNumber.get(id);
      if (order === undefined || order.status !== "open") continue;
      this.transact(m, () => {
        order.triggered = true;
        if (order.type === "stop_limit") {
          this.executeLimit(m, order);
        } else {
          // Re-reserve as a market order from what the stop reserved plus free funds.
          this.settlement.release(order);
          order.status = "open";
          this.executeMarket(m, order, `triggered stop ${order.num}`, true);
        }
        this.settlement.touch(order);
      });
    }
  }

  private executeLimit(m: SimMarket, order: SimOrder): void {
    quoteAgainst(m, this.ledger, order.side, this.clock.now(), remainingLots(order));
    const result = m.book.addLimit(
      order.num,
      this.registry.owner(order.account),
      bookSide(order.side),
      order.priceTicks,
      remainingLots(order),
      order.timeInForce,
    );
    m.liquidity.withdraw(m.book);
    if (result === AddResult.REJECTED_POST_ONLY) {
      this.forget(order);
      throw new InvalidOrderError(
        `post-only order would take liquidity: ${order.side} at ${m.instrument.ticksToPrice(order.priceTicks)} crosses the book`,
      );
    }
    this.settleResult(m, order, result);
    if (order.status === "open" && m.queuePosition)
      order.queueAhead = displayedAt(m, bookSide(order.side), order.priceTicks, this.clock.now());
  }

  private executeMarket(
    m: SimMarket,
    order: SimOrder,
    what: string | (() => string),
    capToFunds: boolean,
  ): void {
    const inst = m.instrument;
    const side = bookSide(order.side);
    quoteAgainst(m, this.ledger, order.side, this.clock.now(), remainingLots(order));
    try {
      let lots = remainingLots(order);
      if (inst.contract !== undefined) {
        const self = this.registry.owner(order.account);
        const cost = (n: number) =>
          marketNotional(m, order, n, priceMarketBuy(m, side, self, this.rules.stp, n).cost);
        if (!capToFunds) inst.checkNotional(inst.cost(referenceTicks(m), lots));
        // A triggered stop spends what it has (the share of its lots the free margin pays for),
        // and expires if its bracket refuses its leverage: it cannot be refused any more.
        const reserveOf = (n: number) => {
          try {
            return contractReserve(this.positions, m, order, cost(n));
          } catch (err) {
            if (capToFunds && err instanceof InvalidOrderError) return undefined;
            throw err;
          }
        };
        let need = reserveOf(lots);
        const free = this.ledger.free(order.account, inst.quote);
        if (need !== undefined && capToFunds && need > free) {
          lots = Number((BigInt(lots) * free) / need);
          need = reserveOf(lots);
        }
        if (need === undefined) lots = 0;
        else this.reserve(order, need, what);
      } else if (order.side === "buy") {
        const budget = capToFunds ? this.ledger.free(order.account, inst.quote) : undefined;
        const self = this.registry.owner(order.account);
        const priced = priceMarketBuy(m, side, self, this.rules.stp, lots, budget);
        if (!capToFunds) inst.checkNotional(inst.cost(referenceTicks(m), lots));
        lots = priced.lots;
        this.reserve(order, priced.cost, what);
      } else {
        if (!capToFunds) inst.checkNotional(inst.cost(referenceTicks(m), lots));
        this.reserve(order, inst.baseUnits(lots), what);
      }
      const result =
        lots > 0
          ? m.book.addMarket(order.num, this.registry.owner(order.account), side, lots)
          : AddResult.EXPIRED;
      this.settleResult(m, order, result);
    } finally {
      m.liquidity.withdraw(m.book);
    }
  }

  /** Final state of an order after a book operation. */
  private settleResult(m: SimMarket, order: SimOrder, result: number): void {
    if (result === AddResult.RESTED) return;
    if (remainingLots(order) === 0) order.status = "closed";
    else if (result !== AddResult.FILLED) order.status = "expired";
    if (order.status !== "open") {
      if (m.book.has(order.num)) m.book.cancel(order.num);
      this.settlement.release(order);
    }
  }

  private withdrawResting(m: SimMarket, order: SimOrder): void {
    if (m.book.has(order.num)) m.book.cancel(order.num);
    else if (m.stops.has(order.num)) m.stops.remove(order.num);
  }

  /** What an order reserves for `lots` of notional `notional`: spot quote or base, or margin. */
  private reserveFor(m: SimMarket, order: SimOrder, notional: bigint, lots: number): bigint {
    if (m.instrument.contract !== undefined)
      return contractReserve(this.positions, m, order, notional);
    return order.side === "buy" ? notional : m.instrument.baseUnits(lots);
  }

  private restoreReservation(order: SimOrder, reserved: bigint): void {
    if (order.reserved > reserved) {
      this.ledger.unlock(order.account, order.reservedAsset, order.reserved - reserved);
    } else if (order.reserved < reserved) {
      this.ledger.lock(order.account, order.reservedAsset, reserved - order.reserved, "restore");
    }
    order.reserved = reserved;
  }

  private reserve(order: SimOrder, amount: bigint, what: string | (() => string)): void {
    this.ledger.lock(order.account, order.reservedAsset, amount, what);
    order.reserved += amount;
  }

  private forget(order: SimOrder): void {
    this.settlement.release(order);
    this.registry.remove(order);
    this.settlement.touchedOrders.delete(order);
  }

  findOrder(account: string, ref: OrderRef): SimOrder {
    return this.registry.find(account, ref);
  }

  /** Every order the exchange accepted. */
  get orders(): ReadonlyMap<number, SimOrder> {
    return this.registry.byNumber;
  }

  /**
   * Runs one operation on `m`, then publishes what it changed (even when it throws). Also for the
   * liquidation engine's close (perp/liquidation-close.ts).
   */
  transact<T>(m: SimMarket, body: () => T): T {
    this.begin(m);
    try {
      return body();
    } finally {
      this.finish();
    }
  }

  private begin(m: SimMarket): void {
    this.settlement.market = m;
    this.settlement.now = this.clock.now();
  }

  private finish(): void {
    const s = this.settlement;
    if (s.touchedOrders.size === 0 && s.newFills.length === 0 && s.publicFills.length === 0) return;
    const changes = s.take();
    // The listener (the simulator) must not throw: an order that was placed stays placed.
    this.onChanges?.(changes);
  }
}
