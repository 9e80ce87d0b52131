/**
 * A running crypy: one Desk on a venue, its Holders, and their Traders, all on one bus. In one
 * process this is the embedded system (`crypy sim`); the same actors talk only through the bus, so
 * they could as well live in several processes on NATS.
 */
import type { Bus } from "../bus/bus.js";
import type { Logger } from "../log/logger.js";
import type { VenueConfig } from "../sim/config/types.js";
import type { Objective } from "../strategy/search/sweep.js";
import type { Clock } from "../time/clock.js";
import type { Venue } from "../venues/venue.js";
import type { HolderMay } from "./capabilities/index.js";
import { Desk } from "./desk/desk.js";
import type { BalanceTolerance } from "./desk/journal/balance-check.js";
import type { DeskJournal } from "./desk/journal/entries.js";
import type { RiskLimits } from "./desk/risk.js";
import type { Criteria } from "./holder/criteria.js";
import { candidateKey, Holder, type SpawnedTrader } from "./holder/holder.js";
import { KeyRing } from "./identity/key-ring.js";
import { HolderKeys } from "./mandate.js";
import type { ControlHost } from "./runtime/actor.js";
import type { ActorStore } from "./runtime/actor-store.js";
import { deskId, holderId, traderId } from "./runtime/ids.js";
import type { ReportProblem } from "./templates/last-valid.js";
import type { Candidate } from "./trader/evaluate.js";
import { resumable, type SavedTrader } from "./trader/saved.js";
import { Trader, type TraderEnd, type TraderOutcome } from "./trader/trader.js";

export interface TraderPlan {
  /** Candidates in the order to try them (learning puts the better ones first). */
  candidates: readonly Candidate[];
  warmupCandles: number;
  inSampleFraction: number;
  objective: Objective;
  stopLossPct: number;
  takeProfitPct: number;
  maxWaitCandles?: number;
}

export interface HolderPlan {
  criteria: Criteria;
  fraction: number;
  maxTraders: number;
  mandateTtlMs: number;
  approval?: "auto" | "review" | "manual";
  reviewMs?: number;
  pairs: readonly string[];
  /**
   * Read at every spawn, so a human's template edit applies to the next Trader; a template that
   * does not load is given to `report` (once) and the last valid one is used.
   */
  traderPlan: (market: string, report?: ReportProblem) => Promise<TraderPlan>;
  onOutcome?: (outcome: TraderOutcome) => Promise<readonly string[] | undefined>;
  respawnAfterMs?: number;
  /** A Trader silent this long (clock ms) is replaced; default six heartbeats (holder.ts). */
  livenessMs?: number;
  /** What the Holder allows its Traders beyond long spot; default neither shorting nor leverage. */
  may?: HolderMay;
}

export interface SystemOptions {
  bus: Bus;
  clock: Clock;
  log: Logger;
  venue: Venue;
  venueConfig: VenueConfig;
  /**
   * The Desk is `<exchange>-<account>`, the exchange as its template names it (a binance.yaml
   * on the simulated venue runs binance-main). Default: the venue's name.
   */
  exchange?: string;
  account: string;
  watch: readonly string[];
  risk: RiskLimits;
  assets: readonly string[];
  holderPlan: (asset: string) => HolderPlan | Promise<HolderPlan>;
  heartbeatMs?: number;
  /** Gives each actor its own telnet endpoint (and the audit log); none: bus control only. */
  control?: ControlHost;
  /**
   * Where the actors' keys and counters come from: the state directory, so identities, mandate
   * nonces and order sequences survive restarts. Default: fresh, in memory.
   */
  keys?: KeyRing;
  /**
   * The Desk's journal: it replays it and reconciles with the venue at start, and journals every
   * intent and order state before acting on it. None: a restart starts from nothing.
   */
  deskJournal?: DeskJournal;
  /**
   * Where Holders and Traders keep their records: a Trader an earlier run accepted resumes its
   * attempt (and position) at start, its Holder's allocations as they were. None: they start afresh.
   */
  actorStore?: ActorStore;
  /** The Desk's tolerance for balances at restart (desk/journal/balance-check.ts). */
  balanceTolerance?: BalanceTolerance;
}

export class CrypySystem {
  readonly desk: Desk;
  readonly holders: Holder[] = [];
  readonly traders = new Map<string, Trader>();
  private readonly ring: KeyRing;
  /** Records of Traders an earlier run left accepted, by id: each resumes at its first spawn. */
  private readonly toResume = new Map<string, SavedTrader>();

  constructor(private readonly options: SystemOptions) {
    this.ring = options.keys ?? KeyRing.inMemory();
    const env = this.env();
    this.desk = new Desk(
      {
        id: deskId(options.exchange ?? options.venueConfig.name, options.account),
        venue: options.venue,
        watch: options.watch,
        risk: options.risk,
        keys: this.ring,
        ...(options.deskJournal === undefined ? {} : { journal: options.deskJournal }),
        ...(options.balanceTolerance === undefined
          ? {}
          : { balanceTolerance: options.balanceTolerance }),
        venueRules: options.venueConfig,
        assetDecimals: Object.fromEntries(
          Object.entries(options.venueConfig.assets).map(([a, c]) => [a, c.decimals]),
        ),
      },
      env,
    );
  }

  private env() {
    const o = this.options;
    return {
      bus: o.bus,
      clock: o.clock,
      log: o.log,
      ...(o.heartbeatMs === undefined ? {} : { heartbeatMs: o.heartbeatMs }),
      ...(o.control === undefined ? {} : { control: o.control }),
    };
  }

  async start(): Promise<void> {
    await this.desk.start();
    const balances = await this.options.venue.fetchBalance();
    for (const asset of this.options.assets) {
      if (!(Number(balances[asset]?.total ?? "0") > 0)) continue; // only assets the account holds
      const plan = await this.options.holderPlan(asset);
      const id = holderId(this.desk.id, asset);
      const pairs = plan.pairs.filter((p) => this.options.watch.includes(p));
      const resumed = this.resumableTraders(id, pairs);
      const holder = new Holder(
        {
          id,
          keys: HolderKeys.of(this.ring.keys(id)),
          nonces: this.ring.counter(id, "mandate-nonce"),
          asset,
          desk: this.desk.id,
          criteria: plan.criteria,
          fraction: plan.fraction,
          maxTraders: plan.maxTraders,
          mandateTtlMs: plan.mandateTtlMs,
          assetDecimals: this.options.venueConfig.assets[asset]?.decimals ?? 8,
          pairs,
          ...(this.options.actorStore === undefined ? {} : { store: this.options.actorStore }),
          resumed: resumed.map((r) => ({
            trader: r.trader,
            allocation: r.trade.allocation,
            nonce: r.trade.mandate.nonce,
          })),
          spawnTrader: (market, h) => this.spawnTrader(market, h, plan),
          // In one process the Desk is at hand; over NATS this would be a control command to it.
          revoke: (nonce) => this.desk.revokeMandate(nonce),
          ...(plan.livenessMs === undefined ? {} : { livenessMs: plan.livenessMs }),
          ...(plan.onOutcome === undefined ? {} : { onOutcome: plan.onOutcome }),
          ...(plan.respawnAfterMs === undefined ? {} : { respawnAfterMs: plan.respawnAfterMs }),
          ...(plan.approval === undefined ? {} : { approval: plan.approval }),
          ...(plan.reviewMs === undefined ? {} : { reviewMs: plan.reviewMs }),
          ...(plan.may === undefined ? {} : { may: plan.may }),
        },
        this.env(),
      );
      // The Desk trusts the key it was handed here, in this process, never one announced on the bus.
      this.desk.trustHolder(holder.id, holder.publicKey);
      this.holders.push(holder);
      holder.start();
    }
  }

  /** The records of `holder`'s Traders on `pairs` that an earlier run left accepted. */
  private resumableTraders(holder: string, pairs: readonly string[]): SavedTrader[] {
    const store = this.options.actorStore;
    if (store === undefined) return [];
    const out: SavedTrader[] = [];
    for (const market of pairs) {
      const id = traderId(this.desk.id, market);
      const record = resumable(store.load<SavedTrader>(id), holder, market);
      if (record === undefined) continue;
      this.toResume.set(id, record);
      out.push(record);
    }
    return out;
  }

  private spawnTrader(market: string, holder: Holder, plan: HolderPlan): SpawnedTrader {
    const id = traderId(this.desk.id, market);
    // The first Trader on the pair takes up the attempt an earlier run left, if any.
    const resume = this.toResume.get(id);
    this.toResume.delete(id);
    // A successor on the pair is the same Trader to the world: same key, same order sequence.
    const keys = this.ring.keys(id);
    let trader: Trader | undefined;
    let abandoned: string | undefined;
    const planned = plan.traderPlan(market, (problem) => holder.templateInvalid(problem));
    const ended = planned.then((t): Promise<TraderEnd> | TraderEnd => {
      // The system began stopping while the template was read: no Trader to start any more.
      if (this.stopping) return { kind: "nothing", reason: "system stopped before it started" };
      if (abandoned !== undefined) return { kind: "failed", error: abandoned };
      // Memory: candidates this Holder already refused for the pair go last.
      const refused = holder.refusedFor(market);
      const fresh = t.candidates.filter(
        (c) => !refused.has(candidateKey(c.strategy.name, c.params)),
      );
      const stale = t.candidates.filter((c) =>
        refused.has(candidateKey(c.strategy.name, c.params)),
      );
      const candidates = fresh.length > 0 ? fresh : stale;
      const started = new Trader(
        {
          id,
          market,
          desk: this.desk.id,
          asset: holder.asset,
          holder: holder.id,
          candidates,
          warmupCandles: t.warmupCandles,
          inSampleFraction: t.inSampleFraction,
          objective: t.objective,
          stopLossPct: t.stopLossPct,
          takeProfitPct: t.takeProfitPct,
          venue: this.options.venueConfig,
          ...(t.maxWaitCandles === undefined ? {} : { maxWaitCandles: t.maxWaitCandles }),
          proposalWaitMs: holder.answerWithinMs,
          keys,
          sequence: this.ring.counter(id, "order-seq"),
          ...(this.options.actorStore === undefined ? {} : { store: this.options.actorStore }),
          ...(resume === undefined ? {} : { resume }),
          // In one process the Holder's own are at hand; they are read at each spawn, so a
          // Trader spawned after a change of the Desk's gets the new ones.
          ...(holder.capabilities === undefined ? {} : { capabilities: holder.capabilities }),
        },
        this.env(),
      );
      trader = started;
      this.traders.set(id, started);
      // A successor has the same id: only this Trader's own entry goes.
      return started.run().finally(() => {
        if (this.traders.get(id) === started) this.traders.delete(id);
      });
    }, failedPlan);
    const abandon = (reason: string) => {
      abandoned = reason;
      trader?.abandon(reason);
    };
    return { id, publicKey: keys.publicKey, ended, abandon };
  }

  private stopping = false;

  async stop(): Promise<void> {
    this.stopping = true;
    for (const trader of [...this.traders.values()]) await trader.shutdown();
    // The Traders' last reports reach their Holders before those stop: a flush returns once the
    // server has sent back what this connection published before it, and a turn dispatches it.
    await this.options.bus.flush();
    await new Promise<void>((resolve) => setImmediate(resolve));
    // A stopping Holder refuses the proposals still waiting for a person and sends those answers
    // before its own actor.stopped; the Desk stops last.
    for (const holder of this.holders) await holder.stop();
    await this.desk.stop();
  }
}

/**
 * No plan, no Trader: the Holder hears of it as a failed one and tries again later (a rejection
 * left to the Holder would go unhandled and end the process).
 */
function failedPlan(err: unknown): TraderEnd {
  return { kind: "failed", error: err instanceof Error ? err.message : String(err) };
}
