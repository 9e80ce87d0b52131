/** What a Trader is given, what it asks its Holder, and what it reports when it ends. */
import type { VenueConfig } from "../../sim/config/types.js";
import type { Objective } from "../../strategy/search/sweep.js";
import type { Mandate } from "../mandate.js";
import type { Candidate } from "./evaluate.js";

export interface TraderOptions {
  id: string;
  market: string;
  desk: string;
  /** The Holder's asset (the market's quote) and id. */
  asset: string;
  holder: string;
  candidates: readonly Candidate[];
  warmupCandles: number;
  inSampleFraction: number;
  objective: Objective;
  stopLossPct: number;
  takeProfitPct: number;
  /** The market's rules, for evaluation backtests and lot rounding. */
  venue: VenueConfig;
  /** Ends the attempt when no entry signal came within this many candles of acceptance. */
  maxWaitCandles?: number;
}

export interface ProposalReply {
  accepted: boolean;
  reason?: string;
  mandate?: Mandate;
  /** Quote the Trader may spend, decimal string. */
  allocation?: string;
}

/** What a Trader reports to its Holder when it ends after trading. */
export interface TraderOutcome {
  trader: string;
  market: string;
  strategy: string;
  params: Record<string, unknown>;
  trades: number;
  pnl: number;
  returnPct: number;
}

export type TraderEnd =
  | { kind: "reported"; outcome: TraderOutcome }
  | { kind: "refused"; reason: string }
  | { kind: "nothing"; reason: string }
  | { kind: "failed"; error: string };
