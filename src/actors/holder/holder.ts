/**
 * The Holder: one per owned asset, that asset's capital.
 *
 * It tracks its free capital from the Desk's balance updates, keeps a Trader running for each of
 * its pairs (trader-slots.ts: at most `maxTraders` at a time), judges their proposals against its
 * criteria, and gives an accepted one an allocation (a fraction of the free capital not already
 * allocated) and a signed mandate for exactly that (approver.ts). When a Trader ends, its outcome
 * is recorded (learning) and a fresh Trader is spawned for the pair, which will try the better
 * candidates first.
 *
 * Capital is exact (capital.ts): minor units at the asset's decimals, decimal strings outside.
 * A Trader that ends — or goes silent (liveness.ts: no heartbeat, proposal or report for
 * `livenessMs`) — has its mandate revoked at the Desk and its allocation released before anything
 * else, so a late reply or a late order of it creates nothing; a silent one is then replaced.
 * Revoking and releasing happen here (`release`), the one place both are done together.
 *
 * Capabilities: it asks its Desk for the venue's at start (and follows the Desk's capabilities
 * subject), narrows them by its template's `may` (capabilities/narrow.ts) and gives its own to
 * the Traders it spawns; a proposal that needs one it lacks is refused with the reason. */
import { createActor } from "xstate";
import {
  deskBalance,
  deskCache,
  deskCapabilities,
  holderProposal,
  holderRegister,
  holderReport,
} from "../../bus/subjects.js";
import {
  type Capabilities,
  DEFAULT_MAY,
  type HolderMay,
  holderCapabilities,
} from "../capabilities/index.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { DurableCounter } from "../identity/counter.js";
import { HolderKeys } from "../mandate.js";
import { Actor, type ActorEnv } from "../runtime/actor.js";
import type { ActorStore } from "../runtime/actor-store.js";
import type { TemplateProblem } from "../templates/last-valid.js";
import type { TraderOutcome } from "../trader/trader.js";
import { outcomeBytes } from "../trader-signature.js";
import { Approver } from "./approver.js";
import { Capital } from "./capital.js";
import { type HolderLive, holderCommands, holderSettings } from "./commands.js";
import type { Criteria } from "./criteria.js";
import { holderMachine } from "./machine.js";
import { checkOutcome } from "./outcome-check.js";
import type { Approval, Proposal } from "./proposals.js";
import { type ResumedGrant, restoreGrants, type SavedHolder, savedHolder } from "./saved.js";
import { type Registration, TraderKeys } from "./trader-keys.js";
import { type SpawnedTrader, TraderSlots } from "./trader-slots.js";

export { candidateKey } from "./approver.js";
export type { SpawnedTrader } from "./trader-slots.js";

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
  /** Its signing identity (from the state directory, so the Desk trusts the same key). Default: fresh. */
  keys?: HolderKeys;
  /** Mandate nonce numbers, never repeated across restarts. Default: in memory, from 1. */
  nonces?: { next(): number };
  /** How long a proposal waits for a person before it is refused, clock ms. Default 30 min. */
  reviewMs?: number;
  /** Where it keeps its allocations, so a restart knows which mandates it gave (saved.ts). */
  store?: ActorStore;
  /** Allocations of Traders an earlier run accepted that resume now: granted again at start. */
  resumed?: readonly ResumedGrant[];
  /** What its template allows its Traders beyond long spot (holder template `may:`). */
  may?: HolderMay;
}

export class Holder extends Actor {
  private readonly machine = createActor(holderMachine);
  readonly keys: HolderKeys;
  private readonly capital: Capital;
  private readonly slots: TraderSlots;
  /** Whose word counts: the keys of the Traders it spawned or registered. */
  private readonly traderKeys: TraderKeys;
  private readonly approver: Approver;
  /** What a person may change while it runs (`set`): criteria, allocation, approval. */
  private readonly live: HolderLive;
  private running = false;
  /** Outcomes being written into templates: a stop waits for them (learning is not lost). */
  private readonly recording = new Set<Promise<void>>();
  /** Its Desk's capabilities narrowed by `may`; undefined until the Desk has told them. */
  #capabilities: Capabilities | undefined;

  constructor(
    private readonly options: HolderOptions,
    env: ActorEnv,
  ) {
    super(options.id, "holder", env);
    this.keys = options.keys ?? HolderKeys.generate();
    const nonces = options.nonces ?? new DurableCounter(undefined, `${options.id}.nonce`);
    this.live = {
      criteria: { ...options.criteria },
      fraction: options.fraction,
      maxTraders: options.maxTraders,
      approval: options.approval ?? "auto",
      reviewMs: options.reviewMs ?? 30 * 60_000,
    };
    this.capital = new Capital(options.asset, options.assetDecimals, () => this.persist());
    const beat = env.heartbeatMs ?? 5_000;
    this.slots = new TraderSlots({
      holder: this.id,
      bus: this.bus,
      clock: this.clock,
      spawnTrader: (market) => options.spawnTrader(market, this),
      // A Trader that resumes an earlier run's attempt never proposes: its report still counts.
      spawned: (t) => void this.traderKeys.known(t.id),
      release: (trader) => this.release(trader),
      emit: (event, fields) => this.emit(event, fields),
      running: () => this.running,
      paused: () => this.paused,
      maxTraders: () => this.live.maxTraders,
      respawnAfterMs: options.respawnAfterMs ?? 60_000,
      heartbeatMs: beat,
      silentMs: options.livenessMs ?? 6 * beat,
    });
    this.traderKeys = new TraderKeys(this.id, options.desk, options.asset, (id) =>
      this.slots.current(id),
    );
    this.approver = new Approver({
      holder: this.id,
      asset: options.asset,
      desk: options.desk,
      pairs: options.pairs,
      mandateTtlMs: options.mandateTtlMs,
      keys: this.keys,
      nextNonce: () => nonces.next(),
      capital: this.capital,
      slots: this.slots,
      traders: this.traderKeys,
      live: this.live,
      clock: this.clock,
      emit: (event, fields) => this.emit(event, fields),
      paused: () => this.paused,
      running: () => this.running,
      release: (trader) => this.release(trader),
      capabilities: () => this.#capabilities,
    });
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

  /** Its capabilities, for the Traders it spawns (undefined until its Desk has told them). */
  get capabilities(): Capabilities | undefined {
    return this.#capabilities;
  }

  /** The Desk's capabilities (from the bus: untrusted in shape), narrowed by its template. */
  private takeCapabilities(desk: unknown): void {
    if (!isCapabilities(desk)) {
      if (desk !== null) this.log.warn({ desk }, "the Desk's capabilities were not readable");
      return;
    }
    this.#capabilities = holderCapabilities(desk, this.id, this.options.may ?? DEFAULT_MAY);
    this.emit("holder.capabilities", {
      shorting: this.#capabilities.shorting,
      stopOrders: this.#capabilities.stopOrders,
      maxLeverage: this.#capabilities.maxLeverage,
    });
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
    this.keep(
      this.bus.serve<Proposal>(holderProposal(o.desk, o.asset), (p) => this.approver.onProposal(p)),
    );
    this.keep(
      this.bus.serve<Registration>(holderRegister(o.desk, o.asset), (r) => {
        const known = this.traderKeys.register(r, this.clock.now());
        this.emit("holder.registered", { trader: known.id, market: known.market });
        return { registered: known.id, market: known.market };
      }),
    );
    this.keep(this.bus.subscribe<unknown>(holderReport(o.desk, o.asset), (r) => this.onReport(r)));
    this.keep(
      this.bus.subscribe<unknown>(deskCapabilities(o.desk), (c) => this.takeCapabilities(c)),
    );
    this.slots.start();
    this.restore();
    this.machine.send({ type: "STARTED" });
    // The balance and the capabilities as of now; updates follow on their subjects. Traders are
    // spawned once both are known (or could not be): they start with what the Holder allows.
    const balance = this.bus
      .request<{ [asset: string]: { free?: string } } | null>(deskCache(o.desk), { op: "balance" })
      .then((balances) => void this.capital.setFree(balances?.[o.asset]?.free))
      .catch((err: unknown) => this.log.warn({ err }, "could not read the balance from the Desk"));
    const capabilities = this.bus
      .request<unknown>(deskCache(o.desk), { op: "capabilities" })
      .then((c) => this.takeCapabilities(c))
      .catch((err: unknown) =>
        this.log.warn({ err }, "could not read the capabilities from the Desk"),
      );
    void Promise.all([balance, capabilities]).finally(() => {
      for (const market of o.pairs) this.slots.spawn(market);
    });
  }

  /**
   * The allocations of an earlier run: those of Traders that resume are kept, the others' mandates
   * revoked (nobody will trade them).
   */
  private restore(): void {
    const store = this.options.store;
    const saved = store?.load<SavedHolder>(this.id);
    const revoked = restoreGrants(this.capital, saved, this.options.resumed ?? [], (nonce) =>
      this.options.revoke?.(nonce),
    );
    if (saved !== undefined || (this.options.resumed ?? []).length > 0) {
      this.emit("holder.restored", {
        allocated: this.capital.text(this.capital.allocated),
        traders: this.capital.grants().map(([trader]) => trader),
        ...(revoked.length === 0 ? {} : { revoked }),
      });
    }
    this.persist();
  }

  /** Keeps its allocations (saved.ts); a failed write is said loudly, and changes nothing held. */
  private persist(): void {
    const store = this.options.store;
    if (store === undefined) return;
    try {
      store.save(this.id, savedHolder(this.capital));
    } catch (err) {
      this.log.error({ err }, "could not save the Holder's record");
      this.emit("holder.save_failed", { error: String(err) });
    }
  }

  /** Stops; proposals still waiting for a person are refused first, their answers sent. */
  async stop(): Promise<void> {
    this.running = false;
    this.slots.stop();
    this.approver.proposals.refuseAll(`${this.id} is stopping`);
    // The refusals are answered (and holder.refused emitted) in promise callbacks: let them run,
    // so actor.stopped is this Holder's last event.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await Promise.allSettled([...this.recording]);
    this.machine.send({ type: "STOP" });
    this.emit("actor.stopped");
    this.stopActor();
  }

  protected status(): Record<string, unknown> {
    return {
      asset: this.options.asset,
      free: this.capital.text(this.capital.free),
      allocated: this.capital.text(this.capital.allocated),
      traders: Object.fromEntries([...this.slots.traders].map(([market, t]) => [market, t.id])),
      pending: this.approver.proposals.pendingIds(),
      approval: this.live.approval,
      capabilities: this.#capabilities,
    };
  }

  protected override commands(): CommandSpec[] {
    const proposals = this.approver.proposals;
    return holderCommands({
      capital: () => this.capital.view(),
      traders: () =>
        [...this.slots.traders].map(([market, t]) => {
          const grant = this.capital.grantOf(t.id);
          return {
            market,
            trader: t.id,
            allocation: grant === undefined ? undefined : this.capital.text(grant.units),
          };
        }),
      proposals: () => proposals.recent(),
      pendingIds: () => proposals.pendingIds(),
      decide: (id, decision) => this.approver.decide(id, decision),
      pairs: () => this.options.pairs,
      spawn: (market) => this.slots.spawnNow(market),
      criteria: () => ({ ...this.live.criteria, approval: this.live.approval }),
      invite: (trader, market) => {
        const { token, expiresAt } = this.traderKeys.invite(trader, market, this.clock.now());
        this.emit("holder.invited", { trader, market });
        return {
          trader,
          market,
          token,
          expiresAt,
          register: holderRegister(this.options.desk, this.options.asset),
        };
      },
    });
  }

  protected override settings(): Settings {
    return holderSettings(this.live);
  }

  protected override resume(): unknown {
    const answer = super.resume();
    this.slots.resume();
    return answer;
  }

  /** What this Holder remembers of a pair: the candidates it refused. */
  refusedFor(market: string): ReadonlySet<string> {
    return this.approver.refusedFor(market);
  }

  /** A template this Holder spawns from did not load: people see why; its last valid one is used. */
  templateInvalid(problem: TemplateProblem): void {
    this.emit("template.invalid", { file: problem.file, error: problem.error });
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

  private onReport(report: unknown): void {
    // Learning and capital take only a well-formed report signed by a Trader of this Holder's.
    let outcome: TraderOutcome;
    try {
      outcome = checkOutcome(report, this.options.pairs);
      const proof = report as { seq?: unknown; signature?: unknown };
      this.traderKeys.verify(
        outcome.trader,
        { seq: proof.seq, signature: proof.signature },
        (seq) => outcomeBytes(this.options.desk, this.options.asset, outcome, seq),
        true,
      );
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.log.warn({ reason }, "a report was refused");
      this.emit("holder.report_refused", { reason });
      return;
    }
    this.slots.heardFrom(outcome.trader);
    // Only the allocation of the mandate it traded under: a late report of a replaced Trader
    // frees nothing of its successor's.
    this.release(outcome.trader, typeof outcome.mandate === "string" ? outcome.mandate : undefined);
    this.emit("holder.recorded", {
      trader: outcome.trader,
      market: outcome.market,
      strategy: outcome.strategy,
      pnl: outcome.pnl,
    });
    const recording = this.options
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
      .catch((err: unknown) => this.log.error({ err }, "could not record an outcome"))
      .finally(() => this.recording.delete(recording!));
    if (recording !== undefined) this.recording.add(recording);
  }
}

/** Enough of a Capabilities value to narrow it safely (it came over the bus). */
function isCapabilities(value: unknown): value is Capabilities {
  if (value === null || typeof value !== "object") return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.of === "string" &&
    typeof c.shorting === "boolean" &&
    typeof c.stopOrders === "boolean" &&
    typeof c.maxLeverage === "number" &&
    Array.isArray(c.routes) &&
    typeof c.markets === "object" &&
    c.markets !== null &&
    typeof c.off === "object" &&
    c.off !== null
  );
}
