/** What a Trader is given, what it asks its Holder, and what it reports when it ends. */
import type { VenueConfig } from "../../sim/config/types.js";
import type { Objective } from "../../strategy/search/sweep.js";
import type { Capabilities } from "../capabilities/index.js";
import type { ActorKeys } from "../identity/keys.js";
import type { Mandate } from "../mandate.js";
import type { ActorStore } from "../runtime/actor-store.js";
import type { Candidate } from "./evaluate.js";
import type { SavedTrader } from "./saved.js";

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
  /**
   * How long to wait for the Holder's answer to a proposal, in this clock's ms: the Holder's review
   * window plus a margin. Default 31 minutes (the default window and one minute).
   */
  proposalWaitMs?: number;
  /** Its identity: the key its mandate names; it signs every order (and proposal, report). */
  keys: ActorKeys;
  /** Its order sequence, never repeated, across restarts too (a DurableCounter). */
  sequence: { next(): number };
  /** Where it keeps its record once accepted, so a restart takes the attempt up again. */
  store?: ActorStore;
  /** An earlier run's accepted attempt to take up (saved.ts), instead of starting afresh. */
  resume?: SavedTrader;
  /**
   * Its Holder's capabilities: which candidates it may run and how its stop is held. None: only
   * long unlevered strategies, and a monitored stop.
   */
  capabilities?: Capabilities;
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
  /**
   * Quote gained or lost, exact decimal string: realised PnL net of every fee, less the cost of any
   * dust under one lot left unsold — the change the attempt made to the quote balance.
   */
  pnl: string;
  /** pnl / entry cost, a ratio rounded to 8 decimals. */
  returnPct: number;
  /** The nonce of the mandate it traded under: its Holder releases that allocation, no other. */
  mandate?: string;
}

export type TraderEnd =
  | { kind: "reported"; outcome: TraderOutcome }
  | { kind: "refused"; reason: string }
  | { kind: "nothing"; reason: string }
  | { kind: "failed"; error: string };
