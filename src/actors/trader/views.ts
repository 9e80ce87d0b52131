/**
 * What a person sees of a Trader: its `status` and its `position`. Money is an exact decimal
 * string of its asset (the position's ledger formats it); prices a strategy reads as numbers (the
 * exits) are shown as such. Everything is computed when asked, never per tick.
 */
import type { Capabilities, StopMechanism } from "../capabilities/index.js";
import type { Evaluation } from "./evaluate.js";
import type { ExitLevels } from "./exit-levels.js";
import type { TraderPosition } from "./position.js";

/** The Trader as its views read it, at one moment. */
export interface TraderSnapshot {
  market: string;
  state: string;
  book: TraderPosition;
  exits: ExitLevels;
  evaluation: Evaluation | undefined;
  /** The entry's average fill price, as the Desk reported it. */
  entryPrice: string | undefined;
  /** The last traded price, a decimal string, if any. */
  mark: string | undefined;
  /** Quote minor units the Holder allocated. */
  allocation: bigint;
  /** Its Holder's capabilities, as given at spawn. */
  capabilities: Capabilities | undefined;
  /** How its stop loss is held (capabilities/stop.ts). */
  stop: StopMechanism;
}

export function statusView(t: TraderSnapshot): Record<string, unknown> {
  const l = t.book.ledger;
  return {
    market: t.market,
    strategy: t.evaluation?.candidate.strategy.name,
    params: t.evaluation?.candidate.params,
    position: l.baseText(l.quantity),
    entryPrice: t.entryPrice,
    pnl: pnl(t),
    stop: stopView(t),
    capabilities: t.capabilities,
  };
}

/** The stop loss's mechanism and its trigger (none before entry, or with no stop loss set). */
function stopView(t: TraderSnapshot): Record<string, unknown> {
  return { ...t.stop, trigger: t.exits.stopLoss };
}

/** `position`: what is held, its entry, PnL and exits. */
export function positionView(t: TraderSnapshot): Record<string, unknown> {
  const l = t.book.ledger;
  const mark = t.mark;
  return {
    market: t.market,
    state: t.state,
    held: l.baseText(l.quantity),
    entryPrice: t.entryPrice,
    averageEntry: l.averageEntry(),
    last: mark,
    cost: l.quoteText(l.basis),
    realised: l.quoteText(l.realised),
    unrealised: mark === undefined || l.flat ? undefined : l.quoteText(l.unrealised(mark)),
    fees: l.quoteText(l.fees),
    pnl: pnl(t),
    stopLoss: t.exits.stopLoss,
    stop: stopView(t),
    takeProfit: t.exits.takeProfit,
    allocation: t.book.quoteText(t.allocation),
  };
}

/**
 * Marked at the last price while in a position; once out, the quote gained or lost (the
 * outcome's pnl); undefined before any trade.
 */
function pnl(t: TraderSnapshot): string | undefined {
  if (t.book.spent === 0n) return undefined;
  const open = t.state === "inPosition" || t.state === "exiting";
  return t.book.quoteText(open && t.mark !== undefined ? t.book.markedPnl(t.mark) : t.book.pnl);
}
