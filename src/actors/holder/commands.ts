/**
 * The Holder's own commands (on top of every actor's): its capital, Traders and proposals, and a
 * person's say on pending proposals (`accept`, `refuse`). Its settings (`get`/`set`) are what a
 * person may change while it runs: the criteria, the allocation and who approves.
 */

import { InvalidInputError } from "../../domain/errors.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { holderTemplateSchema } from "../templates/schema.js";
import type { Criteria } from "./criteria.js";
import type { Approval, Decision, ProposalRecord } from "./proposals.js";

/** What a person may change while the Holder runs (`set`); read afresh at each use. */
export interface HolderLive {
  criteria: Criteria;
  /** Fraction of free, unallocated capital given to an accepted proposal. */
  fraction: number;
  maxTraders: number;
  approval: Approval;
  /** How long a proposal waits for a person before it is refused, clock ms. */
  reviewMs: number;
}

export interface HolderControls {
  capital(): unknown;
  traders(): unknown;
  proposals(): readonly ProposalRecord[];
  pendingIds(): readonly string[];
  decide(id: string, decision: Decision): ProposalRecord;
  pairs(): readonly string[];
  spawn(market: string): unknown;
  criteria(): unknown;
  /** A one-time token for a Trader in another process to register its key (trader-keys.ts). */
  invite(trader: string, market: string): unknown;
}

export function holderCommands(holder: HolderControls): CommandSpec[] {
  const pendingId = (verb: string, id: string | undefined) => {
    if (id === undefined) {
      const pending = holder.pendingIds();
      throw new InvalidInputError(
        `${verb} needs a proposal id (pending: ${pending.join(", ") || "none"})`,
      );
    }
    return id;
  };
  return [
    {
      name: "capital",
      usage: "capital",
      summary: "free, allocated and unallocated capital, and each Trader's allocation",
      run: () => holder.capital(),
    },
    {
      name: "traders",
      usage: "traders",
      summary: "the Traders running on this capital",
      run: () => holder.traders(),
    },
    {
      name: "proposals",
      usage: "proposals",
      summary: "recent proposals: pending ones wait for accept or refuse",
      run: () =>
        holder.proposals().map((p) => ({
          id: p.id,
          status: p.status,
          market: p.market,
          strategy: p.strategy,
          sharpe: p.metrics.sharpe,
          return: p.metrics.totalReturn,
          trades: p.metrics.trades,
          note:
            p.reason ?? (p.failed.length > 0 ? `fails: ${p.failed.join("; ")}` : "meets criteria"),
        })),
    },
    {
      name: "accept",
      usage: "accept <id>",
      summary: "accept a pending proposal: the Trader gets an allocation and a mandate",
      mutating: true,
      complete: (i) => (i === 0 ? holder.pendingIds() : []),
      run: ([id], caller) => {
        const p = holder.decide(pendingId("accept", id), { accept: true, by: caller.who });
        return { accepted: p.id, trader: p.trader, market: p.market, strategy: p.strategy };
      },
    },
    {
      name: "refuse",
      usage: "refuse <id> [reason]",
      summary: "refuse a pending proposal (the Trader ends; the next tries other candidates)",
      mutating: true,
      complete: (i) => (i === 0 ? holder.pendingIds() : []),
      run: ([id, ...why], caller) => {
        const reason = why.length > 0 ? why.join(" ") : "refused by an operator";
        const p = holder.decide(pendingId("refuse", id), { accept: false, reason, by: caller.who });
        return { refused: p.id, trader: p.trader, market: p.market, reason };
      },
    },
    {
      name: "spawn",
      usage: "spawn <pair>",
      summary: "start a Trader for a pair now",
      mutating: true,
      complete: (i) => (i === 0 ? holder.pairs() : []),
      run: ([market]) => {
        if (market === undefined || !holder.pairs().includes(market))
          throw new InvalidInputError(`spawn needs one of ${holder.pairs().join(", ")}`);
        return holder.spawn(market);
      },
    },
    {
      name: "invite",
      usage: "invite <trader> <pair>",
      summary:
        "a one-time token for a Trader in another process to register its key (give it outside the bus)",
      mutating: true,
      complete: (i) => (i === 1 ? holder.pairs() : []),
      run: ([trader, market, ...rest]) => {
        if (trader === undefined || market === undefined || rest.length > 0)
          throw new InvalidInputError(
            "invite needs a trader id and a pair, like invite my-trader BTC/USDT",
          );
        if (!holder.pairs().includes(market))
          throw new InvalidInputError(
            `invite: ${market} is not one of ${holder.pairs().join(", ")}`,
          );
        return holder.invite(trader, market);
      },
    },
    {
      name: "criteria",
      usage: "criteria",
      summary: "what a proposal's out-of-sample results must meet, and who approves",
      run: () => holder.criteria(),
    },
  ];
}

/** `get`/`set` of the live settings, each checked by its holder template field. */
export function holderSettings(live: HolderLive): Settings {
  const shape = holderTemplateSchema.shape;
  const criteria = shape.criteria.shape;
  const criterion = (key: keyof Criteria) => ({
    schema: criteria[key],
    get: () => live.criteria[key],
    set: (value: unknown) => {
      live.criteria = { ...live.criteria, [key]: value as number };
    },
  });
  return {
    "criteria.minSharpe": criterion("minSharpe"),
    "criteria.maxDrawdown": criterion("maxDrawdown"),
    "criteria.minTrades": criterion("minTrades"),
    "criteria.minReturnOverBuyAndHold": criterion("minReturnOverBuyAndHold"),
    "allocation.fraction": {
      schema: shape.allocation.shape.fraction,
      get: () => live.fraction,
      set: (value) => {
        live.fraction = value as number;
      },
    },
    "allocation.maxTraders": {
      schema: shape.allocation.shape.maxTraders,
      get: () => live.maxTraders,
      set: (value) => {
        live.maxTraders = value as number;
      },
    },
    approval: {
      schema: shape.approval.unwrap(),
      get: () => live.approval,
      set: (value) => {
        live.approval = value as Approval;
      },
    },
  };
}
