/**
 * What a Trader keeps across a crash once its Holder accepted it (runtime/actor-store.ts): its
 * lifecycle's persisted xstate snapshot, the strategy it trades, the signed mandate and the
 * allocation it trades under, its exits, and what its buys cost. Its position is not kept here:
 * the Desk journaled every fill, so a restarted Trader takes its position from the Desk
 * (`DeskPosition`), which is right even when the crash came between a fill and this record.
 */
import type { ParamValues } from "../../strategy/strategy.js";
import type { PositionReply } from "../desk/gateway/requests.js";
import type { Mandate } from "../mandate.js";
import type { ExitPercent } from "./exit-levels.js";

/** Trader states a restart resumes: it holds a mandate, perhaps a position. */
export const RESUMABLE_STATES: readonly string[] = ["entering", "inPosition", "exiting"];

export interface SavedTrade {
  strategy: string;
  params: ParamValues;
  mandate: Mandate;
  /** The allocation, a decimal string of the quote. */
  allocation: string;
  /** Quote minor units its buys cost, fees included, as an integer string. */
  spent: string;
  entryPrice?: string;
  exits: {
    stopLoss?: number;
    takeProfit?: number;
    percents: Record<ExitPercent, number>;
  };
  exitReason: string;
}

export interface SavedTrader {
  /** Bumped when the record's shape changes; a record of another version is not resumed. */
  version: 1;
  trader: string;
  market: string;
  holder: string;
  /** The lifecycle machine's `getPersistedSnapshot()`. */
  machine: unknown;
  /** The lifecycle state the snapshot is in (kept beside it for people and `resumable`). */
  state: string;
  trade: SavedTrade;
}

/**
 * What the Desk answers `{op: "position", trader, market}` with: decimal strings, so neither side
 * depends on the other's minor-unit scales, and the last state of every order of the Trader's on
 * the market the Desk still remembers.
 */
export type DeskPosition = PositionReply;

/** A record an earlier run left that this Trader, of this Holder, on this market, resumes. */
export function resumable(
  record: SavedTrader | undefined,
  holder: string,
  market: string,
): SavedTrader | undefined {
  if (record === undefined || record.version !== 1) return undefined;
  if (record.holder !== holder || record.market !== market) return undefined;
  return RESUMABLE_STATES.includes(record.state) ? record : undefined;
}
