/**
 * What the dashboard shows and what it can do, apart from how it draws (view.ts). A feed (feed.ts)
 * builds snapshots from the bus: market data, actor events, and the actors' `status` answers.
 *
 * Money, amounts and ticker prices are exact decimal strings, as the actors and the venue send
 * them, from the bus to the screen (format.ts rounds them for display, never through a float).
 * Only statistics (a percent change) and candle closes, which feed the chart, are numbers.
 */
import type { ReplCore } from "../repl/types.js";

export interface MarketRow {
  market: string;
  /** The ticker's last price, decimal text. */
  last: string | undefined;
  /** Percent change over the data the Desk has (24 h, or since the first price seen). */
  changePct: number | undefined;
  /** Ask − bid, in price units, computed exactly: decimal text. */
  spread: string | undefined;
  /** Base volume over the same window as changePct, decimal text. */
  volume: string | undefined;
  /** Recent closes, oldest first, for the chart of the selected market. */
  closes: readonly number[];
}

export interface HolderRow {
  id: string;
  asset: string;
  /** Decimal text in the Holder's asset; undefined when its status did not say. */
  free: string | undefined;
  allocated: string | undefined;
  traders: number;
  state: string;
}

export interface TraderRow {
  id: string;
  market: string;
  strategy: string | undefined;
  state: string;
  /** Unrealised or realised PnL in the quote asset (decimal text), once the Trader has traded. */
  pnl: string | undefined;
}

export interface OrderRow {
  id: string;
  market: string;
  side: string;
  type: string;
  /** Decimal text as the venue reports it; undefined (or anything else) shows as missing. */
  amount: string | undefined;
  /** Undefined for a market order. */
  price: string | undefined;
  filled: string | undefined;
  status: string;
}

export interface DashboardSnapshot {
  desk: {
    id: string;
    venue: string;
    /** active | reducing | halted | … */
    state: string;
    /** Decimal text in the quote asset below, marked at last prices; undefined until known. */
    equity: string | undefined;
    pnl: string | undefined;
    quote: string;
  };
  /** Already filtered by the user's watch list, in its order. */
  markets: readonly MarketRow[];
  holders: readonly HolderRow[];
  traders: readonly TraderRow[];
  orders: readonly OrderRow[];
  /** Recent event lines, oldest first (already formatted for people). */
  events: readonly string[];
}

export interface DashboardFeed {
  /** The latest snapshot (cheap; the view calls it on every redraw). */
  snapshot(): DashboardSnapshot;
  /** Calls `changed` when the snapshot has changed (throttled by the feed); returns unsubscribe. */
  onChange(changed: () => void): () => void;
  /** Runs one line of the Desk's command language; resolves with the text to show. */
  deskCommand(line: string): Promise<string>;
  /** The invest REPL of a Holder's asset (default: the first Holder's). */
  investRepl(asset?: string): ReplCore;
  /** The trade REPL of a pair's running Trader. */
  tradeRepl(market: string): ReplCore;
}
