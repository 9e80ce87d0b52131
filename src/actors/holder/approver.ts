/**
 * How a Holder answers its Traders' proposals. Each is judged against the criteria (criteria.ts)
 * and recorded (proposals.ts); the approval setting says who decides: the criteria at once, or —
 * `manual`, or `review` of one that fails them, or any while the Holder is paused — a person,
 * within the review window, whose silence refuses.
 *
 * The answer is a refusal with its reason, or an allocation (a fraction of the free capital not
 * already allocated, capital.ts) and a mandate signed for exactly that.
 *
 * Invariants:
 * - A proposal for a pair that is not the Holder's is refused, whatever a person might say.
 * - So is one that needs a capability the Holder lacks (shorting, leverage), with the reason.
 * - A Trader replaced while its proposal waited gets nothing, and nothing is learnt from it.
 * - Nothing is allocated when nothing is free or the Holder is stopping.
 * - One allocation per Trader: a second accepted proposal's replaces (and revokes) the first.
 * - A refused candidate is remembered for its pair, so the pair's next Trader tries others first.
 */
import { InvalidInputError, MandateDeniedError } from "../../domain/errors.js";
import { parseMarket } from "../../domain/market.js";
import type { Clock } from "../../time/clock.js";
import { type Capabilities, lacking, readNeeds } from "../capabilities/index.js";
import type { HolderKeys } from "../mandate.js";
import type { ProposalReply } from "../trader/types.js";
import { proposalBytes } from "../trader-signature.js";
import type { Capital } from "./capital.js";
import type { HolderLive } from "./commands.js";
import { judge } from "./criteria.js";
import { type Decision, type Proposal, ProposalBook, type ProposalRecord } from "./proposals.js";
import type { KnownTrader, TraderKeys } from "./trader-keys.js";
import type { TraderSlots } from "./trader-slots.js";

export interface ApproverOptions {
  holder: string;
  asset: string;
  desk: string;
  pairs: readonly string[];
  mandateTtlMs: number;
  keys: HolderKeys;
  /** The next mandate nonce number: never repeated, across restarts too (a DurableCounter). */
  nextNonce: () => number;
  capital: Capital;
  slots: TraderSlots;
  /** Whose proposals count: spawned or registered Traders, by their keys. */
  traders: TraderKeys;
  live: HolderLive;
  clock: Clock;
  emit: (event: string, fields: Record<string, unknown>) => void;
  paused: () => boolean;
  running: () => boolean;
  /** Revokes a Trader's mandate and frees its allocation. */
  release: (trader: string) => void;
  /** The Holder's capabilities, once its Desk told them. */
  capabilities: () => Capabilities | undefined;
}

export class Approver {
  readonly proposals = new ProposalBook();
  /** Per pair, the (strategy, params) refused: the next Trader tries others first. */
  readonly #refusedByPair = new Map<string, Set<string>>();

  constructor(private readonly o: ApproverOptions) {}

  /** What is remembered of a pair: the candidates refused. */
  refusedFor(market: string): ReadonlySet<string> {
    return this.#refusedByPair.get(market) ?? new Set();
  }

  /** A Trader's proposal: answered at once, or when a person (or the review window) decides. */
  onProposal(p: Proposal): ProposalReply | Promise<ProposalReply> {
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
    const { live, slots } = this.o;
    // Capital goes only to a Trader this Holder spawned or registered, on its proof that it sent
    // this very proposal (a made-up or replayed one is refused). Which incarnation asks is kept:
    // if it is replaced before the answer, the answer gives it nothing.
    const who = this.o.traders.verify(
      p.trader,
      p as Proposal & { seq: unknown; signature: unknown },
      (seq) => proposalBytes(this.o.desk, this.o.asset, p, seq),
    );
    if (who.market !== undefined && who.market !== p.market)
      throw new MandateDeniedError(`wrong market: ${who.id} was registered for ${who.market}`);
    slots.heardFrom(p.trader);
    const failed = judge(p.metrics, live.criteria);
    const record = this.proposals.add(p, this.o.clock.now(), failed);
    if (!this.o.running()) {
      // Stopping: no review window may start (its timer would outlive the Holder), no capital.
      return this.answer(record, who, {
        accept: false,
        reason: `${this.o.holder} is stopping`,
        by: "holder",
      });
    }
    if (!this.o.pairs.includes(p.market)) {
      // Not this Holder's to give: refused whatever a person might say.
      return this.answer(record, who, {
        accept: false,
        reason: `${p.market} is not a pair of ${this.o.asset}`,
        by: "criteria",
      });
    }
    const missing = this.missingCapability(p);
    if (missing !== undefined) {
      // What the venue or the template does not allow: refused whatever a person might say.
      return this.answer(record, who, { accept: false, reason: missing, by: "capabilities" });
    }
    const approval = live.approval;
    const automatic =
      !this.o.paused() && (approval === "auto" || (approval === "review" && failed.length === 0));
    if (automatic) {
      const decision: Decision =
        failed.length === 0
          ? { accept: true, by: "criteria" }
          : { accept: false, reason: failed.join("; "), by: "criteria" };
      return this.answer(record, who, decision);
    }
    // A person decides, within the review window; silence refuses.
    const window = this.o.clock.setTimeout(() => {
      try {
        this.proposals.decide(record.id, {
          accept: false,
          reason: `no decision within ${Math.round(live.reviewMs / 60_000)} min${failed.length > 0 ? `: ${failed.join("; ")}` : ""}`,
          by: "review window",
        });
      } catch {
        // Already decided by a person.
      }
    }, live.reviewMs);
    this.o.emit("holder.pending", {
      id: record.id,
      trader: p.trader,
      market: p.market,
      strategy: p.strategy,
      ...(failed.length > 0 ? { failed: failed.join("; ") } : {}),
    });
    return this.proposals.wait(record).then((decision) => {
      this.o.clock.clearTimeout(window);
      return this.reply(record, who, decision);
    });
  }

  /** Why the Holder's capabilities do not allow what `p` needs, or undefined when they do. */
  private missingCapability(p: Proposal): string | undefined {
    const needs = readNeeds(p.needs);
    if (typeof needs === "string") return needs;
    if (needs.short !== true && (needs.leverage ?? 1) <= 1) return undefined;
    const caps = this.o.capabilities();
    if (caps === undefined)
      return `${this.o.holder} does not know ${this.o.desk}'s capabilities yet`;
    return lacking(caps, p.market, needs);
  }

  /** A person's decision on a pending proposal (`accept`/`refuse`). */
  decide(id: string, decision: Decision): ProposalRecord {
    if (decision.accept && this.o.capital.share(this.o.live.fraction) <= 0n)
      throw new InvalidInputError(`no free ${this.o.asset} to allocate`);
    return this.proposals.decide(id, decision);
  }

  private answer(record: ProposalRecord, who: KnownTrader, decision: Decision): ProposalReply {
    this.proposals.settle(record, decision);
    return this.reply(record, who, decision);
  }

  /** The answer the Trader gets: a refusal with its reason, or an allocation and a mandate. */
  private reply(record: ProposalRecord, who: KnownTrader, decision: Decision): ProposalReply {
    const { o } = this;
    if (!o.traders.holds(who)) {
      // Replaced while its proposal waited: nothing for it, and nothing learnt from it.
      const reason = `${who.id} was replaced before the answer`;
      record.status = "refused";
      record.reason = reason;
      return { accepted: false, reason };
    }
    const allocation = o.capital.share(o.live.fraction);
    let reason = decision.reason;
    if (decision.accept && allocation <= 0n) reason = `no free ${o.asset} to allocate`;
    if (!decision.accept || allocation <= 0n || !o.running()) {
      reason ??= o.running() ? "refused" : `${o.holder} is stopping`;
      record.status = "refused";
      record.reason = reason;
      let refused = this.#refusedByPair.get(record.market);
      if (refused === undefined) {
        refused = new Set();
        this.#refusedByPair.set(record.market, refused);
      }
      refused.add(candidateKey(record.strategy, record.params));
      o.emit("holder.refused", {
        id: record.id,
        trader: record.trader,
        market: record.market,
        strategy: record.strategy,
        reason,
        by: decision.by,
      });
      return { accepted: false, reason };
    }
    const text = o.capital.text(allocation);
    const nonce = `${o.holder}-${o.nextNonce()}`;
    const mandate = o.keys.sign(
      {
        ...contractBounds(record),
        trader: record.trader,
        traderKey: who.publicKey,
        desk: o.desk,
        market: record.market,
        sides: ["buy", "sell"],
        maxNotional: text,
        // Whole milliseconds: a live clock reads fractions, a mandate carries whole ms.
        expiresAt: Math.floor(o.clock.now()) + o.mandateTtlMs,
        nonce,
      },
      o.holder,
    );
    // One allocation per Trader: a second accepted proposal's replaces (and revokes) the first.
    o.release(record.trader);
    o.capital.grant(record.trader, allocation, nonce);
    o.emit("holder.accepted", {
      id: record.id,
      trader: record.trader,
      market: record.market,
      strategy: record.strategy,
      allocation: text,
      by: decision.by,
    });
    return { accepted: true, mandate, allocation: text };
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

/**
 * A contract market's mandate bounds its leverage to what the proposal needs (its Holder's
 * capabilities allowed that much, or it was refused): the allocation is then margin, and the
 * Desk refuses an order asking more. Spot mandates name none.
 */
function contractBounds(record: ProposalRecord): { maxLeverage?: number } {
  if (parseMarket(record.market).kind === "spot") return {};
  const needs = readNeeds(record.needs);
  return { maxLeverage: typeof needs === "string" ? 1 : (needs.leverage ?? 1) };
}
