/**
 * The Holder: one per owned asset, that asset's capital.
 *
 * It tracks its free capital from the Desk's balance updates, keeps a Trader running for each of its
 * pairs (at most `maxTraders` at a time), judges their proposals against its criteria, and gives an
 * accepted one an allocation (a fraction of the free capital not already allocated) and a signed
 * mandate for exactly that. When a Trader ends, its outcome is recorded (learning) and a fresh
 * Trader is spawned for the pair, which will try the better candidates first.
 *
 * Capital is exact (capital.ts): minor units at the asset's decimals, decimal strings outside.
 * A Trader that ends — or goes silent (liveness.ts: no heartbeat, proposal or report for
 * `livenessMs`) — has its mandate revoked at the Desk and its allocation released before anything
 * else, so a late reply or a late order of it creates nothing; a silent one is then replaced.
 */
import { createActor } from "xstate";
import type { Subscription } from "../../bus/bus.js";
import {
  deskBalance,
  deskCache,
  heartbeat,
  holderProposal,
  holderReport,
} from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { HolderKeys } from "../mandate.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import type { TemplateProblem } from "../templates/last-valid.js";
import { holderTemplateSchema } from "../templates/schema.js";
import type { ProposalReply, TraderEnd, TraderOutcome } from "../trader/trader.js";
import { Capital } from "./capital.js";
import { holderCommands } from "./commands.js";
import { type Criteria, judge } from "./criteria.js";
import { Liveness } from "./liveness.js";
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
  /** Decimals of the asset's minor unit (the venue's): allocations are whole minor units. */
  assetDecimals: number;
  /** Markets this Holder's capital may trade (their quote is the asset). */
  pairs: readonly string[];
  /**
   * Starts a Trader for a market; `ended` resolves when it has ended, `abandon` stops it when this
   * Holder gave up on it (silent). The system wires this.
   */
  spawnTrader: (market: string, holder: Holder) => SpawnedTrader;
  /** Revokes a mandate at the Desk, by nonce (the system wires it to the Desk). */
  revoke?: (nonce: string) => void;
  /**
   * A Trader not heard from (heartbeat, proposal, report) for this long, in this clock's ms, is
   * replaced. Default six heartbeat periods; 0, or heartbeats off, turns it off.
   */
  livenessMs?: number;
  /** Records an ended Trader's outcome (learning write-back); resolves with the files it updated. */
  onOutcome?: (outcome: TraderOutcome) => Promise<readonly string[] | undefined>;
  /** Wait before replacing an ended Trader, in this clock's ms. Default one minute. */
  respawnAfterMs?: number;
  /** Who decides proposals (see proposals.ts). Default auto. */
  approval?: Approval;
  /** How long a proposal waits for a person before it is refused, clock ms. Default 30 min. */
  reviewMs?: number;
}

export interface SpawnedTrader {
  id: string;
  ended: Promise<TraderEnd>;
  abandon?: (reason: string) => void;
}

/** One Trader this Holder started: an incarnation (a successor on the pair has the same id). */
interface Spawned {
  readonly market: string;
  readonly id: string;
  readonly abandon?: (reason: string) => void;
  beats?: Subscription;
}

export class Holder extends Actor {
  private readonly machine = createActor(holderMachine);
  readonly keys = HolderKeys.generate();
  private readonly capital: Capital;
  /** The running Trader of each pair. */
  private readonly traders = new Map<string, Spawned>();
  private readonly liveness: Liveness<Spawned> | undefined;
  private stopWatchingBus: (() => void) | undefined;
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
    this.capital = new Capital(options.asset, options.assetDecimals);
    const beat = env.heartbeatMs ?? 5_000;
    const silentMs = options.livenessMs ?? 6 * beat;
    if (beat > 0 && silentMs > 0) {
      this.liveness = new Liveness(this.clock, beat, silentMs, (t, ms) => this.onSilent(t, ms));
    }
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

  /** How long a Trader should wait for an answer to its proposal: the review window and a minute. */
  get answerWithinMs(): number {
    return this.live.reviewMs + 60_000;
  }

  start(): void {
    this.running = true;
    this.startActor();
    const o = this.options;
    this.keep(
      this.bus.subscribe<{ balances?: Record<string, { free?: string }> }>(
        deskBalance(o.desk),
        (m) => void this.capital.setFree(m?.balances?.[o.asset]?.free),
      ),
    );
    this.keep(this.bus.serve<Proposal>(holderProposal(o.desk, o.asset), (p) => this.onProposal(p)));
    this.keep(
      this.bus.subscribe<TraderOutcome>(holderReport(o.desk, o.asset), (r) => this.onReport(r)),
    );
    if (this.liveness !== undefined) {
      const liveness = this.liveness;
      liveness.start();
      this.stopWatchingBus = this.bus.onStatus((status) => {
        if (status.type === "disconnected" || status.type === "reconnecting") liveness.suspend();
        else if (status.type === "reconnected") liveness.resume();
      });
    }
    this.machine.send({ type: "STARTED" });
    // The balance as of now; updates follow on the balance subject.
    void this.bus
      .request<{ [asset: string]: { free?: string } } | null>(deskCache(o.desk), { op: "balance" })
      .then((balances) => void this.capital.setFree(balances?.[o.asset]?.free))
      .catch((err: unknown) => this.log.warn({ err }, "could not read the balance from the Desk"))
      .finally(() => {
        for (const market of o.pairs) this.spawn(market);
      });
  }

  /** Stops; proposals still waiting for a person are refused first, their answers sent. */
  async stop(): Promise<void> {
    this.running = false;
    this.liveness?.stop();
    this.stopWatchingBus?.();
    for (const t of this.traders.values()) t.beats?.unsubscribe();
    this.proposals.refuseAll(`${this.id} is stopping`);
    // The refusals are answered (and holder.refused emitted) in promise callbacks: let them run,
    // so actor.stopped is this Holder's last event.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.machine.send({ type: "STOP" });
    this.emit("actor.stopped");
    this.stopActor();
  }

  protected status(): Record<string, unknown> {
    return {
      asset: this.options.asset,
      free: this.capital.text(this.capital.free),
      allocated: this.capital.text(this.capital.allocated),
      traders: Object.fromEntries([...this.traders].map(([market, t]) => [market, t.id])),
      pending: this.proposals.pendingIds(),
      approval: this.live.approval,
    };
  }

  protected override commands(): CommandSpec[] {
    return holderCommands({
      capital: () => this.capital.view(),
      traders: () =>
        [...this.traders].map(([market, t]) => {
          const grant = this.capital.grantOf(t.id);
          return {
            market,
            trader: t.id,
            allocation: grant === undefined ? undefined : this.capital.text(grant.units),
          };
        }),
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
      throw new InvalidInputError(
        `${market} already has a Trader: ${this.traders.get(market)?.id}`,
      );
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
    const handle = this.options.spawnTrader(market, this);
    const t: Spawned = {
      market,
      id: handle.id,
      ...(handle.abandon === undefined ? {} : { abandon: handle.abandon }),
    };
    this.traders.set(market, t);
    if (this.liveness !== undefined)
      t.beats = this.bus.subscribe(heartbeat(t.id), () => this.heardFrom(t.id));
    void handle.ended.then(
      (end) => this.onTraderEnded(t, end),
      (err: unknown) => this.onTraderEnded(t, { kind: "failed", error: String(err) }),
    );
  }

  /** The running Trader with this id, if any. */
  private current(id: string): Spawned | undefined {
    for (const t of this.traders.values()) if (t.id === id) return t;
    return undefined;
  }

  private heardFrom(id: string): void {
    const t = this.current(id);
    if (t !== undefined) this.liveness?.heard(t);
  }

  private onTraderEnded(t: Spawned, end: TraderEnd): void {
    t.beats?.unsubscribe();
    this.liveness?.forget(t);
    // Replaced already (silent): its end changes nothing.
    if (this.traders.get(t.market) !== t) return;
    this.traders.delete(t.market);
    this.release(t.id);
    if (end.kind === "failed")
      this.emit("holder.trader_failed", { trader: t.id, market: t.market, error: end.error });
    this.respawnSoon(t.market);
  }

  /**
   * Nothing heard from a Trader for too long: its mandate is revoked and its allocation released
   * first — whatever it still sends creates nothing — then it is told to stop (if it can hear) and
   * a fresh Trader replaces it.
   */
  private onSilent(t: Spawned, silentForMs: number): void {
    if (this.traders.get(t.market) !== t) return;
    const revoked = this.release(t.id);
    this.traders.delete(t.market);
    t.beats?.unsubscribe();
    const seconds = Math.round(silentForMs / 1000);
    this.emit("holder.trader_silent", {
      trader: t.id,
      market: t.market,
      silentMs: silentForMs,
      ...(revoked === undefined ? {} : { revoked }),
    });
    t.abandon?.(`replaced by ${this.id}: nothing heard from it for ${seconds} s`);
    this.respawnSoon(t.market);
  }

  /** Revokes `trader`'s mandate and frees its allocation (only mandate `nonce`'s, when given). */
  private release(trader: string, nonce?: string): string | undefined {
    const grant = this.capital.release(trader, nonce);
    if (grant === undefined) return undefined;
    try {
      this.options.revoke?.(grant.nonce);
    } catch (err) {
      this.log.error({ err, nonce: grant.nonce }, "could not revoke a mandate");
    }
    return grant.nonce;
  }

  /**
   * A fresh Trader for the pair, after a pause (it will try the better candidates first); a pair
   * that waited for a free slot goes first.
   */
  private respawnSoon(market: string): void {
    if (!this.running) return;
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
      typeof p.market !== "string" ||
      typeof p.strategy !== "string" ||
      !isRecord(p.params) ||
      !isRecord(p.metrics)
    ) {
      throw new InvalidInputError(
        "a proposal needs a trader, a market and a strategy (texts), and params and metrics (mappings)",
      );
    }
    const o = this.options;
    this.heardFrom(p.trader);
    // Which incarnation asks: if it is replaced before the answer, the answer gives it nothing.
    const who = this.current(p.trader);
    const failed = judge(p.metrics, this.live.criteria);
    const record = this.proposals.add(p, this.clock.now(), failed);
    if (!o.pairs.includes(p.market)) {
      // Not this Holder's to give: refused whatever a person might say.
      return this.answer(record, who, {
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
      return this.answer(record, who, decision);
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
      return this.reply(record, who, decision);
    });
  }

  /** A person's decision on a pending proposal (`accept`/`refuse`). */
  private decide(id: string, decision: Decision): ProposalRecord {
    if (decision.accept && this.capital.share(this.live.fraction) <= 0n)
      throw new InvalidInputError(`no free ${this.options.asset} to allocate`);
    return this.proposals.decide(id, decision);
  }

  private answer(
    record: ProposalRecord,
    who: Spawned | undefined,
    decision: Decision,
  ): ProposalReply {
    this.proposals.settle(record, decision);
    return this.reply(record, who, decision);
  }

  /** The answer the Trader gets: a refusal with its reason, or an allocation and a mandate. */
  private reply(
    record: ProposalRecord,
    who: Spawned | undefined,
    decision: Decision,
  ): ProposalReply {
    const o = this.options;
    if (who !== undefined && this.traders.get(who.market) !== who) {
      // Replaced while its proposal waited: nothing for it, and nothing learnt from it.
      const reason = `${who.id} was replaced before the answer`;
      record.status = "refused";
      record.reason = reason;
      return { accepted: false, reason };
    }
    const allocation = this.capital.share(this.live.fraction);
    let reason = decision.reason;
    if (decision.accept && allocation <= 0n) reason = `no free ${o.asset} to allocate`;
    if (!decision.accept || allocation <= 0n || !this.running) {
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
    const text = this.capital.text(allocation);
    const nonce = `${this.id}-${++this.nonce}`;
    const mandate = this.keys.sign(
      {
        trader: record.trader,
        desk: o.desk,
        market: record.market,
        sides: ["buy", "sell"],
        maxNotional: text,
        // Whole milliseconds: a live clock reads fractions, a mandate carries whole ms.
        expiresAt: Math.floor(this.clock.now()) + o.mandateTtlMs,
        nonce,
      },
      this.id,
    );
    // One allocation per Trader: a second accepted proposal's replaces (and revokes) the first.
    this.release(record.trader);
    this.capital.grant(record.trader, allocation, nonce);
    this.emit("holder.accepted", {
      id: record.id,
      trader: record.trader,
      market: record.market,
      strategy: record.strategy,
      allocation: text,
      by: decision.by,
    });
    return { accepted: true, mandate, allocation: text };
  }

  private onReport(outcome: TraderOutcome): void {
    if (outcome === null || typeof outcome !== "object" || typeof outcome.trader !== "string")
      return;
    this.heardFrom(outcome.trader);
    // Only the allocation of the mandate it traded under: a late report of a replaced Trader
    // frees nothing of its successor's.
    this.release(outcome.trader, typeof outcome.mandate === "string" ? outcome.mandate : undefined);
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
