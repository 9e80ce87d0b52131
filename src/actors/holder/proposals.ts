/**
 * A Holder's proposals: each one judged, and — when the criteria alone do not decide it (approval
 * `manual`, or `review` of one that failed them) — held pending for a person to accept or refuse
 * within the review window, after which it is refused. The Trader's request waits for the answer.
 */
import { InvalidInputError } from "../../domain/errors.js";
import type { Metrics } from "../../strategy/backtest/types.js";

/** auto: the criteria decide. review: failures wait for a person. manual: everything does. */
export const APPROVALS = ["auto", "review", "manual"] as const;
export type Approval = (typeof APPROVALS)[number];

export interface Proposal {
  trader: string;
  market: string;
  strategy: string;
  params: Record<string, unknown>;
  metrics: Partial<Metrics>;
  /** What its strategy needs beyond a long spot position (capabilities/types.ts); signed. */
  needs?: unknown;
}

export type ProposalStatus = "pending" | "accepted" | "refused";

export interface ProposalRecord extends Proposal {
  id: string;
  at: number;
  status: ProposalStatus;
  /** Why the criteria refuse it (empty when they accept it). */
  failed: readonly string[];
  reason?: string;
}

/** Kept for `proposals`; older ones are forgotten. */
const HISTORY = 200;

export class ProposalBook {
  private seq = 0;
  private readonly records: ProposalRecord[] = [];
  private readonly waiting = new Map<string, (decision: Decision) => void>();

  add(p: Proposal, at: number, failed: readonly string[]): ProposalRecord {
    const record: ProposalRecord = { ...p, id: `p${++this.seq}`, at, status: "pending", failed };
    this.records.push(record);
    if (this.records.length > HISTORY) {
      const old = this.records.findIndex((r) => r.status !== "pending");
      if (old >= 0) this.records.splice(old, 1);
    }
    return record;
  }

  /** Resolves when `record` is decided by `decide` (a person, or the review window closing). */
  wait(record: ProposalRecord): Promise<Decision> {
    return new Promise((resolve) => this.waiting.set(record.id, resolve));
  }

  /** Settles a pending proposal; throws when `id` is unknown or already decided. */
  decide(id: string, decision: Decision): ProposalRecord {
    const record = this.records.find((r) => r.id === id);
    if (record === undefined) {
      throw new InvalidInputError(
        `no proposal ${id} (pending: ${this.pendingIds().join(", ") || "none"})`,
      );
    }
    if (record.status !== "pending")
      throw new InvalidInputError(`proposal ${id} is already ${record.status}`);
    this.settle(record, decision);
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.(decision);
    return record;
  }

  /** Records a decision taken at once (no one waits on it). */
  settle(record: ProposalRecord, decision: Decision): void {
    record.status = decision.accept ? "accepted" : "refused";
    if (decision.reason !== undefined) record.reason = decision.reason;
  }

  pendingIds(): string[] {
    return this.records.filter((r) => r.status === "pending").map((r) => r.id);
  }

  recent(limit = 20): readonly ProposalRecord[] {
    return this.records.slice(-limit);
  }

  /** Refuses everything still pending (the Holder is stopping). */
  refuseAll(reason: string): void {
    for (const id of this.pendingIds()) this.decide(id, { accept: false, reason, by: "holder" });
  }
}

export interface Decision {
  accept: boolean;
  reason?: string;
  /** Who decided: "criteria", "review window", or the operator's session. */
  by: string;
}
