/**
 * A Trader's proposal to its Holder: the best candidate and its out-of-sample metrics, asked on
 * the Holder's proposal subject.
 *
 * A proposal may wait for a person: the Holder answers within its review window (its clock's
 * time), so the Trader waits that long and a margin, in its own clock; an answer lost on the way
 * ends the attempt then, with nothing. Only an acceptance that carries a mandate accepts.
 */
import type { Bus } from "../../bus/bus.js";
import { holderProposal } from "../../bus/subjects.js";
import { TimeoutError } from "../../domain/errors.js";
import type { Metrics } from "../../strategy/backtest/types.js";
import type { Clock } from "../../time/clock.js";
import { needsSomething } from "../capabilities/index.js";
import type { Mandate } from "../mandate.js";
import type { OrderProof } from "../order-signature.js";
import { askWithin, duration } from "../runtime/ask.js";
import { type SignedProposal, signProposal } from "../trader-signature.js";
import type { Evaluation } from "./evaluate.js";
import type { ProposalReply, TraderOptions } from "./types.js";

/** Default wait for the Holder's answer: its default review window (30 min) and a minute. */
const PROPOSAL_WAIT_MS = 31 * 60_000;

export type ProposalAnswer =
  | { accepted: true; mandate: Mandate; allocation: string }
  | { accepted: false; end: { kind: "refused" | "nothing"; reason: string } };

/**
 * Proposes `evaluation`'s candidate for `trader`. An answer that does not come in time ends the
 * attempt with nothing — unless it had ended already (`ended()`), when the timeout is thrown.
 */
export async function propose(
  bus: Bus,
  clock: Clock,
  options: TraderOptions,
  trader: string,
  evaluation: Evaluation,
  ended: () => boolean,
): Promise<ProposalAnswer> {
  const o = options;
  const waitMs = o.proposalWaitMs ?? PROPOSAL_WAIT_MS;
  let reply: ProposalReply;
  try {
    reply = await askWithin<ProposalReply>(
      bus,
      clock,
      holderProposal(o.desk, o.asset),
      signedProposal(o, {
        trader,
        market: o.market,
        strategy: evaluation.candidate.strategy.name,
        params: evaluation.candidate.params,
        metrics: evaluation.outOfSample,
        ...(needsSomething(evaluation.candidate.strategy.needs)
          ? { needs: { ...evaluation.candidate.strategy.needs } }
          : {}),
      }),
      waitMs,
      o.holder,
    );
  } catch (err) {
    if (!(err instanceof TimeoutError) || ended()) throw err;
    const reason = `no answer to the proposal from ${o.holder} within ${duration(waitMs)}`;
    return { accepted: false, end: { kind: "nothing", reason } };
  }
  if (reply?.accepted !== true || reply.mandate === undefined)
    return {
      accepted: false,
      end: { kind: "refused", reason: reply?.reason ?? "no reason given" },
    };
  return { accepted: true, mandate: reply.mandate, allocation: reply.allocation ?? "0" };
}

/** The proposal with its proof: signed by the Trader, at the next value of its sequence. */
function signedProposal(o: TraderOptions, p: SignedProposal): SignedProposal & OrderProof {
  return { ...p, ...signProposal(o.keys, o.desk, o.asset, p, o.sequence.next()) };
}

/** The out-of-sample metrics people see in `trader.proposed`. */
export function metricsSummary(m: Metrics): Record<string, number> {
  return {
    sharpe: m.sharpe,
    totalReturn: m.totalReturn,
    maxDrawdown: m.maxDrawdown,
    trades: m.trades,
  };
}
