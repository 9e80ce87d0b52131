/**
 * The Trader: one strategy attempt on one pair (see machine.ts for the lifecycle).
 *
 * It warms up from the Desk's cache, evaluates its candidates out-of-sample, proposes the best to
 * its Holder, and — with the Holder's mandate — waits for its strategy's next entry signal, buys
 * through the Desk, watches the position (exit signal, stop loss, take profit, a manual `exit`),
 * sells, and reports the realised result to the Holder. Signals come from closed candles only.
 *
 * Its position is exact (position.ts): a PositionLedger fed from the Desk's order replies and
 * execution reports, each execution once; events, `status` and `position` carry decimal strings.
 * Every wait is bounded in its own clock: the warm-up, the Holder's answer (its review window and a
 * margin), each order request, and the wait for an entry signal; a late answer changes nothing.
 */
import { createActor } from "xstate";
import {
  deskCache,
  deskOrder,
  deskReport,
  holderProposal,
  holderReport,
  marketData,
} from "../../bus/subjects.js";
import { InvalidInputError, TimeoutError } from "../../domain/errors.js";
import type { OHLCV, Ticker } from "../../domain/market-data.js";
import type { Order } from "../../domain/order.js";
import { CandleSeries } from "../../sim/data/index.js";
import type { Metrics } from "../../strategy/backtest/types.js";
import type { Signal, StrategyContext, StrategyInstance } from "../../strategy/strategy.js";
import type { TimerHandle } from "../../time/clock.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import type { Mandate } from "../mandate.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import { askWithin, duration } from "../runtime/ask.js";
import { traderTemplateSchema } from "../templates/schema.js";
import { traderCommands } from "./commands.js";
import { type Evaluation, evaluate } from "./evaluate.js";
import { ExitLevels } from "./exit-levels.js";
import { traderMachine } from "./machine.js";
import { TraderPosition } from "./position.js";
import type { ProposalReply, TraderEnd, TraderOptions, TraderOutcome } from "./types.js";

export type { ProposalReply, TraderEnd, TraderOptions, TraderOutcome } from "./types.js";

/** Default wait for the Holder's answer: its default review window (30 min) and a minute. */
const PROPOSAL_WAIT_MS = 31 * 60_000;
/** Clock time an order request may take; after it the order is unknown, and reports still count. */
const ORDER_WAIT_MS = 60_000;
/** Clock time a cache request may take before it is asked again. */
const CACHE_WAIT_MS = 60_000;
const CANDLE_MS = 60_000;
/** Percent of the allocation kept aside for fees and the spread. */
const ENTRY_MARGIN_PCT = 2n;

export class Trader extends Actor {
  private readonly machine = createActor(traderMachine);
  private evaluation: Evaluation | undefined;
  private mandate: Mandate | undefined;
  /** Quote minor units the Holder allocated. */
  private allocation = 0n;
  private instance: StrategyInstance | undefined;
  private readonly ctx: { -readonly [K in keyof StrategyContext]: StrategyContext[K] } = {
    inPosition: false,
    side: undefined,
    entryPrice: Number.NaN,
  };
  private readonly book: TraderPosition;
  /** The entry's average fill price, as the Desk reported it. */
  private entryPrice: string | undefined;
  private waited = 0;
  private busy = false;
  private stopped = false;
  private exitReason = "";
  /** The last traded price seen: a number for the exits, its text for marking and `enter`. */
  private last = Number.NaN;
  private lastText: string | undefined;
  /** Ends the wait for an entry signal (clock time, or the mandate's expiry). */
  private enterBy: TimerHandle | undefined;
  private readonly exits: ExitLevels;
  private finish!: (end: TraderEnd) => void;
  /** Resolves when the Trader has ended, with how. */
  readonly ended: Promise<TraderEnd>;

  constructor(
    private readonly options: TraderOptions,
    env: ActorEnv,
  ) {
    super(options.id, "trader", env);
    this.exits = new ExitLevels(options.stopLossPct, options.takeProfitPct);
    this.book = new TraderPosition(options.market, options.venue);
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.machine.subscribe({ error: (err) => this.fail(err) });
    this.machine.start();
  }

  get state(): string {
    return String(this.machine.getSnapshot().value);
  }

  protected status(): Record<string, unknown> {
    const l = this.book.ledger;
    return {
      market: this.options.market,
      strategy: this.evaluation?.candidate.strategy.name,
      params: this.evaluation?.candidate.params,
      position: l.baseText(l.quantity),
      entryPrice: this.entryPrice,
      pnl: this.pnl(),
    };
  }

  /** The last price as a decimal string, if any. */
  private mark(): string | undefined {
    return this.lastText ?? (Number.isFinite(this.last) ? String(this.last) : undefined);
  }

  /**
   * Marked at the last price while in a position; once out, the quote gained or lost (the
   * outcome's pnl); undefined before any trade. Computed on demand, never per tick.
   */
  private pnl(): string | undefined {
    if (this.book.spent === 0n) return undefined;
    const mark = this.mark();
    const open = this.state === "inPosition" || this.state === "exiting";
    return this.book.quoteText(
      open && mark !== undefined ? this.book.markedPnl(mark) : this.book.pnl,
    );
  }

  /** `position`: what is held, its entry, PnL and exits (money as exact decimal strings). */
  private position(): Record<string, unknown> {
    const l = this.book.ledger;
    const mark = this.mark();
    return {
      market: this.options.market,
      state: this.state,
      held: l.baseText(l.quantity),
      entryPrice: this.entryPrice,
      averageEntry: l.averageEntry(),
      last: mark,
      cost: l.quoteText(l.basis),
      realised: l.quoteText(l.realised),
      unrealised: mark === undefined || l.flat ? undefined : l.quoteText(l.unrealised(mark)),
      fees: l.quoteText(l.fees),
      pnl: this.pnl(),
      stopLoss: this.exits.stopLoss,
      takeProfit: this.exits.takeProfit,
      allocation: this.book.quoteText(this.allocation),
    };
  }

  protected override commands(): CommandSpec[] {
    return traderCommands({
      position: () => this.position(),
      strategy: () => this.evaluation?.candidate.strategy.name ?? "(not chosen yet)",
      params: () => this.evaluation?.candidate.params ?? {},
      enter: () => this.enterNow(),
      exit: (reason) => this.exit(reason),
      adjust: (which, level, percent) => this.adjust(which, level, percent),
    });
  }

  protected override settings(): Settings {
    const exits = traderTemplateSchema.shape.exits.out.shape;
    const pct = (key: "stopLossPct" | "takeProfitPct") => ({
      schema: exits[key].unwrap(),
      get: () => this.exits.percents[key],
      set: (value: unknown) => {
        this.exits.percents[key] = value as number;
      },
    });
    return { "exits.stopLossPct": pct("stopLossPct"), "exits.takeProfitPct": pct("takeProfitPct") };
  }

  /** `enter`: buy now, at the last price, instead of waiting for the strategy's signal. */
  private async enterNow(): Promise<unknown> {
    if (this.state !== "entering") {
      throw new InvalidInputError(
        `enter needs an accepted proposal and no position yet; this Trader is ${this.state}`,
      );
    }
    const price = this.mark();
    if (price === undefined)
      throw new InvalidInputError(`no price for ${this.options.market} yet; try again in a moment`);
    await this.enter(price);
    return this.position();
  }

  /** `adjust sl|tp`: a price, or a percent from the entry price. */
  private adjust(which: "sl" | "tp", level: number, percent: boolean): unknown {
    const changed = this.exits.adjust(which, level, percent, {
      entry: this.ctx.entryPrice,
      last: this.last,
      inPosition: this.state === "inPosition",
      state: this.state,
    });
    if (Number.isFinite(this.ctx.entryPrice))
      this.emit("trader.adjusted", {
        market: this.options.market,
        [which]: which === "sl" ? this.exits.stopLoss : this.exits.takeProfit,
      });
    return changed;
  }

  /** Runs the whole attempt; `ended` tells how it went. Never throws: failures end in `failed`. */
  async run(): Promise<TraderEnd> {
    this.startActor();
    try {
      await this.warmAndEvaluate();
    } catch (err) {
      this.fail(err);
    }
    return this.ended;
  }

  private async warmAndEvaluate(): Promise<void> {
    const o = this.options;
    // Warming up: the Desk's cache fills as the market runs; ask again each minute until it is
    // enough, for at most twice the time that many candles take to close.
    const warmBy = this.clock.now() + (2 * o.warmupCandles + 10) * CANDLE_MS;
    let rows: OHLCV[] = [];
    for (;;) {
      rows = await this.ask<OHLCV[]>(
        deskCache(o.desk),
        { op: "candles", market: o.market, limit: o.warmupCandles },
        CACHE_WAIT_MS,
        `${o.desk}'s cache`,
      ).catch((err: unknown) => {
        if (err instanceof TimeoutError) return [];
        throw err;
      });
      if (!Array.isArray(rows))
        throw new InvalidInputError(`${o.desk} answered a cache request with ${typeof rows}`);
      if (rows.length >= o.warmupCandles || this.stopped) break;
      if (this.clock.now() >= warmBy) {
        this.giveUp(`only ${rows.length} of ${o.warmupCandles} warm-up candles after waiting`);
        return;
      }
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, CANDLE_MS));
      if (this.stopped) return;
    }
    if (this.stopped) return;
    const candles = CandleSeries.from(
      rows.map(([timestamp, open, high, low, close, volume]) => ({
        timestamp,
        open,
        high,
        low,
        close,
        volume,
      })),
      CANDLE_MS,
    );
    this.machine.send({ type: "WARMED" });
    const evaluation = evaluate(o.candidates, candles, {
      market: o.market,
      venue: o.venue,
      inSampleFraction: o.inSampleFraction,
      objective: o.objective,
    });
    if (evaluation === undefined) {
      this.machine.send({ type: "NOTHING" });
      this.end({ kind: "nothing", reason: "no candidate could be evaluated" });
      return;
    }
    if (this.stopped) return;
    this.evaluation = evaluation;
    this.machine.send({ type: "EVALUATED" });
    const { strategy, params } = evaluation.candidate;
    this.emit("trader.proposed", {
      market: o.market,
      strategy: strategy.name,
      params,
      outOfSample: summary(evaluation.outOfSample),
    });
    // A proposal may wait for a person: the Holder answers within its review window (its clock's
    // time). A reply lost on the way ends the attempt after that window and a margin.
    const waitMs = o.proposalWaitMs ?? PROPOSAL_WAIT_MS;
    let reply: ProposalReply;
    try {
      reply = await this.ask<ProposalReply>(
        holderProposal(o.desk, o.asset),
        {
          trader: this.id,
          market: o.market,
          strategy: strategy.name,
          params,
          metrics: evaluation.outOfSample,
        },
        waitMs,
        o.holder,
      );
    } catch (err) {
      if (!(err instanceof TimeoutError) || this.over) throw err;
      this.machine.send({ type: "REFUSED" });
      this.end({
        kind: "nothing",
        reason: `no answer to the proposal from ${o.holder} within ${duration(waitMs)}`,
      });
      return;
    }
    // Ended meanwhile (killed, stopped): an answer that comes now starts nothing.
    if (this.over) return;
    if (reply?.accepted !== true || reply.mandate === undefined) {
      this.machine.send({ type: "REFUSED" });
      this.end({ kind: "refused", reason: reply?.reason ?? "no reason given" });
      return;
    }
    this.mandate = reply.mandate;
    this.allocation = this.book.quoteUnits(reply.allocation ?? "0");
    const lastRow = rows[rows.length - 1];
    if (lastRow !== undefined && !Number.isFinite(this.last)) this.last = lastRow[4];
    this.machine.send({ type: "ACCEPTED" });
    // Every state of its orders the Desk reports goes into the position, before any order.
    this.keep(
      this.bus.subscribe<{ order: Order }>(deskReport(o.desk, this.id), (m) => this.onReport(m)),
    );
    // Bring the strategy's indicators up to date on the warm-up candles; their signals are history.
    this.instance = strategy.create(params);
    for (const [timestamp, open, high, low, close, volume] of rows) {
      this.instance.onCandle({ timestamp, open, high, low, close, volume }, this.ctx);
    }
    this.keep(
      this.bus.subscribe<{ candle: OHLCV }>(marketData(o.desk, o.market, "candle-1m"), (m) =>
        this.onCandle(m),
      ),
    );
    this.keep(
      this.bus.subscribe<{ ticker: Ticker }>(marketData(o.desk, o.market, "ticker"), (m) =>
        this.onTicker(m),
      ),
    );
    // The wait for an entry signal is bounded in clock time too (candles may stop coming), and
    // never outlives the mandate.
    const signalWait = ((o.maxWaitCandles ?? 240) + 1) * CANDLE_MS;
    const untilExpiry = this.mandate.expiresAt - this.clock.now();
    this.enterBy = this.clock.setTimeout(
      () => {
        this.enterBy = undefined;
        if (this.state !== "entering" || this.busy) return;
        void this.exit(
          untilExpiry <= signalWait
            ? "mandate expired before an entry signal"
            : `no entry signal within ${duration(signalWait)}`,
        );
      },
      Math.max(0, Math.min(signalWait, untilExpiry)),
    );
  }

  private onCandle(message: { candle: OHLCV }): void {
    if (this.instance === undefined || !Array.isArray(message?.candle)) return;
    const [timestamp, open, high, low, close, volume] = message.candle;
    if (!Number.isFinite(this.last)) this.last = close;
    let signal: Signal | undefined;
    try {
      signal = this.instance.onCandle({ timestamp, open, high, low, close, volume }, this.ctx);
    } catch (err) {
      this.fail(err);
      return;
    }
    const state = this.state;
    if (state === "entering") {
      this.waited++;
      // A mandate that ran out before any entry signal: nothing to do with it.
      if (this.mandate !== undefined && this.clock.now() >= this.mandate.expiresAt) {
        void this.exit("mandate expired before an entry signal");
        return;
      }
      // Paused: no new entries; a position already held stays protected by its exits.
      if (signal?.action === "enter" && signal.side === "long" && !this.paused)
        void this.enter(String(close));
      else if (this.waited >= (this.options.maxWaitCandles ?? 240))
        void this.exit("no entry signal");
    } else if (state === "inPosition" && signal?.action === "exit" && !this.paused) {
      void this.exit("signal");
    } else if (state === "exiting") {
      void this.sellOut();
    }
  }

  private onTicker(message: { ticker: Ticker }): void {
    const text = message?.ticker?.last;
    if (typeof text !== "string") return;
    const last = Number(text);
    if (!Number.isFinite(last)) return;
    this.last = last;
    this.lastText = text;
    if (this.state !== "inPosition") return;
    const hit = this.exits.hit(last);
    if (hit !== undefined) void this.exit(hit);
  }

  /** A state of one of its orders from the Desk: into the position, once. */
  private onReport(message: { order: Order }): void {
    const order = message?.order;
    if (order === null || typeof order !== "object") return;
    try {
      if (!this.book.absorb(order)) return;
    } catch (err) {
      this.log.warn({ err, order: order.id }, "an execution report could not be read");
      return;
    }
    // A fill of an entry whose reply was lost (timed out): the position is real, so watch it.
    if (this.state === "entering" && !this.busy && this.book.ledger.quantity > 0n)
      this.entered(order);
  }

  private async enter(price: string): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    let last: Order | undefined;
    let why = "entry not filled";
    try {
      const budget = (this.allocation * (100n - ENTRY_MARGIN_PCT)) / 100n;
      const lots = this.book.lotsFor(budget, price);
      if (lots <= 0n) why = "allocation too small for one lot";
      else {
        last = await this.order("buy", this.book.amountOf(lots));
        this.book.absorb(last);
      }
    } catch (err) {
      this.log.warn({ err }, "entry failed");
      this.emit("trader.entry_failed", { error: String(err) });
      why = "entry refused";
    } finally {
      this.busy = false;
    }
    // What the Desk reported counts, whatever the reply said (a timed-out order may have filled).
    if (this.book.ledger.quantity > 0n) this.entered(last);
    else await this.exit(why);
  }

  /** The entry filled (some of it): the position is watched from now on. */
  private entered(order: Order | undefined): void {
    if (this.over || this.state !== "entering") return;
    this.clearEnterBy();
    const l = this.book.ledger;
    this.entryPrice = order?.average ?? l.averageEntry();
    this.ctx.inPosition = true;
    this.ctx.side = "long";
    this.ctx.entryPrice = Number(this.entryPrice);
    this.exits.arm(this.ctx.entryPrice);
    this.machine.send({ type: "ENTERED" });
    this.emit("trader.entered", {
      market: this.options.market,
      amount: l.baseText(l.quantity),
      price: this.entryPrice,
      cost: l.quoteText(l.basis),
    });
  }

  /** System shutdown: try to leave the position, then stop whatever happened (never hangs). */
  async shutdown(): Promise<void> {
    await this.exit("system stopping");
    if (this.state === "exiting") await this.sellOut();
    this.stopped = true;
    const l = this.book.ledger;
    const holding =
      l.quantity > 0n ? ` still holding ${l.baseText(l.quantity)} of ${this.options.market}` : "";
    this.end({ kind: "nothing", reason: `system stopped${holding}` });
  }

  /**
   * Its Holder gave up on it (nothing heard from it in time) and revoked its mandate: it stops at
   * once, trading nothing more; what it holds stays at the Desk.
   */
  abandon(reason: string): void {
    if (this.over) return;
    this.stopped = true;
    this.machine.send({ type: "FAIL", error: reason });
    this.end({ kind: "failed", error: reason });
  }

  /** Sells the position (if any) and reports. Safe to call from any state; does nothing twice. */
  async exit(reason: string): Promise<{ state: string }> {
    const state = this.state;
    if (state === "inPosition") {
      this.machine.send({ type: "EXIT" });
      this.exitReason = reason;
      await this.sellOut();
    } else if (state === "entering") {
      this.clearEnterBy();
      this.machine.send({ type: "EXIT" });
      this.emit("trader.exited", { market: this.options.market, reason });
      await this.report(0);
    } else if (
      state !== "ended" &&
      state !== "failed" &&
      state !== "exiting" &&
      state !== "reporting"
    ) {
      // Warming, evaluating or proposing: nothing held, so the attempt just ends.
      this.giveUp(reason);
    }
    return { state: this.state };
  }

  /** Ends an attempt that holds nothing. */
  private giveUp(reason: string): void {
    this.stopped = true;
    this.end({ kind: "nothing", reason });
  }

  /**
   * Sells what is held. A refused or partial sale leaves the Trader in `exiting`; the next candle
   * tries again — it never reports a position as closed while it still holds it.
   */
  private async sellOut(): Promise<void> {
    if (this.busy || this.over) return;
    this.busy = true;
    try {
      const lots = this.book.sellableLots;
      if (lots > 0n) this.book.absorb(await this.order("sell", this.book.amountOf(lots)));
    } catch (err) {
      this.log.warn({ err }, "exit order failed; retrying at the next candle");
      this.emit("trader.exit_failed", { market: this.options.market, error: String(err) });
      return;
    } finally {
      this.busy = false;
    }
    // A thin book: the rest at the next candle. Under one lot is dust nobody can sell.
    if (this.book.sellableLots > 0n || this.state !== "exiting") return;
    this.ctx.inPosition = false;
    this.machine.send({ type: "EXITED" });
    const l = this.book.ledger;
    this.emit("trader.exited", {
      market: this.options.market,
      reason: this.exitReason,
      ...(l.quantity > 0n ? { dust: l.baseText(l.quantity) } : {}),
    });
    await this.report(1);
  }

  private async report(trades: number): Promise<void> {
    if (this.over) return;
    const e = this.evaluation!;
    const pnl = trades === 0 ? 0n : this.book.pnl;
    const outcome: TraderOutcome = {
      trader: this.id,
      market: this.options.market,
      strategy: e.candidate.strategy.name,
      params: { ...e.candidate.params },
      trades,
      pnl: this.book.quoteText(pnl),
      returnPct: TraderPosition.ratio(pnl, this.book.spent),
      ...(this.mandate === undefined ? {} : { mandate: this.mandate.nonce }),
    };
    this.bus.publish(holderReport(this.options.desk, this.options.asset), outcome);
    this.machine.send({ type: "REPORTED" });
    this.end({ kind: "reported", outcome });
  }

  private order(side: "buy" | "sell", amount: string): Promise<Order> {
    return this.ask<Order>(
      deskOrder(this.options.desk),
      {
        op: "place",
        trader: this.id,
        mandate: this.mandate,
        market: this.options.market,
        side,
        type: "market",
        amount,
      },
      ORDER_WAIT_MS,
      `${this.options.desk} (a ${side} order)`,
    );
  }

  /** A request bounded in this actor's clock (askWithin). */
  private ask<T>(subject: string, payload: unknown, waitMs: number, who: string): Promise<T> {
    return askWithin<T>(this.bus, this.clock, subject, payload, waitMs, who);
  }

  private clearEnterBy(): void {
    if (this.enterBy !== undefined) this.clock.clearTimeout(this.enterBy);
    this.enterBy = undefined;
  }

  private fail(err: unknown): void {
    const error = err instanceof Error ? err.message : String(err);
    this.log.error({ err }, "trader failed");
    this.machine.send({ type: "FAIL", error });
    this.emit("trader.failed", { market: this.options.market, error });
    this.end({ kind: "failed", error });
  }

  /** Ended (whichever way): nothing it learns from now on changes anything. */
  private over = false;

  private end(end: TraderEnd): void {
    if (this.over) return;
    this.over = true;
    this.clearEnterBy();
    this.emit("trader.ended", {
      market: this.options.market,
      how: end.kind,
      ...(end.kind === "reported" ? { pnl: end.outcome.pnl } : {}),
      ...("reason" in end ? { reason: end.reason } : {}),
      ...(end.kind === "failed" ? { error: end.error } : {}),
    });
    this.stopActor();
    this.finish(end);
  }
}

function summary(m: Metrics): Record<string, number> {
  return {
    sharpe: m.sharpe,
    totalReturn: m.totalReturn,
    maxDrawdown: m.maxDrawdown,
    trades: m.trades,
  };
}
