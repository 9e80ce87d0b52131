/**
 * The Desk: one per exchange account, the only door to the venue.
 *
 * - Market data: for each watched market it publishes closed candles and tickers (each message with
 *   a per-subject sequence number) and keeps recent candles in a cache others query by
 *   request/reply, so a Trader warms up without touching the venue.
 * - Orders (`crypy.desk.<desk>.order`): trading state, then the Holder's mandate, then the risk
 *   limits, then the venue, with a deterministic client order id `<desk>-<market token>-<seq>`.
 *   Every refusal is a typed error that names its reason. Execution reports go to the owning actor.
 * - Kill switch: `halt` cancels every open order and refuses new ones (cancels still pass) until
 *   `resume`.
 */
import { createActor } from "xstate";
import { deskCache, deskOrder, deskReport } from "../../bus/subjects.js";
import {
  ClosedError,
  InvalidInputError,
  OrderNotFoundError,
  RiskDeniedError,
} from "../../domain/errors.js";
import { parseDecimal } from "../../domain/fixed.js";
import { parseMarket } from "../../domain/market.js";
import type { Order } from "../../domain/order.js";
import type { Venue } from "../../venues/venue.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import { deskCommands, deskSettings } from "./commands.js";
import { deskMachine } from "./machine.js";
import { MandateBook } from "./mandate-book.js";
import { type CacheRequest, DeskMarketData } from "./market-data.js";
import { RiskGate, type RiskLimits } from "./risk.js";
import { TraderOrders } from "./trader-orders.js";

export interface DeskOptions {
  id: string;
  venue: Venue;
  /** Markets whose data the Desk publishes and caches. */
  watch: readonly string[];
  risk: RiskLimits;
  /** Minor-unit decimals of each asset (exact notional for mandates and risk). */
  assetDecimals: Readonly<Record<string, number>>;
  /** Candles kept per market for warm-ups. Default 5000. */
  cacheCandles?: number;
}

/** An order request on the bus, from a Trader, with its Holder's mandate. */
export interface PlaceRequest {
  op: "place";
  trader: string;
  mandate: unknown;
  market: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  amount: string;
  price?: string;
}

export interface CancelRequest {
  op: "cancel";
  trader: string;
  id: string;
}

export class Desk extends Actor {
  private readonly machine = createActor(deskMachine);
  private readonly mandates: MandateBook;
  private readonly data: DeskMarketData;
  private readonly risk: RiskGate;
  private readonly orders: TraderOrders;
  private running = false;
  /** Markets published and cached now: the template's, changed by `watch`/`unwatch`. */
  private readonly watching: string[];
  private venueMarkets: readonly string[] = [];
  private readonly trusted: string[] = [];
  /** Equity when the Desk started, for the session's PnL. */
  private startEquity: number | undefined;
  /** Quote-currency decimals per market, read once: every order and fill needs them. */
  private readonly quoteDecimalsOf = new Map<string, number>();

  constructor(
    private readonly options: DeskOptions,
    env: ActorEnv,
  ) {
    super(options.id, "desk", env);
    this.watching = [...options.watch];
    this.machine.subscribe({ error: (err) => this.log.error({ err }, "desk machine error") });
    this.machine.start();
    this.mandates = new MandateBook((market) => this.quoteDecimals(market));
    this.orders = new TraderOrders(options.id);
    this.data = new DeskMarketData(
      env.bus,
      options.id,
      this.watching,
      options.cacheCandles ?? 5_000,
      (subject, payload) => this.publishSoon(subject, payload),
    );
    const firstQuote =
      options.watch[0] === undefined ? "USDT" : parseMarket(options.watch[0]).quote;
    this.risk = new RiskGate(options.risk, options.assetDecimals[firstQuote] ?? 8);
  }

  get state(): string {
    return String(this.machine.getSnapshot().value);
  }

  /** A Holder's public key: its mandates are trusted from now on. */
  trustHolder(holder: string, publicKey: string): void {
    this.mandates.trust(holder, publicKey);
    if (!this.trusted.includes(holder)) this.trusted.push(holder);
  }

  revokeMandate(nonce: string): void {
    this.mandates.revoke(nonce);
  }

  async start(): Promise<void> {
    const venue = this.options.venue;
    try {
      this.venueMarkets = Object.keys(await venue.loadMarkets()).sort();
      for (const market of this.watching) await this.seed(market);
      this.data.onBalances(await venue.fetchBalance());
      this.startEquity = this.data.equityIn(this.quote);
    } catch (err) {
      this.machine.send({ type: "FAIL", error: String(err) });
      throw err;
    }
    this.running = true;
    this.startActor();
    this.keep(
      this.bus.serve<PlaceRequest | CancelRequest>(deskOrder(this.id), (r) =>
        this.onOrderRequest(r),
      ),
    );
    this.keep(this.bus.serve<CacheRequest>(deskCache(this.id), (r) => this.answerCache(r)));
    for (const market of this.watching) this.pumpMarket(market);
    void this.pump(
      () => venue.watchOrders(),
      (orders) => this.onOrders(orders),
    );
    void this.pump(
      () => venue.watchBalance(),
      (balances) => this.data.onBalances(balances),
    );
    this.machine.send({ type: "STARTED" });
  }

  private async seed(market: string): Promise<void> {
    const history = await this.options.venue.fetchOHLCV(
      market,
      "1m",
      undefined,
      this.options.cacheCandles ?? 5_000,
    );
    this.data.seed(market, history);
  }

  /** Candles and tickers of `market`, for as long as it is watched. */
  private pumpMarket(market: string): void {
    const venue = this.options.venue;
    const watched = () => this.watching.includes(market);
    void this.pump(
      () => venue.watchOHLCV(market, "1m"),
      (candles) => this.data.onCandles(market, candles),
      watched,
    );
    void this.pump(
      () => venue.watchTicker(market),
      (ticker) => this.data.onTicker(market, ticker),
      watched,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    this.machine.send({ type: "STOP" });
    this.emit("actor.stopped");
    this.stopActor();
  }

  /** Cancels every open order and refuses new ones until `resume`. Resolves when all are cancelled. */
  async halt(reason = "operator"): Promise<{ cancelled: number }> {
    this.machine.send({ type: "HALT" });
    const cancelled = await this.options.venue.cancelAllOrders();
    this.emit("desk.halted", { reason, cancelled: cancelled.length });
    return { cancelled: cancelled.length };
  }

  /** Trades again after `halt` or `pause`. */
  override resume(): { state: string } {
    this.machine.send({ type: "RESUME" });
    super.resume();
    this.emit("desk.resumed");
    return { state: this.state };
  }

  /** REDUCING: only orders that reduce a position pass, until `resume`. */
  protected override pause(): unknown {
    this.machine.send({ type: "REDUCE" });
    super.pause();
    this.emit("desk.reducing");
    return { state: this.state };
  }

  protected status(): Record<string, unknown> {
    const equity = this.data.equityIn(this.quote);
    return {
      venue: this.options.venue.id,
      watch: this.watching,
      openOrders: this.orders.openCount,
      quote: this.quote,
      equity,
      pnl:
        equity === undefined || this.startEquity === undefined
          ? undefined
          : equity - this.startEquity,
      positions: Object.fromEntries(
        this.watching.map((m) => [m, this.risk.positionOf(m).toString()]),
      ),
      holders: this.trusted,
    };
  }

  /** The quote asset equity and PnL are counted in: that of the first watched market. */
  private get quote(): string {
    const first = this.options.watch[0];
    return first === undefined ? "USDT" : parseMarket(first).quote;
  }

  protected override commands(): CommandSpec[] {
    return deskCommands({
      halt: (reason) => this.halt(reason),
      resume: () => this.resume(),
      watching: () => this.watching,
      venueMarkets: () => this.venueMarkets,
      watch: (market) => this.watch(market),
      unwatch: (market) => this.unwatch(market),
      holders: () => this.trusted,
      openOrders: () => this.orders.open(),
      cancel: (id, who) => this.operatorCancel(id, who),
      limits: () => this.risk.limits,
    });
  }

  protected override settings(): Settings {
    return deskSettings(this.risk, (changed) => this.emit("desk.limits_changed", changed));
  }

  private async watch(market: string): Promise<{ watching: readonly string[] }> {
    await this.seed(market);
    if (!this.watching.includes(market)) {
      this.watching.push(market);
      this.pumpMarket(market);
      this.emit("desk.watching", { market });
    }
    return { watching: this.watching };
  }

  private unwatch(market: string): { watching: readonly string[] } {
    const at = this.watching.indexOf(market);
    if (at >= 0) {
      this.watching.splice(at, 1);
      this.emit("desk.unwatched", { market });
    }
    return { watching: this.watching };
  }

  /** An operator's cancel: any open order, by venue or client id, or all (without halting). */
  private async operatorCancel(idOrAll: string, who: string): Promise<{ cancelled: string[] }> {
    if (idOrAll === "all") {
      const cancelled = await this.options.venue.cancelAllOrders();
      this.emit("desk.cancelled", { by: who, orders: cancelled.length });
      return { cancelled: cancelled.map((o) => o.clientOrderId) };
    }
    const order = this.orders.open().find((o) => o.id === idOrAll || o.clientOrderId === idOrAll);
    if (order === undefined) {
      throw new OrderNotFoundError(`${this.id} has no open order ${idOrAll} (see 'orders')`);
    }
    const cancelled = await this.options.venue.cancelOrder(order.id, order.symbol);
    this.emit("desk.cancelled", { by: who, orders: 1 });
    return { cancelled: [cancelled.clientOrderId] };
  }

  // ---- orders ----

  private async onOrderRequest(request: PlaceRequest | CancelRequest): Promise<Order> {
    if (request === null || typeof request !== "object") {
      throw new InvalidInputError("an order request must be an object with op 'place' or 'cancel'");
    }
    if (request.op === "cancel") return this.cancel(request);
    if (request.op !== "place") {
      throw new InvalidInputError(
        `unknown order op ${JSON.stringify((request as { op?: unknown }).op)}`,
      );
    }
    return this.place(request);
  }

  private async place(r: PlaceRequest): Promise<Order> {
    for (const field of ["trader", "market", "side", "type", "amount"] as const) {
      if (typeof r[field] !== "string")
        throw new InvalidInputError(`order request needs a string '${field}'`);
    }
    if (!this.watching.includes(r.market)) {
      throw new InvalidInputError(
        `${this.id} does not trade ${r.market} (markets: ${this.watching.join(", ")})`,
      );
    }
    const state = this.state;
    const reduces = r.side === "sell" && this.risk.positionOf(r.market) > 0n;
    if (state === "halted")
      throw new RiskDeniedError(`${this.id} is halted: new orders are refused until resume`);
    if (state === "reducing" && !reduces) {
      throw new RiskDeniedError(
        `${this.id} is reducing: only orders that reduce a position are accepted`,
      );
    }
    if (state !== "active" && state !== "reducing")
      throw new RiskDeniedError(`${this.id} is ${state}`);
    const notional = this.notionalOf(r);
    const now = this.clock.now();
    // A mandate bounds exposure: selling what the Trader holds is checked (signature, expiry,
    // trader, market, side) but spends none of its budget, so a Trader can always get out.
    const held = this.orders.held(r.trader, r.market);
    const closing = r.side === "sell" && Number(r.amount) <= held + 1e-12;
    const auth = this.mandates.authorize(
      {
        trader: r.trader,
        desk: this.id,
        market: r.market,
        side: r.side,
        notional: closing ? 0n : notional,
      },
      r.mandate,
      now,
    );
    this.risk.check({ market: r.market, side: r.side, notional }, now);
    const clientOrderId = this.orders.place(r.trader, r.market, r.side);
    this.risk.recordOrder(now);
    // Placed = checked and sent; the venue's fills may arrive before its reply does.
    this.emit("order.placed", {
      trader: r.trader,
      market: r.market,
      side: r.side,
      type: r.type,
      amount: r.amount,
      clientOrderId,
    });
    let order: Order;
    try {
      order = await this.options.venue.createOrder(r.market, r.type, r.side, r.amount, r.price, {
        clientOrderId,
      });
    } catch (err) {
      this.emit("order.rejected", {
        trader: r.trader,
        market: r.market,
        clientOrderId,
        error: String(err),
      });
      throw err;
    }
    this.mandates.commit(auth);
    // Reports, fill events and risk updates after the reply has gone out: the Trader waits on it.
    setImmediate(() => this.onOrders([order]));
    return order;
  }

  private async cancel(r: CancelRequest): Promise<Order> {
    const order = this.orders.openOf(r.trader, r.id);
    if (order === undefined) {
      throw new OrderNotFoundError(`${r.trader} has no open order ${r.id} on ${this.id}`);
    }
    return this.options.venue.cancelOrder(r.id, order.symbol);
  }

  /** Exact quote notional of an order: its price, or the touch for a market order. */
  private notionalOf(r: PlaceRequest): bigint {
    const decimals = this.quoteDecimals(r.market);
    let price = r.price;
    if (price === undefined) {
      const t = this.data.ticker(r.market);
      price = r.side === "buy" ? (t?.ask ?? t?.last) : (t?.bid ?? t?.last);
    }
    if (price === undefined)
      throw new RiskDeniedError(`${this.id} has no price for ${r.market} yet`);
    const cost = Number(price) * Number(r.amount);
    if (!Number.isFinite(cost) || cost <= 0) {
      throw new InvalidInputError(
        `order amount ${r.amount} at ${price} is not a positive notional`,
      );
    }
    return parseDecimal(cost.toFixed(decimals), decimals);
  }

  private quoteDecimals(market: string): number {
    let decimals = this.quoteDecimalsOf.get(market);
    if (decimals === undefined) {
      decimals = this.options.assetDecimals[parseMarket(market).quote] ?? 8;
      this.quoteDecimalsOf.set(market, decimals);
    }
    return decimals;
  }

  /** The cache answers candles, tickers and balances; the book is fresh from the venue. */
  private answerCache(r: CacheRequest): unknown {
    if (r !== null && typeof r === "object" && r.op === "book") {
      if (typeof r.market !== "string" || !this.watching.includes(r.market)) {
        throw new InvalidInputError(`${this.id} does not watch ${String(r.market)}`);
      }
      return this.options.venue.fetchOrderBook(
        r.market,
        typeof r.limit === "number" ? r.limit : 20,
      );
    }
    return this.data.answer(r);
  }

  // ---- execution reports ----

  private onOrders(orders: Order[]): void {
    for (const order of orders) {
      const update = this.orders.update(order);
      if (update === undefined) continue;
      const { owner, filledDelta } = update;
      if (filledDelta > 0) {
        const price = Number(order.average ?? order.price ?? "0");
        const decimals = this.quoteDecimals(owner.market);
        this.risk.recordFill(
          owner.market,
          owner.side,
          parseDecimal((filledDelta * price).toFixed(decimals), decimals),
        );
        this.emit("order.filled", {
          trader: owner.trader,
          market: owner.market,
          side: owner.side,
          filled: order.filled,
          average: order.average,
          id: order.id,
        });
      }
      // After the reply: the requester waits on the reply, reports are for later fills.
      this.publishSoon(deskReport(this.id, owner.trader), { order });
    }
  }

  /** Calls `next` again and again while running (and `wanted`), handing each update to `handle`. */
  private async pump<T>(
    next: () => Promise<T>,
    handle: (value: T) => void,
    wanted: () => boolean = () => true,
  ): Promise<void> {
    while (this.running && wanted()) {
      try {
        const value = await next();
        if (wanted()) handle(value);
      } catch (err) {
        if (err instanceof ClosedError || !this.running) return;
        this.log.warn({ err }, "a venue stream failed; retrying in a second");
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 1_000));
      }
    }
  }
}
