/**
 * The Trader: one strategy attempt on one pair (see machine.ts for the lifecycle).
 *
 * It warms up from the Desk's cache, evaluates its candidates out-of-sample, proposes the best to
 * its Holder, and — with the Holder's mandate — waits for its strategy's next entry signal, buys
 * through the Desk, watches the position (exit signal, stop loss, take profit, a manual `exit`),
 * sells, and reports the realised result to the Holder. Signals come from closed candles only.
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
import { InvalidInputError } from "../../domain/errors.js";
import type { OHLCV, Ticker } from "../../domain/market-data.js";
import type { Order } from "../../domain/order.js";
import { CandleSeries } from "../../sim/data/index.js";
import type { Metrics } from "../../strategy/backtest/types.js";
import type { Signal, StrategyContext, StrategyInstance } from "../../strategy/strategy.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import type { Mandate } from "../mandate.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import { traderTemplateSchema } from "../templates/schema.js";
import { traderCommands } from "./commands.js";
import { type Evaluation, evaluate } from "./evaluate.js";
import { ExitLevels } from "./exit-levels.js";
import { traderMachine } from "./machine.js";
import type { ProposalReply, TraderEnd, TraderOptions, TraderOutcome } from "./types.js";

export type { ProposalReply, TraderEnd, TraderOptions, TraderOutcome } from "./types.js";

/** Real time a Trader waits for its Holder's answer; the Holder answers within its review window. */
const PROPOSAL_TIMEOUT_MS = 6 * 3_600_000;

export class Trader extends Actor {
  private readonly machine = createActor(traderMachine);
  private evaluation: Evaluation | undefined;
  private mandate: Mandate | undefined;
  private allocation = 0;
  private instance: StrategyInstance | undefined;
  private readonly ctx: { -readonly [K in keyof StrategyContext]: StrategyContext[K] } = {
    inPosition: false,
    side: undefined,
    entryPrice: Number.NaN,
  };
  private held = 0;
  private entryCost = 0;
  private proceeds = 0;
  private fees = 0;
  private waited = 0;
  private busy = false;
  private stopped = false;
  private exitReason = "";
  /** The last traded price seen, for PnL and for `enter`. */
  private last = Number.NaN;
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
    return {
      market: this.options.market,
      strategy: this.evaluation?.candidate.strategy.name,
      params: this.evaluation?.candidate.params,
      position: this.held,
      entryPrice: Number.isFinite(this.ctx.entryPrice) ? this.ctx.entryPrice : undefined,
      pnl: this.pnl(),
    };
  }

  /** Realised once out, marked at the last price while in; undefined before any trade. */
  private pnl(): number | undefined {
    if (this.entryCost === 0) return undefined;
    const marked = Number.isFinite(this.last) ? this.held * this.last : 0;
    return this.proceeds + marked - this.entryCost;
  }

  /** `position`: what is held, its entry, PnL and exits. */
  private position(): Record<string, unknown> {
    return {
      market: this.options.market,
      state: this.state,
      held: this.held,
      entryPrice: Number.isFinite(this.ctx.entryPrice) ? this.ctx.entryPrice : undefined,
      last: Number.isFinite(this.last) ? this.last : undefined,
      cost: this.entryCost,
      pnl: this.pnl(),
      stopLoss: this.exits.stopLoss,
      takeProfit: this.exits.takeProfit,
      allocation: this.allocation,
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
    if (!Number.isFinite(this.last))
      throw new InvalidInputError(`no price for ${this.options.market} yet; try again in a moment`);
    await this.enter(this.last);
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
    // Warming up: the Desk's cache fills as the market runs; ask again each minute until it is enough.
    let rows: OHLCV[] = [];
    for (;;) {
      rows = await this.bus.request<OHLCV[]>(deskCache(o.desk), {
        op: "candles",
        market: o.market,
        limit: o.warmupCandles,
      });
      if (!Array.isArray(rows))
        throw new InvalidInputError(`${o.desk} answered a cache request with ${typeof rows}`);
      if (rows.length >= o.warmupCandles || this.stopped) break;
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 60_000));
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
      60_000,
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
    const reply = await this.bus.request<ProposalReply>(
      holderProposal(o.desk, o.asset),
      {
        trader: this.id,
        market: o.market,
        strategy: strategy.name,
        params,
        metrics: evaluation.outOfSample,
      },
      // A proposal may wait for a person (the Holder's review window, in its clock's time).
      { timeoutMs: PROPOSAL_TIMEOUT_MS },
    );
    if (reply?.accepted !== true || reply.mandate === undefined) {
      this.machine.send({ type: "REFUSED" });
      this.end({ kind: "refused", reason: reply?.reason ?? "no reason given" });
      return;
    }
    this.mandate = reply.mandate;
    const lastRow = rows[rows.length - 1];
    if (lastRow !== undefined && !Number.isFinite(this.last)) this.last = lastRow[4];
    this.allocation = Number(reply.allocation ?? "0");
    this.machine.send({ type: "ACCEPTED" });
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
    this.keep(this.bus.subscribe<{ order: Order }>(deskReport(o.desk, this.id), () => {}));
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
        void this.enter(close);
      else if (this.waited >= (this.options.maxWaitCandles ?? 240))
        void this.exit("no entry signal");
    } else if (state === "inPosition" && signal?.action === "exit" && !this.paused) {
      void this.exit("signal");
    } else if (state === "exiting") {
      void this.sellOut();
    }
  }

  private onTicker(message: { ticker: Ticker }): void {
    const last = Number(message?.ticker?.last);
    if (!Number.isFinite(last)) return;
    this.last = last;
    if (this.state !== "inPosition") return;
    const hit = this.exits.hit(last);
    if (hit !== undefined) void this.exit(hit);
  }

  private async enter(price: number): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const spec = this.options.venue.markets[this.options.market]!;
      const lot = Number(spec.lotSize);
      const lots = Math.floor((this.allocation * 0.98) / price / lot);
      if (lots <= 0) {
        await this.exit("allocation too small for one lot");
        return;
      }
      const order = await this.order("buy", (lots * lot).toFixed(spec.lot.scale));
      const filled = Number(order.filled);
      if (filled <= 0) {
        await this.exit("entry not filled");
        return;
      }
      const feeBase = Number(order.fee?.cost ?? "0");
      this.held = filled - feeBase;
      this.entryCost = Number(order.cost);
      this.fees += feeBase * Number(order.average ?? price);
      this.ctx.inPosition = true;
      this.ctx.side = "long";
      this.ctx.entryPrice = Number(order.average ?? price);
      this.exits.arm(this.ctx.entryPrice);
      this.machine.send({ type: "ENTERED" });
      this.emit("trader.entered", {
        market: this.options.market,
        amount: this.held,
        price: this.ctx.entryPrice,
      });
    } catch (err) {
      this.log.warn({ err }, "entry failed");
      this.emit("trader.entry_failed", { error: String(err) });
      await this.exit("entry refused");
    } finally {
      this.busy = false;
    }
  }

  /** System shutdown: try to leave the position, then stop whatever happened (never hangs). */
  async shutdown(): Promise<void> {
    await this.exit("system stopping");
    if (this.state === "exiting") await this.sellOut();
    this.stopped = true;
    const holding = this.held > 0 ? ` still holding ${this.held} of ${this.options.market}` : "";
    this.end({ kind: "nothing", reason: `system stopped${holding}` });
  }

  /** Sells the position (if any) and reports. Safe to call from any state; does nothing twice. */
  async exit(reason: string): Promise<{ state: string }> {
    const state = this.state;
    if (state === "inPosition") {
      this.machine.send({ type: "EXIT" });
      this.exitReason = reason;
      await this.sellOut();
    } else if (state === "entering") {
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
      this.stopped = true;
      this.end({ kind: "nothing", reason });
    }
    return { state: this.state };
  }

  /**
   * Sells what is held. A refused or partial sale leaves the Trader in `exiting`; the next candle
   * tries again — it never reports a position as closed while it still holds it.
   */
  private async sellOut(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const spec = this.options.venue.markets[this.options.market]!;
      const lot = Number(spec.lotSize);
      const lots = Math.floor(this.held / lot + 1e-9);
      if (lots > 0) {
        const order = await this.order("sell", (lots * lot).toFixed(spec.lot.scale));
        const fee = Number(order.fee?.cost ?? "0");
        this.proceeds += Number(order.cost) - fee;
        this.fees += fee;
        this.held -= Number(order.filled);
      }
    } catch (err) {
      this.log.warn({ err }, "exit order failed; retrying at the next candle");
      this.emit("trader.exit_failed", { market: this.options.market, error: String(err) });
      return;
    } finally {
      this.busy = false;
    }
    const lot = Number(this.options.venue.markets[this.options.market]!.lotSize);
    if (Math.floor(this.held / lot + 1e-9) > 0) return; // a thin book: the rest at the next candle
    this.ctx.inPosition = false;
    this.machine.send({ type: "EXITED" });
    this.emit("trader.exited", { market: this.options.market, reason: this.exitReason });
    await this.report(1);
  }

  private async report(trades: number): Promise<void> {
    const e = this.evaluation!;
    const pnl = trades === 0 ? 0 : this.proceeds - this.entryCost;
    const outcome: TraderOutcome = {
      trader: this.id,
      market: this.options.market,
      strategy: e.candidate.strategy.name,
      params: { ...e.candidate.params },
      trades,
      pnl,
      returnPct: this.entryCost > 0 ? pnl / this.entryCost : 0,
    };
    this.bus.publish(holderReport(this.options.desk, this.options.asset), outcome);
    this.machine.send({ type: "REPORTED" });
    this.end({ kind: "reported", outcome });
  }

  private async order(side: "buy" | "sell", amount: string): Promise<Order> {
    return this.bus.request<Order>(
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
      { timeoutMs: 30_000 },
    );
  }

  private fail(err: unknown): void {
    const error = err instanceof Error ? err.message : String(err);
    this.log.error({ err }, "trader failed");
    this.machine.send({ type: "FAIL", error });
    this.emit("trader.failed", { market: this.options.market, error });
    this.end({ kind: "failed", error });
  }

  private ended_ = false;

  private end(end: TraderEnd): void {
    if (this.ended_) return;
    this.ended_ = true;
    this.emit("trader.ended", {
      market: this.options.market,
      how: end.kind,
      ...(end.kind === "reported" ? { pnl: end.outcome.pnl } : {}),
      ...("reason" in end ? { reason: end.reason } : {}),
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
