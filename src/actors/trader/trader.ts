/**
 * The Trader: one strategy attempt on one pair (see machine.ts for the lifecycle).
 *
 * It warms up from the Desk's cache (warm-up.ts), evaluates its candidates out-of-sample
 * (evaluate.ts), proposes the best to its Holder (proposal.ts), and — with the Holder's mandate —
 * its trade (trade.ts) waits for the strategy's next entry signal, buys through the Desk, watches
 * the position (exit signal, stop loss, take profit, a manual `exit`), sells, and reports the
 * realised result to the Holder. Signals come from closed candles only.
 *
 * Its position is exact (position.ts): a PositionLedger fed from the Desk's order replies and
 * execution reports, each execution once; events, `status` and `position` carry decimal strings
 * (views.ts). Every wait is bounded in its own clock: the warm-up, the Holder's answer (its review
 * window and a margin), each order request, and the wait for an entry signal (entry-wait.ts); a
 * late answer changes nothing.
 */
import { createActor, type Snapshot } from "xstate";
import { deskReport, marketData } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { OHLCV, Ticker } from "../../domain/market-data.js";
import type { Order } from "../../domain/order.js";
import { enabledCandidates, type StopMechanism, stopMechanism } from "../capabilities/index.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import { traderCommands, traderSettings } from "./commands.js";
import { type Evaluation, evaluate } from "./evaluate.js";
import { traderMachine } from "./machine.js";
import { metricsSummary, propose } from "./proposal.js";
import { type ResumeHost, resumeTrade } from "./resume.js";
import type { SavedTrader } from "./saved.js";
import { Trade } from "./trade.js";
import type { TraderEnd, TraderOptions } from "./types.js";
import { positionView, statusView, type TraderSnapshot } from "./views.js";
import { seriesOf, warmUp } from "./warm-up.js";

export type { ProposalReply, TraderEnd, TraderOptions, TraderOutcome } from "./types.js";

export class Trader extends Actor {
  private readonly machine;
  private evaluation: Evaluation | undefined;
  /** What it does once accepted: entry, position, exit, report. */
  private readonly trade: Trade;
  private stopped = false;
  /** Ended (whichever way): nothing it learns from now on changes anything. */
  private over = false;
  private finish!: (end: TraderEnd) => void;
  /** Resolves when the Trader has ended, with how. */
  readonly ended: Promise<TraderEnd>;
  /**
   * How its stop loss is held: a native stop order where its capabilities allow one, otherwise
   * monitored on every ticker (trade.ts) — at the same trigger either way.
   */
  readonly stop: StopMechanism;

  constructor(
    private readonly options: TraderOptions,
    env: ActorEnv,
  ) {
    super(options.id, "trader", env);
    this.stop = stopMechanism(options.capabilities);
    // An attempt an earlier run left accepted: its lifecycle goes on from the state it was in.
    this.machine = createActor(
      traderMachine,
      options.resume === undefined
        ? undefined
        : { snapshot: options.resume.machine as Snapshot<unknown> },
    );
    this.trade = new Trade({
      trader: options,
      bus: this.bus,
      clock: this.clock,
      log: this.log,
      state: () => this.state,
      send: (event) => this.machine.send(event),
      emit: (event, fields) => this.emit(event, fields),
      paused: () => this.paused,
      over: () => this.over,
      fail: (err) => this.fail(err),
      end: (end) => this.end(end),
      forget: () => this.forget(),
      nativeStop: this.stop.mechanism === "native",
    });
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.machine.subscribe({ next: () => this.persist(), error: (err) => this.fail(err) });
    this.machine.start();
  }

  /**
   * Keeps what a restart needs (saved.ts) at each step of an accepted attempt. A record that
   * cannot be written is said loudly; the Trader goes on, its position still guarded by its exits
   * — ending it would leave the position with nobody watching.
   */
  private persist(): void {
    const store = this.options.store;
    const trade = this.trade?.saved();
    if (store === undefined || trade === undefined || this.over) return;
    if (!["entering", "inPosition", "exiting"].includes(this.state)) return;
    const record: SavedTrader = {
      version: 1,
      trader: this.id,
      market: this.options.market,
      holder: this.options.holder,
      machine: this.machine.getPersistedSnapshot(),
      state: this.state,
      trade,
    };
    try {
      store.save(this.id, record);
    } catch (err) {
      this.log.error({ err }, "could not save the Trader's record");
      this.emit("trader.save_failed", { market: this.options.market, error: String(err) });
    }
  }

  /** The attempt is over: a restart must not take it up again. */
  private forget(): void {
    try {
      this.options.store?.remove(this.id);
    } catch (err) {
      this.log.error({ err }, "could not remove the Trader's record");
    }
  }

  get state(): string {
    return String(this.machine.getSnapshot().value);
  }

  protected status(): Record<string, unknown> {
    return statusView(this.snapshot());
  }

  private snapshot(): TraderSnapshot {
    return {
      market: this.options.market,
      state: this.state,
      book: this.trade.book,
      exits: this.trade.exits,
      evaluation: this.evaluation,
      entryPrice: this.trade.entryPrice,
      mark: this.trade.mark(),
      allocation: this.trade.allocation,
      capabilities: this.options.capabilities,
      stop: this.stop,
    };
  }

  protected override commands(): CommandSpec[] {
    return traderCommands({
      position: () => positionView(this.snapshot()),
      strategy: () => this.evaluation?.candidate.strategy.name ?? "(not chosen yet)",
      params: () => this.evaluation?.candidate.params ?? {},
      enter: () => this.enterNow(),
      exit: (reason) => this.exit(reason),
      adjust: (which, level, percent) => {
        const changed = this.trade.adjust(which, level, percent);
        this.persist();
        return changed;
      },
    });
  }

  protected override settings(): Settings {
    return traderSettings(this.trade.exits.percents);
  }

  /** `enter`: buy now, at the last price, instead of waiting for the strategy's signal. */
  private async enterNow(): Promise<unknown> {
    if (this.state !== "entering") {
      throw new InvalidInputError(
        `enter needs an accepted proposal and no position yet; this Trader is ${this.state}`,
      );
    }
    const price = this.trade.mark();
    if (price === undefined)
      throw new InvalidInputError(`no price for ${this.options.market} yet; try again in a moment`);
    await this.trade.enter(price);
    const held = this.trade.entryHeldFor();
    // Not placed: the person is told why, and that it will be, rather than shown a flat position.
    if (held !== undefined && this.state === "entering")
      return {
        entry: `held (${held}); placed once the feed is healthy`,
        ...positionView(this.snapshot()),
      };
    return positionView(this.snapshot());
  }

  /** Runs the whole attempt; `ended` tells how it went. Never throws: failures end in `failed`. */
  async run(): Promise<TraderEnd> {
    this.startActor();
    try {
      const resume = this.options.resume;
      if (resume === undefined) await this.warmAndEvaluate();
      else await resumeTrade(this.resumeHost(), resume);
    } catch (err) {
      this.fail(err);
    }
    return this.ended;
  }

  /** What resuming an earlier run's attempt reaches (resume.ts). */
  private resumeHost(): ResumeHost {
    return {
      id: this.id,
      options: this.options,
      bus: this.bus,
      clock: this.clock,
      trade: this.trade,
      state: () => this.state,
      keep: (subscription) => this.keep(subscription),
      emit: (event, fields) => this.emit(event, fields),
      over: () => this.over,
    };
  }

  /** Warms up, evaluates, proposes; accepted, it hands the attempt to its trade. */
  private async warmAndEvaluate(): Promise<void> {
    const o = this.options;
    const warm = await warmUp({
      bus: this.bus,
      clock: this.clock,
      desk: o.desk,
      market: o.market,
      candles: o.warmupCandles,
      stopped: () => this.stopped,
    });
    if (warm.kind === "short") this.giveUp(warm.reason);
    if (warm.kind !== "warm") return;
    const { rows } = warm;
    this.machine.send({ type: "WARMED" });
    // Only what its Holder's capabilities allow is backtested, and so ever proposed.
    const { enabled, dropped } = enabledCandidates(o.candidates, o.capabilities, o.market);
    for (const d of dropped)
      this.emit("trader.candidate_dropped", {
        market: o.market,
        strategy: d.strategy,
        reason: d.reason,
      });
    if (enabled.length === 0 && dropped.length > 0) {
      this.machine.send({ type: "NOTHING" });
      this.end({
        kind: "nothing",
        reason: `no candidate its capabilities allow: ${dropped[0]!.reason}`,
      });
      return;
    }
    const evaluation = evaluate(enabled, seriesOf(rows), {
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
      outOfSample: metricsSummary(evaluation.outOfSample),
    });
    const answer = await propose(this.bus, this.clock, o, this.id, evaluation, () => this.over);
    // Ended meanwhile (killed, stopped): an answer that comes now starts nothing.
    if (this.over) return;
    if (!answer.accepted) {
      this.machine.send({ type: "REFUSED" });
      this.end(answer.end);
      return;
    }
    this.trade.accepted(evaluation.candidate, answer.mandate, answer.allocation, rows);
    this.machine.send({ type: "ACCEPTED" });
    // Every state of its orders the Desk reports goes into the position, before any order.
    this.keep(
      this.bus.subscribe<{ order: Order }>(deskReport(o.desk, this.id), (m) =>
        this.trade.onReport(m),
      ),
    );
    this.trade.prime(rows);
    this.keep(
      this.bus.subscribe<{ candle: OHLCV }>(marketData(o.desk, o.market, "candle-1m"), (m) =>
        this.trade.onCandle(m),
      ),
    );
    this.keep(
      this.bus.subscribe<{ ticker: Ticker }>(marketData(o.desk, o.market, "ticker"), (m) =>
        this.trade.onTicker(m),
      ),
    );
    this.trade.waitForEntry();
  }

  /** System shutdown: try to leave the position, then stop whatever happened (never hangs). */
  async shutdown(): Promise<void> {
    await this.exit("system stopping");
    if (this.state === "exiting") await this.trade.sellOut();
    this.stopped = true;
    const l = this.trade.book.ledger;
    const holding =
      l.quantity !== 0n ? ` still holding ${l.baseText(l.quantity)} of ${this.options.market}` : "";
    // Still holding a lot it could sell: its record stays, so the next start sells it.
    this.end(
      { kind: "nothing", reason: `system stopped${holding}` },
      this.trade.book.closableLots > 0n,
    );
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
    if (state === "inPosition" || state === "entering") await this.trade.exit(reason);
    else if (
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

  private fail(err: unknown): void {
    const error = err instanceof Error ? err.message : String(err);
    // Already ended (killed, stopped): what fails afterwards (a proposal's late timeout) is no
    // failure of the attempt, and nothing may follow its trader.ended.
    if (this.over) {
      this.log.debug({ err }, "after the end");
      return;
    }
    this.log.error({ err }, "trader failed");
    this.machine.send({ type: "FAIL", error });
    this.emit("trader.failed", { market: this.options.market, error });
    this.end({ kind: "failed", error });
  }

  private end(end: TraderEnd, keepRecord = false): void {
    if (this.over) return;
    if (!keepRecord) this.forget();
    this.over = true;
    this.trade.close();
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
