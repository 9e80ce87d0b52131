/**
 * The Holder: one per owned asset, that asset's capital.
 *
 * It tracks its free capital from the Desk's balance updates, keeps a Trader running for each of its
 * pairs (at most `maxTraders` at a time), judges their proposals against its criteria, and gives an
 * accepted one an allocation (a fraction of the free capital not already allocated) and a signed
 * mandate for exactly that. When a Trader ends, its outcome is recorded (learning) and a fresh
 * Trader is spawned for the pair, which will try the better candidates first.
 */
import { createActor } from "xstate";
import { deskBalance, deskCache, holderProposal, holderReport } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { HolderKeys } from "../mandate.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import type { TemplateProblem } from "../templates/last-valid.js";
import { holderTemplateSchema } from "../templates/schema.js";
import type { ProposalReply, TraderEnd, TraderOutcome } from "../trader/trader.js";
import { holderCommands } from "./commands.js";
import { type Criteria, judge } from "./criteria.js";
import { holderMachine } from "./machine.js";
import {
  type Approval,
  type Decision,
  type Proposal,
  ProposalBook,
  type ProposalRecord,
} from "./proposals.js";

export interface HolderOptions {
  id: string;
  asset: string;
  desk: string;
  criteria: Criteria;
  /** Fraction of free, unallocated capital given to an accepted proposal. */
  fraction: number;
  maxTraders: number;
  mandateTtlMs: number;
  /** Markets this Holder's capital may trade (their quote is the asset). */
  pairs: readonly string[];
  /** Starts a Trader for a market; resolves when it has ended. The system wires this. */
  spawnTrader: (market: string, holder: Holder) => { id: string; ended: Promise<TraderEnd> };
  /** Records an ended Trader's outcome (learning write-back); resolves with the files it updated. */
  onOutcome?: (outcome: TraderOutcome) => Promise<readonly string[] | undefined>;
  /** Wait before replacing an ended Trader, in this clock's ms. Default one minute. */
  respawnAfterMs?: number;
  /** Who decides proposals (see proposals.ts). Default auto. */
  approval?: Approval;
  /** How long a proposal waits for a person before it is refused, clock ms. Default 30 min. */
  reviewMs?: number;
}

export class Holder extends Actor {
  private readonly machine = createActor(holderMachine);
  readonly keys = HolderKeys.generate();
  private free = 0;
  private readonly allocated = new Map<string, number>();
  private readonly traders = new Map<string, string>();
  private readonly proposals = new ProposalBook();
  /** What a person may change while it runs (`set`): criteria, allocation, approval. */
  private readonly live: {
    criteria: Criteria;
    fraction: number;
    maxTraders: number;
    approval: Approval;
    reviewMs: number;
  };
  private nonce = 0;
  private running = false;
  /** Per pair, the (strategy, params) this Holder refused: the next Trader tries others first. */
  private readonly refusedByPair = new Map<string, Set<string>>();

  constructor(
    private readonly options: HolderOptions,
    env: ActorEnv,
  ) {
    super(options.id, "holder", env);
    this.live = {
      criteria: { ...options.criteria },
      fraction: options.fraction,
      maxTraders: options.maxTraders,
      approval: options.approval ?? "auto",
      reviewMs: options.reviewMs ?? 30 * 60_000,
    };
    this.machine.subscribe({ error: (err) => this.log.error({ err }, "holder machine error") });
    this.machine.start();
  }

  get state(): string {
    return String(this.machine.getSnapshot().value);
  }

  get publicKey(): string {
    return this.keys.publicKey;
  }

  /** The asset this Holder holds (the quote of its pairs). */
  get asset(): string {
    return this.options.asset;
  }

  start(): void {
    this.running = true;
    this.startActor();
    const o = this.options;
    this.keep(
      this.bus.subscribe<{ balances?: Record<string, { free?: string }> }>(
        deskBalance(o.desk),
        (m) => {
          const free = Number(m?.balances?.[o.asset]?.free);
          if (Number.isFinite(free)) this.free = free;
        },
      ),
    );
    this.keep(this.bus.serve<Proposal>(holderProposal(o.desk, o.asset), (p) => this.onProposal(p)));
    this.keep(
      this.bus.subscribe<TraderOutcome>(holderReport(o.desk, o.asset), (r) => this.onReport(r)),
    );
    this.machine.send({ type: "STARTED" });
    // The balance as of now; updates follow on the balance subject.
    void this.bus
      .request<{ [asset: string]: { free?: string } } | null>(deskCache(o.desk), { op: "balance" })
      .then((balances) => {
        const free = Number(balances?.[o.asset]?.free);
        if (Number.isFinite(free)) this.free = free;
      })
      .catch((err: unknown) => this.log.warn({ err }, "could not read the balance from the Desk"))
      .finally(() => {
        for (const market of o.pairs) this.spawn(market);
      });
  }

  stop(): void {
    this.running = false;
    this.proposals.refuseAll(`${this.id} is stopping`);
    this.machine.send({ type: "STOP" });
    this.emit("actor.stopped");
    this.stopActor();
  }

  protected status(): Record<string, unknown> {
    return {
      asset: this.options.asset,
      free: this.free,
      allocated: this.allocatedTotal(),
      traders: Object.fromEntries(this.traders),
      pending: this.proposals.pendingIds(),
      approval: this.live.approval,
    };
  }

  private allocatedTotal(): number {
    return [...this.allocated.values()].reduce((a, b) => a + b, 0);
  }

  protected override commands(): CommandSpec[] {
    return holderCommands({
      capital: () => ({
        asset: this.options.asset,
        free: this.free,
        allocated: this.allocatedTotal(),
        unallocated: this.free - this.allocatedTotal(),
        byTrader: Object.fromEntries(this.allocated),
      }),
      traders: () =>
        [...this.traders].map(([market, trader]) => ({
          market,
          trader,
          allocation: this.allocated.get(trader),
        })),
      proposals: () => this.proposals.recent(),
      pendingIds: () => this.proposals.pendingIds(),
      decide: (id, decision) => this.decide(id, decision),
      pairs: () => this.options.pairs,
      spawn: (market) => this.spawnNow(market),
      criteria: () => ({ ...this.live.criteria, approval: this.live.approval }),
    });
  }

  protected override settings(): Settings {
    const shape = holderTemplateSchema.shape;
    const criteria = shape.criteria.shape;
    const criterion = (key: keyof Criteria) => ({
      schema: criteria[key],
      get: () => this.live.criteria[key],
      set: (value: unknown) => {
        this.live.criteria = { ...this.live.criteria, [key]: value as number };
      },
    });
    return {
      "criteria.minSharpe": criterion("minSharpe"),
      "criteria.maxDrawdown": criterion("maxDrawdown"),
      "criteria.minTrades": criterion("minTrades"),
      "criteria.minReturnOverBuyAndHold": criterion("minReturnOverBuyAndHold"),
      "allocation.fraction": {
        schema: shape.allocation.shape.fraction,
        get: () => this.live.fraction,
        set: (value) => {
          this.live.fraction = value as number;
        },
      },
      "allocation.maxTraders": {
        schema: shape.allocation.shape.maxTraders,
        get: () => this.live.maxTraders,
        set: (value) => {
          this.live.maxTraders = value as number;
        },
      },
      approval: {
        schema: shape.approval.unwrap(),
        get: () => this.live.approval,
        set: (value) => {
          this.live.approval = value as Approval;
        },
      },
    };
  }

  private spawnNow(market: string): { spawned: string } {
    if (this.traders.has(market))
      throw new InvalidInputError(`${market} already has a Trader: ${this.traders.get(market)}`);
    if (this.traders.size >= this.live.maxTraders) {
      throw new InvalidInputError(
        `${this.traders.size} Traders already run, the most allocation.maxTraders allows`,
      );
    }
    this.spawn(market, true);
    return { spawned: market };
  }

  /** What this Holder remembers of a pair: the candidates it refused. */
  refusedFor(market: string): ReadonlySet<string> {
    return this.refusedByPair.get(market) ?? new Set();
  }

  /** A template this Holder spawns from did not load: people see why; its last valid one is used. */
  templateInvalid(problem: TemplateProblem): void {
    this.emit("template.invalid", { file: problem.file, error: problem.error });
  }

  /** Starts a Trader for `market` unless one runs, too many run, or (unless asked) paused. */
  private spawn(market: string, asked = false): void {
    if (!this.running || this.traders.has(market)) return;
    if (this.traders.size >= this.live.maxTraders || (this.paused && !asked)) {
      this.waitingToSpawn.add(market);
      return;
    }
    this.waitingToSpawn.delete(market);
    const trader = this.options.spawnTrader(market, this);
    this.traders.set(market, trader.id);
    void trader.ended.then((end) => this.onTraderEnded(market, trader.id, end));
  }

  private onTraderEnded(market: string, trader: string, end: TraderEnd): void {
    this.traders.delete(market);
    this.allocated.delete(trader);
    if (end.kind === "failed")
      this.emit("holder.trader_failed", { trader, market, error: end.error });
    if (!this.running) return;
    // A fresh Trader for the pair, after a pause (it will try the better candidates first); a
    // pair that waited for a free slot goes first.
    const next = [...this.waitingToSpawn][0] ?? market;
    if (next !== market) this.waitingToSpawn.add(market);
    this.clock.setTimeout(() => this.spawn(next), this.options.respawnAfterMs ?? 60_000);
  }

  /** Pairs that had no Trader slot (or came while paused), first come first served. */
  private readonly waitingToSpawn = new Set<string>();

  protected override resume(): unknown {
    const answer = super.resume();
    for (const market of [...this.waitingToSpawn]) this.spawn(market);
    return answer;
  }

  private onProposal(p: Proposal): ProposalReply | Promise<ProposalReply> {
    if (
      p === null ||
      typeof p !== "object" ||
      typeof p.trader !== "string" ||
      typeof p.market !== "string"
    ) {
      throw new InvalidInputError("a proposal needs a trader, a market, a strategy and metrics");
    }
    const o = this.options;
    const failed = judge(p.metrics, this.live.criteria);
    const record = this.proposals.add(p, this.clock.now(), failed);
    if (!o.pairs.includes(p.market)) {
      // Not this Holder's to give: refused whatever a person might say.
      return this.answer(record, {
        accept: false,
        reason: `${p.market} is not a pair of ${o.asset}`,
        by: "criteria",
      });
    }
    const approval = this.live.approval;
    const automatic =
      !this.paused && (approval === "auto" || (approval === "review" && failed.length === 0));
    if (automatic) {
      const decision: Decision =
        failed.length === 0
          ? { accept: true, by: "criteria" }
          : { accept: false, reason: failed.join("; "), by: "criteria" };
      return this.answer(record, decision);
    }
    // A person decides, within the review window; silence refuses.
    const window = this.clock.setTimeout(() => {
      try {
        this.proposals.decide(record.id, {
          accept: false,
          reason: `no decision within ${Math.round(this.live.reviewMs / 60_000)} min${failed.length > 0 ? `: ${failed.join("; ")}` : ""}`,
          by: "review window",
        });
      } catch {
        // Already decided by a person.
      }
    }, this.live.reviewMs);
    this.emit("holder.pending", {
      id: record.id,
      trader: p.trader,
      market: p.market,
      strategy: p.strategy,
      ...(failed.length > 0 ? { failed: failed.join("; ") } : {}),
    });
    return this.proposals.wait(record).then((decision) => {
      this.clock.clearTimeout(window);
      return this.reply(record, decision);
    });
  }

  /** A person's decision on a pending proposal (`accept`/`refuse`). */
  private decide(id: string, decision: Decision): ProposalRecord {
    if (decision.accept && this.unallocatedShare() <= 0)
      throw new InvalidInputError(`no free ${this.options.asset} to allocate`);
    return this.proposals.decide(id, decision);
  }

  private unallocatedShare(): number {
    const unallocated = this.free - this.allocatedTotal();
    return Math.floor(unallocated * this.live.fraction * 100) / 100;
  }

  private answer(record: ProposalRecord, decision: Decision): ProposalReply {
    this.proposals.settle(record, decision);
    return this.reply(record, decision);
  }

  /** The answer the Trader gets: a refusal with its reason, or an allocation and a mandate. */
  private reply(record: ProposalRecord, decision: Decision): ProposalReply {
    const o = this.options;
    const allocation = this.unallocatedShare();
    let reason = decision.reason;
    if (decision.accept && allocation <= 0) reason = `no free ${o.asset} to allocate`;
    if (!decision.accept || allocation <= 0 || !this.running) {
      reason ??= this.running ? "refused" : `${this.id} is stopping`;
      record.status = "refused";
      record.reason = reason;
      let refused = this.refusedByPair.get(record.market);
      if (refused === undefined) {
        refused = new Set();
        this.refusedByPair.set(record.market, refused);
      }
      refused.add(candidateKey(record.strategy, record.params));
      this.emit("holder.refused", {
        id: record.id,
        trader: record.trader,
        market: record.market,
        strategy: record.strategy,
        reason,
        by: decision.by,
      });
      return { accepted: false, reason };
    }
    const mandate = this.keys.sign(
      {
        trader: record.trader,
        desk: o.desk,
        market: record.market,
        sides: ["buy", "sell"],
        maxNotional: allocation.toFixed(2),
        // Whole milliseconds: a live clock reads fractions, a mandate carries whole ms.
        expiresAt: Math.floor(this.clock.now()) + o.mandateTtlMs,
        nonce: `${this.id}-${++this.nonce}`,
      },
      this.id,
    );
    this.allocated.set(record.trader, allocation);
    this.emit("holder.accepted", {
      id: record.id,
      trader: record.trader,
      market: record.market,
      strategy: record.strategy,
      allocation: allocation.toFixed(2),
      by: decision.by,
    });
    return { accepted: true, mandate, allocation: allocation.toFixed(2) };
  }

  private onReport(outcome: TraderOutcome): void {
    if (outcome === null || typeof outcome !== "object" || typeof outcome.trader !== "string")
      return;
    this.allocated.delete(outcome.trader);
    this.emit("holder.recorded", {
      trader: outcome.trader,
      market: outcome.market,
      strategy: outcome.strategy,
      pnl: outcome.pnl,
    });
    void this.options
      .onOutcome?.(outcome)
      .then((files) => {
        for (const file of files ?? []) {
          this.emit("template.updated", {
            file,
            market: outcome.market,
            strategy: outcome.strategy,
          });
        }
      })
      .catch((err: unknown) => this.log.error({ err }, "could not record an outcome"));
  }
}

/** A stable key for a (strategy, params) candidate. */
export function candidateKey(strategy: string, params: Readonly<Record<string, unknown>>): string {
  const sorted = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  return `${strategy}${JSON.stringify(sorted)}`;
}
