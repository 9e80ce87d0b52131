/**
 * The Desk: one per exchange account, the only door to the venue.
 *
 * - Market data: for each watched market it publishes closed candles and tickers (each message with
 *   a per-subject sequence number) and keeps recent candles in a cache others query by
 *   request/reply, so a Trader warms up without touching the venue.
 * - Orders (`crypy.desk.<desk>.order`): trading state, then the Holder's mandate, then the risk
 *   limits, then the venue, with a deterministic client order id `<desk>-<market token>-<seq>`.
 *   Every refusal is a typed error that names its reason. Execution reports go to the owning actor.
 * - Capabilities (`crypy.desk.<desk>.capabilities`): what its venue allows, derived at start from
 *   the markets it loaded, the venue's `has` and its rules; published then, and answered by the
 *   cache op `capabilities` for a Holder that starts later.
 * - Kill switch: `halt` cancels every open order and refuses new ones (cancels still pass) until
 *   `resume`.
 */
import { createActor } from "xstate";
import { deskCache, deskCapabilities, deskOrder, deskReport } from "../../bus/subjects.js";
import { InvalidInputError, OrderNotFoundError } from "../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import type { BalancesAt } from "../../domain/ledger-entry.js";
import { parseMarket } from "../../domain/market.js";
import type { Order } from "../../domain/order.js";
import { crashPoint } from "../../journal/crash-point.js";
import type { Market, Venue } from "../../venues/venue.js";
import {
  type Capabilities,
  deskCapabilities as capabilitiesOf,
  type VenueRules,
} from "../capabilities/index.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import type { KeyRing } from "../identity/key-ring.js";
import { ActorKeys } from "../identity/keys.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import { deskCommands, deskSettings } from "./commands.js";
import { budgetsView } from "./gateway/budgets.js";
import {
  type CancelRequest,
  OrderGateway,
  type OwnedUpdate,
  type PlaceRequest,
  type PositionRequest,
} from "./gateway/order-gateway.js";
import type { PositionReply } from "./gateway/requests.js";
import {
  BalanceBaseline,
  balancesEntry,
  fetchBalancesAt,
  watchBalancesAt,
} from "./journal/balance-baseline.js";
import {
  type BalanceCheck,
  type BalanceTolerance,
  checkBalances,
  DEFAULT_BALANCE_TOLERANCE,
} from "./journal/balance-check.js";
import type { BalancesEntry, DeskEntry, DeskJournal } from "./journal/entries.js";
import { reconcileOrders } from "./journal/reconcile.js";
import { deskMachine } from "./machine.js";
import { MandateBook } from "./mandate-book.js";
import { type CacheRequest, DeskMarketData } from "./market-data.js";
import { type FeedEnv, followMarket, seedMarket } from "./market-feeds.js";
import { MarketRules } from "./market-rules.js";
import { pump } from "./pump.js";
import type { RiskLimits } from "./risk.js";
import { RiskGates } from "./risk-gates.js";

export type { CancelRequest, PlaceRequest } from "./gateway/order-gateway.js";

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
  /**
   * Where Holder keys an operator registered are kept (keys/holders/<holder>.pub): trusted at start,
   * and written by `trust`. Never a key announced on the bus. Default: none kept.
   */
  keys?: KeyRing;
  /**
   * How far through the touch a market order may fill, a decimal fraction (default "0.01"): it is
   * sent as an IOC limit at that price, which bounds what it can cost.
   */
  slippage?: string;
  /**
   * Where the Desk's intents, order states and trading state go before it acts on them, and what
   * it replays and reconciles at start (journal/entries.ts). None: nothing survives a restart.
   */
  journal?: DeskJournal;
  /** Journal entries between two snapshots of the books (default 10,000). */
  snapshotEvery?: number;
  /**
   * How far a balance at restart may differ from what the journal and the venue's fills and
   * deposits explain before the Desk starts HALTED (journal/balance-check.ts). Default: 0.01 %
   * of the balance, or 0.00000001 of the asset, whichever is larger.
   */
  balanceTolerance?: BalanceTolerance;
  /**
   * The venue's rules beyond `has` and its markets: order types, times in force, and what its
   * venue file switches off. Default: market and limit orders, nothing switched off.
   */
  venueRules?: VenueRules;
}

export class Desk extends Actor {
  private readonly machine = createActor(deskMachine);
  private readonly mandates: MandateBook;
  private readonly data: DeskMarketData;
  private readonly risk: RiskGates;
  private readonly gateway: OrderGateway;
  /** This Desk's public key (its identity; peers may pin it). */
  readonly publicKey: string;
  /** Per market the Desk trades: its rules and what an order on it may cost (from loadMarkets). */
  private readonly rules: MarketRules;
  private running = false;
  /** Markets published and cached now: the template's, changed by `watch`/`unwatch`. */
  private readonly watching: string[];
  private venueMarkets: readonly string[] = [];
  private readonly trusted: string[] = [];
  /** The options' journal, counting entries for snapshots (see `counting`). */
  private readonly journal: DeskJournal | undefined;
  /** The journal refused an entry: the Desk halted for it, once. */
  private journalBroken = false;
  /** Journal entries since the last snapshot of the books. */
  private appended = 0;
  private snapshotting = false;
  /** The journal's last balances, asset by asset: the restart's balance check starts there. */
  private readonly baseline = new BalanceBaseline();
  /** The last trading-state entry, kept in every snapshot. */
  private lastState: DeskEntry | undefined;
  /** Why the Desk starts HALTED (its journal says so, or the venue disagrees with it). */
  private haltAtStart: string | undefined;
  /** Equity when the Desk started, for the session's PnL (quote minor units). */
  private startEquity: bigint | undefined;
  /** What its venue allows, known once the markets are loaded. */
  #capabilities: Capabilities | undefined;

  constructor(
    private readonly options: DeskOptions,
    env: ActorEnv,
  ) {
    super(options.id, "desk", env);
    this.rules = new MarketRules(options.id, options.assetDecimals);
    this.watching = [...options.watch];
    this.machine.subscribe({ error: (err) => this.log.error({ err }, "desk machine error") });
    this.machine.start();
    this.mandates = new MandateBook((market) => this.rules.quoteDecimalsOf(market));
    this.risk = new RiskGates(options.risk, (asset) => this.rules.decimalsOf(asset));
    this.journal = options.journal === undefined ? undefined : this.counting(options.journal);
    this.gateway = new OrderGateway({
      desk: options.id,
      venue: options.venue,
      clock: this.clock,
      log: this.log,
      mandates: this.mandates,
      risk: this.risk,
      exposure: (market) => this.rules.exposureOf(market),
      ticker: (market) => this.data.ticker(market),
      slippage: () => this.risk.limits.maxSlippage ?? options.slippage ?? "0.01",
      state: () => this.state,
      onUpdate: (update) => this.onOwnedUpdate(update),
      emit: (event, fields) => this.emit(event, fields),
      balance: (asset) => {
        const total = this.data.balance()?.[asset]?.total;
        return total === undefined
          ? undefined
          : parseDecimal(total, this.rules.decimalsOf(asset), "down");
      },
      ...(this.journal === undefined
        ? {}
        : {
            journal: this.journal,
            journalFailed: (err: unknown) => this.journalFailed(err),
          }),
    });
    this.data = new DeskMarketData(
      env.bus,
      options.id,
      this.watching,
      options.cacheCandles ?? 5_000,
      (subject, payload) => this.publishSoon(subject, payload),
      (market, limit) => options.venue.fetchOrderBook(market, limit),
    );
    this.trustRegistered();
    // Its own identity, like every actor's: kept in the state directory across restarts.
    this.publicKey = (options.keys?.keys(options.id) ?? ActorKeys.generate()).publicKey;
  }

  get state(): string {
    return String(this.machine.getSnapshot().value);
  }

  /** What its venue allows (undefined until started). */
  get capabilities(): Capabilities | undefined {
    return this.#capabilities;
  }

  /** The Holder keys an operator registered (the state directory's), trusted from the start. */
  private trustRegistered(): void {
    for (const [holder, key] of this.options.keys?.trusted("holders") ?? [])
      this.trustHolder(holder, key);
  }

  /** `trust <holder> <publicKey>`: an operator registers a Holder's key, kept for later starts. */
  private registerHolder(holder: string, publicKey: string): { trusted: string } {
    this.trustHolder(holder, publicKey);
    this.options.keys?.trust("holders", holder, publicKey);
    this.emit("desk.trusted", { holder });
    return { trusted: holder };
  }

  /** A Holder's public key: its mandates are trusted from now on. */
  trustHolder(holder: string, publicKey: string): void {
    this.mandates.trust(holder, publicKey);
    if (!this.trusted.includes(holder)) this.trusted.push(holder);
  }

  revokeMandate(nonce: string): void {
    this.mandates.revoke(nonce);
    this.journalQuietly({ kind: "desk.revoked", nonce });
  }

  async start(): Promise<void> {
    const venue = this.options.venue;
    try {
      const markets = await venue.loadMarkets();
      this.venueMarkets = Object.keys(markets).sort();
      for (const market of Object.values(markets)) this.rules.add(market);
      this.#capabilities = capabilitiesOf(
        this.id,
        venue,
        markets,
        this.watching,
        this.options.venueRules,
      );
      for (const market of this.watching) await this.seed(market);
      const now = await fetchBalancesAt(venue);
      if (this.options.journal !== undefined)
        await this.recover(this.options.journal, markets, now);
      this.data.onBalances(now.balances);
      this.journalBalances(balancesEntry(now));
      this.startEquity = this.data.equityIn(this.quote, this.rules.decimalsOf(this.quote));
    } catch (err) {
      this.machine.send({ type: "FAIL", error: String(err) });
      throw err;
    }
    this.running = true;
    this.startActor();
    this.keep(
      this.bus.serve<PlaceRequest | CancelRequest | PositionRequest>(deskOrder(this.id), (r) =>
        this.onOrderRequest(r),
      ),
    );
    this.keep(
      this.bus.serve<CacheRequest | { op: "capabilities" }>(deskCache(this.id), (r) =>
        r !== null && typeof r === "object" && r.op === "capabilities"
          ? (this.#capabilities ?? null)
          : this.data.answer(r as CacheRequest),
      ),
    );
    // Retained-ish: a Holder already listening hears them now; one that starts later asks.
    this.publishSoon(deskCapabilities(this.id), this.#capabilities);
    for (const market of this.watching) this.pumpMarket(market);
    void this.follow(
      () => venue.watchOrders(),
      (orders) => this.onOrders(orders),
    );
    void this.follow(
      () => watchBalancesAt(venue),
      (update) => {
        this.data.onBalances(update.balances);
        this.journalBalances(balancesEntry(update));
      },
    );
    this.machine.send({ type: "STARTED" });
    if (this.haltAtStart !== undefined) {
      this.machine.send({ type: "HALT" });
      this.emit("desk.halted", { reason: this.haltAtStart, cancelled: 0 });
    }
  }

  private seed(market: string): Promise<void> {
    return seedMarket(this.feeds(), market, this.options.cacheCandles ?? 5_000);
  }

  /** Candles and tickers of `market` (mark and funding on a contract), while it is watched. */
  private pumpMarket(market: string): void {
    followMarket(this.feeds(), market, () => this.watching.includes(market));
  }

  private feeds(): FeedEnv {
    const { venue } = this.options;
    return {
      venue,
      data: this.data,
      clock: this.clock,
      log: this.log,
      running: () => this.running,
    };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.machine.send({ type: "STOP" });
    // Order states on their way to the journal are reported once durable: before it says stopped.
    await this.gateway.durable();
    this.emit("actor.stopped");
    this.stopActor();
  }

  /**
   * The journal's record of an earlier run, replayed, then checked against the venue before the
   * Desk takes an order: every order left open or unknown is looked up by its client order id
   * (fills since are taken in and journaled; one the venue never received is released); open
   * orders the journal never saw are reported as external and left alone; a halt stays a halt.
   * Then the balances: a change neither fills nor deposits explain starts the Desk HALTED.
   */
  private async recover(
    journal: DeskJournal,
    markets: Readonly<Record<string, Market>>,
    now: BalancesAt,
  ): Promise<void> {
    const entries = journal.recovered;
    if (entries.length === 0) return;
    this.gateway.restore(entries);
    crashPoint("desk.recover.replayed");
    const found = await reconcileOrders(this.gateway, this.options.venue);
    const last = [...entries].reverse().find((e) => e.kind === "desk.state");
    if (last?.kind === "desk.state") this.lastState = last;
    if (last?.kind === "desk.state" && last.state === "halted")
      this.haltAtStart = `halted before the restart (${last.reason})`;
    this.emit("desk.recovered", {
      entries: entries.length,
      open: this.gateway.orders.openCount,
      lookedUp: found.lookedUp,
      lost: found.lost,
      external: found.external.length,
    });
    for (const order of found.external) {
      this.emit("order.external", {
        market: order.symbol,
        side: order.side,
        id: order.id,
        clientOrderId: order.clientOrderId,
      });
    }
    for (const entry of entries) if (entry.kind === "desk.balances") this.baseline.take(entry);
    this.judgeBalances(
      await checkBalances({
        venue: this.options.venue,
        markets,
        baseline: this.baseline,
        now,
        tolerance: this.options.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE,
      }),
    );
  }

  /**
   * A mismatch halts the Desk at start, and is journaled as a halt so that it stays one across
   * restarts until an operator resumes; the balances now become the journal's (start journals
   * them), so a resume accepts them.
   */
  private judgeBalances(check: BalanceCheck): void {
    if (check.kind === "skipped") {
      this.emit("desk.balances_unchecked", { reason: check.reason });
    } else if (check.kind === "explained") {
      if (check.assets.length > 0) this.emit("desk.balances_explained", check);
    } else {
      this.haltAtStart =
        this.haltAtStart === undefined ? check.reason : `${this.haltAtStart}; ${check.reason}`;
      this.journalQuietly({ kind: "desk.state", state: "halted", reason: check.reason });
    }
  }

  /** Balances as the venue reported them: journaled, and the next restart's starting point. */
  private journalBalances(entry: BalancesEntry): void {
    this.baseline.take(entry);
    this.journalQuietly(entry);
  }

  /** The journal refused an entry: nothing more is sent; the Desk halts, once, saying why. */
  private journalFailed(err: unknown): void {
    // Once: the halt journals too, and would fail again (before STARTED a halt is not a state
    // the machine can be in, so the state alone cannot say it was done).
    if (this.journalBroken) return;
    this.journalBroken = true;
    this.log.error({ err }, "the journal failed: halting");
    if (this.state === "starting") {
      // Not trading yet: it starts halted (start() halts it once STARTED).
      this.haltAtStart = `journal failed: ${String(err)}`;
      return;
    }
    void this.halt(`journal failed: ${String(err)}`).catch((e: unknown) =>
      this.log.error({ err: e }, "halt after a journal failure"),
    );
  }

  /** An entry whose loss a restart repairs from the venue (state changes, balances). */
  private journalQuietly(entry: DeskEntry): void {
    if (this.journal === undefined) return;
    if (entry.kind === "desk.state") this.lastState = entry;
    this.journal.append(entry).catch((err: unknown) => this.journalFailed(err));
  }

  /**
   * The journal, counting entries: every `snapshotEvery` of them the books are snapshotted, so a
   * restart replays one compacted entry and a short tail instead of everything since the start.
   * The books are taken in the same turn as the snapshot call, so they hold exactly what the
   * entries up to it did; an entry queued just after is replayed on top, and taking a state
   * twice changes nothing.
   */
  private counting(journal: DeskJournal): DeskJournal {
    return {
      recovered: journal.recovered,
      append: async (entry) => {
        await journal.append(entry);
        this.appended += 1;
        if (this.appended >= (this.options.snapshotEvery ?? 10_000)) this.snapshot(journal);
      },
    };
  }

  private snapshot(journal: DeskJournal): void {
    if (journal.snapshot === undefined || this.snapshotting) return;
    this.appended = 0;
    this.snapshotting = true;
    const books: DeskEntry[] = [this.gateway.books()];
    if (this.lastState !== undefined) books.push(this.lastState);
    books.push(...this.baseline.entries());
    journal
      .snapshot(books)
      .catch((err: unknown) => this.journalFailed(err))
      .finally(() => {
        this.snapshotting = false;
      });
  }

  /** Cancels every open order and refuses new ones until `resume`. Resolves when all are cancelled. */
  async halt(reason = "operator"): Promise<{ cancelled: number }> {
    this.machine.send({ type: "HALT" });
    this.journalQuietly({ kind: "desk.state", state: "halted", reason });
    crashPoint("desk.halt.before-cancel");
    const cancelled = await this.gateway.cancelAll();
    crashPoint("desk.halt.cancelled");
    this.emit("desk.halted", { reason, cancelled: cancelled.length });
    return { cancelled: cancelled.length };
  }

  /** Trades again after `halt` or `pause`. */
  override resume(): { state: string } {
    this.machine.send({ type: "RESUME" });
    this.journalQuietly({ kind: "desk.state", state: "active", reason: "resume" });
    super.resume();
    this.emit("desk.resumed");
    return { state: this.state };
  }

  /** REDUCING: only orders that reduce a position pass, until `resume`. */
  protected override pause(): unknown {
    this.machine.send({ type: "REDUCE" });
    this.journalQuietly({ kind: "desk.state", state: "reducing", reason: "pause" });
    super.pause();
    this.emit("desk.reducing");
    return { state: this.state };
  }

  protected status(): Record<string, unknown> {
    const decimals = this.rules.decimalsOf(this.quote);
    const equity = this.data.equityIn(this.quote, decimals);
    const money = (units: bigint | undefined) =>
      units === undefined ? undefined : formatDecimal(units, decimals);
    return {
      venue: this.options.venue.id,
      watch: this.watching,
      openOrders: this.gateway.orders.openCount,
      quote: this.quote,
      equity: money(equity),
      pnl:
        equity === undefined || this.startEquity === undefined
          ? undefined
          : money(equity - this.startEquity),
      positions: Object.fromEntries(
        this.watching.map((m) => [
          m,
          formatDecimal(this.risk.positionOf(m), this.rules.decimalsOf(parseMarket(m).quote)),
        ]),
      ),
      holders: this.trusted,
      publicKey: this.publicKey,
      capabilities: this.#capabilities,
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
      openOrders: () => this.openOrders(),
      cancel: (id, who) => this.operatorCancel(id, who),
      limits: () => this.risk.limits,
      mandates: () =>
        budgetsView(this.mandates, this.gateway.orders, (asset) => this.rules.decimalsOf(asset)),
      trust: (holder, publicKey) => this.registerHolder(holder, publicKey),
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

  /** Open orders the venue has acknowledged, as it last reported them. */
  private openOrders(): Order[] {
    const open: Order[] = [];
    for (const o of this.gateway.orders.open()) if (o.last !== undefined) open.push(o.last);
    return open;
  }

  /** An operator's cancel: any open order, by venue or client id, or all (without halting). */
  private async operatorCancel(idOrAll: string, who: string): Promise<{ cancelled: string[] }> {
    if (typeof idOrAll !== "string")
      throw new InvalidInputError(
        `cancel needs an order id or all, got ${JSON.stringify(idOrAll)}`,
      );
    if (idOrAll === "all") {
      const cancelled = await this.gateway.cancelAll();
      this.emit("desk.cancelled", { by: who, orders: cancelled.length });
      return { cancelled: cancelled.map((o) => o.clientOrderId) };
    }
    const owned = this.gateway.orders
      .open()
      .find((o) => o.last?.id === idOrAll || o.clientOrderId === idOrAll);
    if (owned === undefined) {
      throw new OrderNotFoundError(`${this.id} has no open order ${idOrAll} (see 'orders')`);
    }
    const cancelled = await this.gateway.cancelOwned(owned);
    this.emit("desk.cancelled", { by: who, orders: 1 });
    return { cancelled: [cancelled.clientOrderId] };
  }

  // ---- orders ----

  private onOrderRequest(
    request: PlaceRequest | CancelRequest | PositionRequest,
  ): Promise<Order> | PositionReply {
    if (request === null || typeof request !== "object") {
      throw new InvalidInputError(
        "an order request must be an object with op 'place', 'cancel' or 'position'",
      );
    }
    if (request.op === "cancel") return this.gateway.cancel(request);
    if (request.op === "position") {
      if (typeof request.trader !== "string" || !this.watching.includes(request.market))
        throw new InvalidInputError(
          `a position request needs a trader and a market ${this.id} trades (${this.watching.join(", ")})`,
        );
      return this.gateway.positionOf(request.trader, request.market);
    }
    if (request.op !== "place") {
      throw new InvalidInputError(
        `unknown order op ${JSON.stringify((request as { op?: unknown }).op)}`,
      );
    }
    if (typeof request.market !== "string" || !this.watching.includes(request.market)) {
      throw new InvalidInputError(
        `${this.id} does not trade ${String(request.market)} (markets: ${this.watching.join(", ")})`,
      );
    }
    return this.gateway.place(request);
  }

  /** Follows a venue stream while the Desk runs (and `wanted`). */
  private follow<T>(
    next: () => Promise<T>,
    handle: (value: T) => void,
    wanted: () => boolean = () => true,
  ): Promise<void> {
    return pump(next, handle, () => this.running && wanted(), { clock: this.clock, log: this.log });
  }

  // ---- execution reports ----

  private onOrders(orders: Order[]): void {
    for (const order of orders) this.gateway.take(order);
  }

  /** A new state of an owned order, already accounted: its fill event and the owner's report. */
  private onOwnedUpdate({ owner, order, fill }: OwnedUpdate): void {
    if (fill !== undefined) {
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
