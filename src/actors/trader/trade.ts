/**
 * A Trader's trade, once its Holder accepted the proposal: it waits for the strategy's entry
 * signal (entry-wait.ts bounds the wait), buys through the Desk with the allocation, watches the
 * position — the strategy's exit signal, the stop loss and take profit (exit-levels.ts), a
 * person's `exit` — sells, and reports the realised result to the Holder. The Trader owns the
 * lifecycle (machine.ts: entering → inPosition → exiting → reporting); the trade moves it on.
 *
 * Invariants:
 * - Signals come from closed candles only; the exits are checked on every ticker. Paused, it
 *   starts no entry and follows no exit signal; a position held stays protected by its exits.
 * - One order at a time, each request bounded in the Trader's clock; after that the order is
 *   unknown, and the Desk's reports of it still count.
 * - The position is exact (position.ts): every state of its orders the Desk sends, reply or
 *   report, goes in once. What is held — never what a reply said — tells whether the entry filled
 *   and whether the exit is done: it never reports a position closed while a lot is still held.
 * - Once the Trader has ended, nothing the trade learns changes anything.
 * - On a perpetual or delivery future the trade may go short — only when its strategy declares
 *   `needs.short` (so its Holder checked it may) — and sizes at the strategy's leverage: the
 *   allocation is the margin, orders name the leverage, and every exit order is reduceOnly, so an
 *   exit can only close the position, never reverse it.
 */
import type { Bus } from "../../bus/bus.js";
import { deskCache, holderReport } from "../../bus/subjects.js";
import { ratioOf } from "../../domain/fixed.js";
import { parseMarket } from "../../domain/market.js";
import { type Candle, candleFromOHLCV, type OHLCV, type Ticker } from "../../domain/market-data.js";
import type { Order } from "../../domain/order.js";
import type { Logger } from "../../log/logger.js";
import type { Signal, StrategyContext, StrategyInstance } from "../../strategy/strategy.js";
import type { Clock } from "../../time/clock.js";
import type { Mandate } from "../mandate.js";
import { askWithin } from "../runtime/ask.js";
import { signOutcome } from "../trader-signature.js";
import { DeskOrders, ORDER_WAIT_MS } from "./desk-orders.js";
import { EntryWait } from "./entry-wait.js";
import type { Candidate } from "./evaluate.js";
import { ExitLevels } from "./exit-levels.js";
import { FeedHealth } from "./feed-health.js";
import type { TraderEvent } from "./machine.js";
import { NativeStop } from "./native-stop.js";
import { TraderPosition } from "./position.js";
import type { DeskPosition, SavedTrade } from "./saved.js";
import type { TraderEnd, TraderOptions, TraderOutcome } from "./types.js";

/** Percent of the allocation kept aside for fees and the spread. */
const ENTRY_MARGIN_PCT = 2n;

/** What the trade reaches of its Trader. */
export interface TradeOptions {
  trader: TraderOptions;
  bus: Bus;
  clock: Clock;
  log: Logger;
  /** The Trader's lifecycle state, and how the trade moves it on. */
  state: () => string;
  send: (event: TraderEvent) => void;
  emit: (event: string, fields: Record<string, unknown>) => void;
  paused: () => boolean;
  /** True once the Trader has ended. */
  over: () => boolean;
  fail: (err: unknown) => void;
  end: (end: TraderEnd) => void;
  /** The attempt is over: its record goes before the report does, so no restart reports twice. */
  forget: () => void;
  /** The stop loss is a stop order at the venue (native-stop.ts), not watched on tickers. */
  nativeStop: boolean;
}

export class Trade {
  readonly book: TraderPosition;
  /** Its signed requests to the Desk's order gateway. */
  readonly orders: DeskOrders;
  readonly exits: ExitLevels;
  readonly #wait: EntryWait;
  #candidate: Candidate | undefined;
  #mandate: Mandate | undefined;
  /** Quote minor units the Holder allocated. */
  #allocation = 0n;
  #instance: StrategyInstance | undefined;
  readonly #ctx: { -readonly [K in keyof StrategyContext]: StrategyContext[K] } = {
    inPosition: false,
    side: undefined,
    entryPrice: Number.NaN,
  };
  /** The entry's average fill price, as the Desk reported it. */
  #entryPrice: string | undefined;
  /** An order is on its way. */
  #busy = false;
  #exitReason = "";
  /** The last traded price seen: a number for the exits, its text for marking and `enter`. */
  #last = Number.NaN;
  #lastText: string | undefined;
  /** A perpetual or delivery future: orders name leverage, exits are reduceOnly. */
  readonly #contract: boolean;
  /** The stop loss held at the venue, where the capabilities allow (else undefined: monitored). */
  readonly #stop: NativeStop | undefined;
  /** The stop's placement, while it is on its way to the venue. */
  #placing: Promise<void> | undefined;
  /** Whether the market feed is fit to open a position on (feed-health.ts). */
  readonly #health: FeedHealth;
  /** An entry signal that came while the feed was unhealthy: taken once it is healthy again. */
  #heldEntry: "long" | "short" | undefined;
  /** The entry being placed, for a second caller to wait on. */
  #entering: Promise<void> | undefined;
  /** Candles that came while the gapped feed was being fetched again: fed after it. */
  #repairing: Candle[] | undefined;

  constructor(private readonly o: TradeOptions) {
    const t = o.trader;
    this.exits = new ExitLevels(t.stopLossPct, t.takeProfitPct);
    this.#wait = new EntryWait(o.clock, t.maxWaitCandles ?? 240);
    this.book = new TraderPosition(t.market, t.venue);
    this.orders = new DeskOrders(t, o.bus, o.clock, () => this.#mandate);
    this.#contract = parseMarket(t.market).kind !== "spot";
    this.#health = new FeedHealth(o.clock.now());
    const closing = () => (this.#contract ? { reduceOnly: true } : {});
    this.#stop = o.nativeStop
      ? new NativeStop(
          {
            place: (side, amount, trigger) =>
              this.orders.place(side, amount, {
                type: "stop_market",
                stopPrice: trigger,
                ...closing(),
              }),
            cancel: (id) => this.orders.cancel(id),
          },
          o.log,
          o.emit,
        )
      : undefined;
  }

  get entryPrice(): string | undefined {
    return this.#entryPrice;
  }

  get allocation(): bigint {
    return this.#allocation;
  }

  /** The last price as a decimal string, if any. */
  mark(): string | undefined {
    return this.#lastText ?? (Number.isFinite(this.#last) ? String(this.#last) : undefined);
  }

  /**
   * The Holder accepted `candidate` with a mandate and an allocation (a decimal string of the
   * quote); until a ticker comes, the last warm-up close is the last price.
   */
  accepted(candidate: Candidate, mandate: Mandate, allocation: string, rows: OHLCV[]): void {
    this.#candidate = candidate;
    this.#mandate = mandate;
    this.book.leverage = this.#leverageOf(candidate);
    this.#allocation = this.book.quoteUnits(allocation);
    const lastRow = rows[rows.length - 1];
    if (lastRow !== undefined && !Number.isFinite(this.#last)) this.#last = lastRow[4];
    // The tickers are followed from now on (trader.ts subscribes after this).
    this.#health.listening(this.o.clock.now());
  }

  /** What a restart needs to take this trade up again (saved.ts); only once accepted. */
  saved(): SavedTrade | undefined {
    const candidate = this.#candidate;
    const mandate = this.#mandate;
    if (candidate === undefined || mandate === undefined) return undefined;
    return {
      strategy: candidate.strategy.name,
      params: { ...candidate.params },
      mandate,
      allocation: this.book.quoteText(this.#allocation),
      spent: String(this.book.spent),
      ...(this.#entryPrice === undefined ? {} : { entryPrice: this.#entryPrice }),
      exits: {
        ...(this.exits.stopLoss === undefined ? {} : { stopLoss: this.exits.stopLoss }),
        ...(this.exits.takeProfit === undefined ? {} : { takeProfit: this.exits.takeProfit }),
        percents: { ...this.exits.percents },
      },
      exitReason: this.#exitReason,
    };
  }

  /**
   * An accepted trade an earlier run left (`saved`) in lifecycle `state`, taken up again with the
   * position the Desk holds now. What the buys cost: as saved once exiting began (sells don't add
   * to it); before that nothing was sold, so it is the Desk's basis — exact even when the crash
   * came between the entry's fill and the record.
   */
  resume(saved: SavedTrade, candidate: Candidate, state: string, desk: DeskPosition): void {
    this.#candidate = candidate;
    this.#mandate = saved.mandate;
    this.book.leverage = this.#leverageOf(candidate);
    this.#allocation = this.book.quoteUnits(saved.allocation);
    this.exits.percents.stopLossPct = saved.exits.percents.stopLossPct;
    this.exits.percents.takeProfitPct = saved.exits.percents.takeProfitPct;
    this.exits.stopLoss = saved.exits.stopLoss;
    this.exits.takeProfit = saved.exits.takeProfit;
    this.#exitReason = saved.exitReason;
    this.book.adopt(desk, state === "exiting" ? BigInt(saved.spent) : undefined);
    this.#stop?.adopt(desk.orders);
    const held = this.book.ledger.quantity !== 0n;
    this.#entryPrice = saved.entryPrice ?? (held ? this.book.ledger.averageEntry() : undefined);
    if (this.#entryPrice !== undefined && state !== "entering") {
      this.#ctx.inPosition = true;
      this.#ctx.side = this.#side();
      this.#ctx.entryPrice = Number(this.#entryPrice);
      this.exits.side = this.#side();
      if (saved.exits.stopLoss === undefined && saved.exits.takeProfit === undefined)
        this.exits.arm(this.#ctx.entryPrice, this.#side());
    }
  }

  /**
   * After `resume`: the trade goes on from its state — still waiting for an entry (entered
   * already, if the Desk holds a fill the record did not), watching the position, or selling out.
   */
  carryOn(state: string): void {
    if (state === "entering") {
      if (this.book.ledger.quantity !== 0n) this.entered(undefined);
      else this.waitForEntry();
    } else if (state === "exiting") void this.sellOut();
    else if (state === "inPosition" && this.#stop?.resting === false) void this.placeStop();
  }

  /** Brings the strategy's indicators up to date on the warm-up candles; their signals are history. */
  prime(rows: readonly OHLCV[]): void {
    const { strategy, params } = this.#candidate!;
    this.#instance = strategy.create(params);
    for (const row of rows) this.#instance.onCandle(candleFromOHLCV(row), this.#ctx);
  }

  /** Starts the clock bound of the wait for an entry signal (it never outlives the mandate). */
  waitForEntry(): void {
    this.#wait.start(this.#mandate!.expiresAt, (why) => {
      if (this.o.state() === "entering" && !this.#busy) void this.exit(why);
    });
  }

  /** The Trader ended: no timer of the trade runs on. */
  close(): void {
    this.#wait.stop();
  }

  /** `adjust sl|tp`: a price, or a percent from the entry price. */
  adjust(which: "sl" | "tp", level: number, percent: boolean): unknown {
    const state = this.o.state();
    const changed = this.exits.adjust(which, level, percent, {
      entry: this.#ctx.entryPrice,
      last: this.#last,
      inPosition: state === "inPosition",
      state,
    });
    if (which === "sl" && this.#stop?.resting === true) void this.moveStop();
    if (Number.isFinite(this.#ctx.entryPrice))
      this.o.emit("trader.adjusted", {
        market: this.o.trader.market,
        [which]: which === "sl" ? this.exits.stopLoss : this.exits.takeProfit,
      });
    return changed;
  }

  onCandle(message: { candle: OHLCV; seq?: unknown }): void {
    if (this.#instance === undefined || !Array.isArray(message?.candle)) return;
    const candle = candleFromOHLCV(message.candle);
    if (this.#repairing !== undefined) {
      this.#repairing.push(candle);
      return;
    }
    if (this.#health.candle(message.seq)) {
      // Candles were missed: the strategy sees them all again, in order, before this one.
      void this.repair(candle);
      return;
    }
    this.candle(candle);
  }

  /** One closed candle into the strategy, and what its signal starts. */
  private candle(candle: Candle): void {
    if (this.#instance === undefined) return;
    if (!Number.isFinite(this.#last)) this.#last = candle.close;
    let signal: Signal | undefined;
    try {
      signal = this.#instance.onCandle(candle, this.#ctx);
    } catch (err) {
      this.o.fail(err);
      return;
    }
    const state = this.o.state();
    if (state === "entering") {
      // A mandate that ran out before any entry signal: nothing to do with it.
      const expired = this.#wait.candle();
      if (expired !== undefined) {
        void this.exit(expired);
        return;
      }
      // Paused: no new entries; a position already held stays protected by its exits.
      const side = signal?.action === "enter" ? signal.side : undefined;
      if ((side === "long" || (side === "short" && this.#mayShort())) && !this.o.paused())
        void this.enter(String(candle.close), side);
      else if (this.#wait.exhausted) void this.exit("no entry signal");
    } else if (state === "inPosition" && signal?.action === "exit" && !this.o.paused()) {
      void this.exit("signal");
    } else if (state === "exiting") {
      void this.sellOut();
    }
  }

  onTicker(message: { ticker: Ticker }): void {
    const text = message?.ticker?.last;
    if (typeof text !== "string") return;
    const last = Number(text);
    if (!Number.isFinite(last)) return;
    this.#last = last;
    this.#lastText = text;
    this.#health.ticker(this.o.clock.now());
    this.takeHeldEntry();
    if (this.o.state() !== "inPosition") return;
    const hit = this.exits.hit(last);
    // A stop the venue holds fires there; its fill ends the position (onReport).
    if (hit === "stop-loss" && this.#stop?.resting === true) return;
    if (hit !== undefined) void this.exit(hit);
  }

  /** A state of one of its orders from the Desk: into the position, once. */
  onReport(message: { order: Order }): void {
    const order = message?.order;
    if (order === null || typeof order !== "object") return;
    try {
      if (!this.book.absorb(order)) return;
    } catch (err) {
      this.o.log.warn({ err, order: order.id }, "an execution report could not be read");
      return;
    }
    // A fill of an entry whose reply was lost (timed out): the position is real, so watch it.
    if (this.o.state() === "entering" && !this.#busy && this.book.ledger.quantity !== 0n)
      this.entered(order);
    // The venue's stop fired and closed the position: the exit has happened.
    else if (
      this.o.state() === "inPosition" &&
      this.#stop?.owns(order) === true &&
      this.book.closableLots === 0n
    )
      void this.exit("stop-loss");
  }

  /**
   * Buys (or, `short`, sells) with the allocation at `price`, less the margin — on a contract the
   * allocation is the margin, so the position is the allocation × the leverage — and ends the
   * trade if nothing is held.
   */
  async enter(price: string, side: "long" | "short" = "long"): Promise<void> {
    // An entry already in flight: the caller waits for it rather than placing a second one.
    if (this.#busy) return this.#entering;
    // No position is opened on a gapped or stale feed: the entry waits for a healthy one.
    const unhealthy = this.#health.unhealthy(this.o.clock.now());
    if (unhealthy !== undefined) {
      if (this.#heldEntry === undefined)
        this.o.emit("trader.entry_held", { market: this.o.trader.market, side, reason: unhealthy });
      this.#heldEntry = side;
      return;
    }
    this.#heldEntry = undefined;
    this.#entering = this.#placeEntry(price, side);
    try {
      await this.#entering;
    } finally {
      this.#entering = undefined;
    }
  }

  /** Why an entry is held (the feed is unhealthy), or undefined when none is. */
  entryHeldFor(): string | undefined {
    if (this.#heldEntry === undefined) return undefined;
    return this.#health.unhealthy(this.o.clock.now()) ?? "waiting for the next ticker";
  }

  async #placeEntry(price: string, side: "long" | "short"): Promise<void> {
    this.#busy = true;
    let last: Order | undefined;
    let why = "entry not filled";
    try {
      const budget = (this.#allocation * (100n - ENTRY_MARGIN_PCT)) / 100n;
      const lots = this.book.lotsFor(budget * BigInt(this.book.leverage), price);
      if (lots <= 0n) why = "allocation too small for one lot";
      else {
        const opening = this.#contract ? { leverage: this.book.leverage } : {};
        const order = side === "long" ? "buy" : "sell";
        last = await this.orders.place(order, this.book.amountOf(lots), opening);
        this.book.absorb(last);
      }
    } catch (err) {
      this.o.log.warn({ err }, "entry failed");
      this.o.emit("trader.entry_failed", { error: String(err) });
      why = "entry refused";
    } finally {
      this.#busy = false;
    }
    // What the Desk reported counts, whatever the reply said (a timed-out order may have filled).
    if (this.book.ledger.quantity !== 0n) this.entered(last);
    else await this.exit(why);
  }

  /** The entry filled (some of it): the position is watched from now on. */
  private entered(order: Order | undefined): void {
    if (this.o.over() || this.o.state() !== "entering") return;
    this.#wait.stop();
    const l = this.book.ledger;
    this.#entryPrice = order?.average ?? l.averageEntry();
    this.#ctx.inPosition = true;
    this.#ctx.side = this.#side();
    this.#ctx.entryPrice = Number(this.#entryPrice);
    this.exits.arm(this.#ctx.entryPrice, this.#side());
    this.o.send({ type: "ENTERED" });
    void this.placeStop();
    this.o.emit("trader.entered", {
      market: this.o.trader.market,
      side: this.#side(),
      amount: l.baseText(l.quantity < 0n ? -l.quantity : l.quantity),
      price: this.#entryPrice,
      cost: l.quoteText(l.basis),
    });
  }

  /** Sells the position and reports, or — not entered yet — reports no trade; else nothing. */
  async exit(reason: string): Promise<void> {
    const state = this.o.state();
    if (state === "inPosition") {
      // Before the transition: the record saved at it carries the reason.
      this.#exitReason = reason;
      this.o.send({ type: "EXIT" });
      await this.sellOut();
    } else if (state === "entering") {
      this.#wait.stop();
      this.o.send({ type: "EXIT" });
      this.o.emit("trader.exited", { market: this.o.trader.market, reason });
      await this.report(0);
    }
  }

  /**
   * Sells what is held (buys back a short). A refused or partial exit leaves the Trader in
   * `exiting`; the next candle tries again — it never reports a position as closed while it still
   * holds it.
   */
  async sellOut(): Promise<void> {
    // A stop still on its way to the venue is waited for: it is then cancelled, never left behind.
    if (this.#placing !== undefined) await this.#placing;
    if (this.#busy || this.o.over()) return;
    this.#busy = true;
    try {
      // The venue's stop first: its base is then free, and it cannot fire after the exit.
      await this.#stop?.cancel();
      const lots = this.book.closableLots;
      const side = this.book.ledger.quantity < 0n ? "buy" : "sell";
      const closing = this.#contract ? { reduceOnly: true } : {};
      if (lots > 0n)
        this.book.absorb(await this.orders.place(side, this.book.amountOf(lots), closing));
    } catch (err) {
      this.o.log.warn({ err }, "exit order failed; retrying at the next candle");
      this.o.emit("trader.exit_failed", { market: this.o.trader.market, error: String(err) });
      return;
    } finally {
      this.#busy = false;
    }
    // A thin book: the rest at the next candle. Under one lot is dust nobody can sell.
    if (this.book.closableLots > 0n || this.o.state() !== "exiting") return;
    this.#ctx.inPosition = false;
    this.o.send({ type: "EXITED" });
    const l = this.book.ledger;
    this.o.emit("trader.exited", {
      market: this.o.trader.market,
      reason: this.#exitReason,
      ...(l.quantity !== 0n ? { dust: l.baseText(l.quantity) } : {}),
    });
    await this.report(1);
  }

  private async report(trades: number): Promise<void> {
    if (this.o.over()) return;
    const t = this.o.trader;
    const candidate = this.#candidate!;
    const pnl = trades === 0 ? 0n : this.book.pnl;
    const outcome: TraderOutcome = {
      trader: t.id,
      market: t.market,
      strategy: candidate.strategy.name,
      params: { ...candidate.params },
      trades,
      pnl: this.book.quoteText(pnl),
      returnPct: ratioOf(pnl, this.book.spent),
      ...(this.#mandate === undefined ? {} : { mandate: this.#mandate.nonce }),
    };
    this.o.forget();
    // Signed: its Holder learns only from reports its own Traders sign.
    const proof = signOutcome(t.keys, t.desk, t.asset, outcome, t.sequence.next());
    this.o.bus.publish(holderReport(t.desk, t.asset), { ...outcome, ...proof });
    this.o.send({ type: "REPORTED" });
    this.o.end({ kind: "reported", outcome });
  }

  /** An entry held for an unhealthy feed, taken at the last price once the feed is healthy. */
  private takeHeldEntry(): void {
    const side = this.#heldEntry;
    const price = this.mark();
    if (side === undefined || price === undefined || this.#busy) return;
    if (this.o.state() !== "entering" || this.o.paused()) return;
    if (this.#health.unhealthy(this.o.clock.now()) !== undefined) return;
    void this.enter(price, side);
  }

  /**
   * A gap in the candles: the market's candles fetched again from the Desk's cache, the strategy
   * primed on them (their signals are history), then the candles that came meanwhile. A failed
   * fetch leaves the feed gapped; the next candle's gap check does not see it again, so it is
   * retried at once on the next candle.
   */
  private async repair(current: Candle): Promise<void> {
    this.#repairing = [current];
    const t = this.o.trader;
    this.o.emit("trader.feed_gap", {
      market: t.market,
      reason: this.#health.unhealthy(this.o.clock.now()),
    });
    try {
      const rows = await askWithin<OHLCV[]>(
        this.o.bus,
        this.o.clock,
        deskCache(t.desk),
        { op: "candles", market: t.market, limit: t.warmupCandles },
        ORDER_WAIT_MS,
        `${t.desk}'s cache`,
      );
      this.prime(Array.isArray(rows) ? rows : []);
      this.#health.repaired();
      const lastTime = rows.at(-1)?.[0] ?? Number.NEGATIVE_INFINITY;
      const waiting = this.#repairing;
      this.#repairing = undefined;
      this.o.emit("trader.feed_repaired", { market: t.market, candles: rows.length });
      for (const c of waiting) if (c.timestamp > lastTime) this.candle(c);
      this.takeHeldEntry();
    } catch (err) {
      this.o.log.warn({ err }, "could not fetch the candles of a gapped feed again");
      const waiting = this.#repairing ?? [];
      this.#repairing = undefined;
      for (const c of waiting) this.candle(c);
    }
  }

  /** The stop loss, at the venue: for the whole position, on the closing side, at its trigger. */
  private placeStop(): Promise<void> {
    const stop = this.#stop;
    const level = this.exits.stopLoss;
    if (stop === undefined || level === undefined || this.#placing !== undefined) {
      return this.#placing ?? Promise.resolve();
    }
    const lots = this.book.closableLots;
    if (lots <= 0n || this.o.over()) return Promise.resolve();
    const long = this.book.ledger.quantity > 0n;
    const trigger = this.book.onTick(level, long ? "down" : "up");
    this.#placing = stop
      .place(long ? "sell" : "buy", this.book.amountOf(lots), trigger)
      .then(async () => {
        // Exited while it was being placed: it must not outlive the position.
        if (this.o.state() !== "inPosition") await stop.cancel();
      })
      .finally(() => {
        this.#placing = undefined;
      });
    return this.#placing;
  }

  /** `adjust sl` with a stop at the venue: cancelled and placed again at the new level. */
  private async moveStop(): Promise<void> {
    await this.#stop?.cancel();
    await this.placeStop();
  }

  /** The strategy's leverage on a contract (1 when it names none); always 1 on spot. */
  #leverageOf(candidate: Candidate): number {
    return this.#contract ? (candidate.strategy.needs?.leverage ?? 1) : 1;
  }

  /** A short entry is taken only on a contract, by a strategy that declared it (its Holder checked). */
  #mayShort(): boolean {
    return this.#contract && this.#candidate?.strategy.needs?.short === true;
  }

  #side(): "long" | "short" {
    return this.book.ledger.quantity < 0n ? "short" : "long";
  }
}
