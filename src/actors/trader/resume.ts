/**
 * A Trader taking up the attempt an earlier run accepted (saved.ts), after a crash or a stop that
 * left a position. Its lifecycle is restored already (the machine's persisted snapshot); here the
 * trade comes back: the same strategy and mandate, the exits as they were, and the position as the
 * Desk holds it now — the Desk replayed its journal and reconciled with the venue before it took
 * any request, so its position has every fill, including those made while this process was down.
 *
 * Reports of its orders are taken from the start and held until the Desk's answer is in, so none
 * falls between; each order's last state the Desk gave is "seen", so a report adds only what is new.
 */
import type { Bus, Subscription } from "../../bus/bus.js";
import { deskCache, deskOrder, deskReport, marketData } from "../../bus/subjects.js";
import type { OHLCV, Ticker } from "../../domain/market-data.js";
import type { Order } from "../../domain/order.js";
import { getStrategy } from "../../strategy/registry.js";
import type { Clock } from "../../time/clock.js";
import { candidateKey } from "../holder/approver.js";
import { askWithin } from "../runtime/ask.js";
import type { Candidate } from "./evaluate.js";
import type { DeskPosition, SavedTrade, SavedTrader } from "./saved.js";
import type { Trade } from "./trade.js";
import type { TraderOptions } from "./types.js";

/** Clock time the Desk may take to answer. */
const DESK_WAIT_MS = 60_000;

/** What resuming reaches of its Trader. */
export interface ResumeHost {
  id: string;
  options: TraderOptions;
  bus: Bus;
  clock: Clock;
  trade: Trade;
  state: () => string;
  keep: (subscription: Subscription) => void;
  emit: (event: string, fields: Record<string, unknown>) => void;
  /** Ended meanwhile: nothing more to do. */
  over: () => boolean;
}

export async function resumeTrade(host: ResumeHost, saved: SavedTrader): Promise<void> {
  const o = host.options;
  const candidate = candidateOf(o.candidates, saved.trade);
  let held: { order: Order }[] | undefined = [];
  host.keep(
    host.bus.subscribe<{ order: Order }>(deskReport(o.desk, host.id), (m) => {
      if (held !== undefined) held.push(m);
      else host.trade.onReport(m);
    }),
  );
  const desk = await askWithin<DeskPosition>(
    host.bus,
    host.clock,
    deskOrder(o.desk),
    { op: "position", trader: host.id, market: o.market },
    DESK_WAIT_MS,
    `${o.desk} (the position of ${host.id})`,
  );
  if (host.over()) return;
  const state = host.state();
  host.trade.resume(saved.trade, candidate, state, desk);
  const reports = held;
  held = undefined;
  for (const m of reports) host.trade.onReport(m);
  const ledger = host.trade.book.ledger;
  host.emit("trader.resumed", {
    market: o.market,
    state,
    strategy: candidate.strategy.name,
    mandate: saved.trade.mandate.nonce,
    holding: ledger.baseText(ledger.quantity),
  });
  // The strategy's indicators from the Desk's cache, as at acceptance: its signals are history.
  host.trade.prime(await recentCandles(host));
  host.keep(
    host.bus.subscribe<{ candle: OHLCV }>(marketData(o.desk, o.market, "candle-1m"), (m) =>
      host.trade.onCandle(m),
    ),
  );
  host.keep(
    host.bus.subscribe<{ ticker: Ticker }>(marketData(o.desk, o.market, "ticker"), (m) =>
      host.trade.onTicker(m),
    ),
  );
  host.trade.carryOn(host.state());
}

/**
 * The candidate it traded: from this start's candidates if the template still has it (a strategy
 * from a file is only found there), else the built-in strategy of that name.
 */
function candidateOf(candidates: readonly Candidate[], saved: SavedTrade): Candidate {
  const key = candidateKey(saved.strategy, saved.params);
  const found = candidates.find((c) => candidateKey(c.strategy.name, c.params) === key);
  return found ?? { strategy: getStrategy(saved.strategy), params: saved.params };
}

/** As many closed candles as the warm-up takes, if the Desk has them; none is no reason to stop. */
async function recentCandles(host: ResumeHost): Promise<OHLCV[]> {
  const o = host.options;
  const rows = await askWithin<OHLCV[]>(
    host.bus,
    host.clock,
    deskCache(o.desk),
    { op: "candles", market: o.market, limit: o.warmupCandles },
    DESK_WAIT_MS,
    `${o.desk}'s cache`,
  ).catch(() => []);
  return Array.isArray(rows) ? rows : [];
}
