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
import type { Metrics } from "../../strategy/backtest/types.js";
import { HolderKeys } from "../mandate.js";
import { Actor, type ActorEnv, type Command } from "../runtime/actor.js";
import type { ProposalReply, TraderEnd, TraderOutcome } from "../trader/trader.js";
import { type Criteria, judge } from "./criteria.js";
import { holderMachine } from "./machine.js";

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
}

interface Proposal {
  trader: string;
  market: string;
  strategy: string;
  params: Record<string, unknown>;
  metrics: Partial<Metrics>;
}

export class Holder extends Actor {
  private readonly machine = createActor(holderMachine);
  readonly keys = HolderKeys.generate();
  private free = 0;
  private readonly allocated = new Map<string, number>();
  private readonly traders = new Map<string, string>();
  private readonly proposals: Array<Proposal & { at: number; accepted: boolean; reason?: string }> =
    [];
  private nonce = 0;
  private running = false;
  /** Per pair, the (strategy, params) this Holder refused: the next Trader tries others first. */
  private readonly refusedByPair = new Map<string, Set<string>>();

  constructor(
    private readonly options: HolderOptions,
    env: ActorEnv,
  ) {
    super(options.id, "holder", env);
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
        for (const market of o.pairs.slice(0, o.maxTraders)) this.spawn(market);
      });
  }

  stop(): void {
    this.running = false;
    this.machine.send({ type: "STOP" });
    this.emit("actor.stopped");
    this.stopActor();
  }

  protected status(): Record<string, unknown> {
    return {
      asset: this.options.asset,
      free: this.free,
      allocated: [...this.allocated.values()].reduce((a, b) => a + b, 0),
      traders: Object.fromEntries(this.traders),
    };
  }

  protected override commands(): Record<string, Command> {
    return {
      capital: () => ({ free: this.free, allocated: Object.fromEntries(this.allocated) }),
      traders: () => Object.fromEntries(this.traders),
      proposals: () => this.proposals.slice(-20),
      criteria: () => this.options.criteria,
      spawn: ([market]) => {
        if (market === undefined || !this.options.pairs.includes(market)) {
          throw new InvalidInputError(`spawn needs one of ${this.options.pairs.join(", ")}`);
        }
        this.spawn(market);
        return { spawned: market };
      },
    };
  }

  /** What this Holder remembers of a pair: the candidates it refused. */
  refusedFor(market: string): ReadonlySet<string> {
    return this.refusedByPair.get(market) ?? new Set();
  }

  private spawn(market: string): void {
    if (!this.running || this.traders.has(market)) return;
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
    // A fresh Trader for the pair, after a pause (it will try the better candidates first).
    this.clock.setTimeout(() => this.spawn(market), this.options.respawnAfterMs ?? 60_000);
  }

  private onProposal(p: Proposal): ProposalReply {
    if (
      p === null ||
      typeof p !== "object" ||
      typeof p.trader !== "string" ||
      typeof p.market !== "string"
    ) {
      throw new InvalidInputError("a proposal needs a trader, a market, a strategy and metrics");
    }
    const o = this.options;
    const reasons = judge(p.metrics, o.criteria);
    if (!o.pairs.includes(p.market)) reasons.push(`${p.market} is not a pair of ${o.asset}`);
    const unallocated = this.free - [...this.allocated.values()].reduce((a, b) => a + b, 0);
    const allocation = Math.floor(unallocated * o.fraction * 100) / 100;
    if (reasons.length === 0 && allocation <= 0) reasons.push(`no free ${o.asset} to allocate`);
    const record = { ...p, at: this.clock.now() };
    if (reasons.length > 0) {
      const reason = reasons.join("; ");
      let refused = this.refusedByPair.get(p.market);
      if (refused === undefined) {
        refused = new Set();
        this.refusedByPair.set(p.market, refused);
      }
      refused.add(candidateKey(p.strategy, p.params));
      this.proposals.push({ ...record, accepted: false, reason });
      this.emit("holder.refused", {
        trader: p.trader,
        market: p.market,
        strategy: p.strategy,
        reason,
      });
      return { accepted: false, reason };
    }
    const mandate = this.keys.sign(
      {
        trader: p.trader,
        desk: o.desk,
        market: p.market,
        sides: ["buy", "sell"],
        maxNotional: allocation.toFixed(2),
        // Whole milliseconds: a live clock reads fractions, a mandate carries whole ms.
        expiresAt: Math.floor(this.clock.now()) + o.mandateTtlMs,
        nonce: `${this.id}-${++this.nonce}`,
      },
      this.id,
    );
    this.allocated.set(p.trader, allocation);
    this.proposals.push({ ...record, accepted: true });
    this.emit("holder.accepted", {
      trader: p.trader,
      market: p.market,
      strategy: p.strategy,
      allocation: allocation.toFixed(2),
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
