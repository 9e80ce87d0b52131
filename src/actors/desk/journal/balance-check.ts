/**
 * The restart's balance check (issue 13): did the account's balances change while crypy was down
 * in a way nothing explains? For each asset:
 *
 *   expected = the journal's last balance (balance-baseline.ts, as of venue time t)
 *            + every fill after t (the Desk's own, those reconcile just inferred, and external
 *              orders': one list, `fetchMyTrades`, so each fill is counted once, by the venue)
 *            − each fill's fee in its currency
 *            + every deposit, withdrawal and transfer after t (`fetchLedger`)
 *
 * and the venue's balance now (`fetchBalanceAt`, as of venue time n) must be within the tolerance
 * of it. Fills and movements come from the venue alone, never also from the journal: a fill the
 * Desk journaled is in the venue's list too, and counting both would count it twice.
 *
 * Which fills a balance already includes is decided by time, both ends in the venue's clock (never
 * the Desk's: a simulated venue runs faster than the wall, a real one drifts from it). A venue
 * applies fills to the balance one after another, so a balance as of t includes exactly a prefix
 * of the account's fills in time order: those well before t, none well after. Only near t is it
 * unknown which side of a balance update a fill fell (a stream stamps the event, not the last
 * update; the same millisecond holds several fills; a withdrawal's time has whole seconds). So
 * events within BOUNDARY_MS of t, and of n, are tried both ways — as every prefix of them in time
 * order, never a subset, since the venue's order is kept — and the asset is explained if any
 * split is within tolerance. A fill is thus counted exactly when the baseline did not include it
 * and the balance now does.
 *
 * A change nothing explains, beyond the tolerance, is a balance changed on the venue while crypy
 * was down: the Desk starts HALTED with the reason. A venue that cannot list deposits and
 * withdrawals still halts (the safe default); its reason says the change could not be told apart
 * from one. Where the check cannot place its starting point (no balance journaled yet, a venue
 * that gives no times, or no fill history), it is skipped and says why.
 */

import type { Fill } from "../../../domain/fill.js";
import { formatDecimal, parseDecimal } from "../../../domain/fixed.js";
import type { BalancesAt, LedgerEntry } from "../../../domain/ledger-entry.js";
import { parseMarket } from "../../../domain/market.js";
import type { Market, Venue } from "../../../venues/venue.js";
import type { BalanceBaseline } from "./balance-baseline.js";

/** How far either side of a balance's time a fill may be and still be on either side of it. */
export const BOUNDARY_MS = 2_000;

/**
 * How far the venue may differ from what the journal explains before the Desk halts: the larger
 * of `absolute` (in each asset's own units: dust) and `relative` × the expected balance.
 */
export interface BalanceTolerance {
  relative: string;
  absolute: string;
}

export const DEFAULT_BALANCE_TOLERANCE: Readonly<BalanceTolerance> = Object.freeze({
  relative: "0.0001",
  absolute: "0.00000001",
});

export type BalanceCheck =
  | { kind: "skipped"; reason: string }
  | {
      kind: "explained";
      /** Assets whose balance changed since the journal's, and what explained it. */
      assets: { asset: string; was: string; now: string; fills: number }[];
      /** Deposits, withdrawals and transfers counted. */
      movements: LedgerEntry[];
    }
  | { kind: "mismatch"; reason: string };

/** Decimals the arithmetic is done at: beyond any venue's precision. */
const SCALE = 18;
const PAGE = 1_000;
const units = (text: string) => parseDecimal(text, SCALE, "half-even");
const text = (value: bigint) => formatDecimal(value, SCALE);
const abs = (v: bigint) => (v < 0n ? -v : v);

/** One change of one asset's balance: a fill's leg or fee, or a ledger movement. */
interface Event {
  timestamp: number;
  delta: bigint;
  fill: boolean;
  movement?: LedgerEntry;
}

export async function checkBalances(input: {
  venue: Venue;
  markets: Readonly<Record<string, Market>>;
  baseline: BalanceBaseline;
  now: BalancesAt;
  tolerance: BalanceTolerance;
}): Promise<BalanceCheck> {
  const { venue, baseline, now } = input;
  if (baseline.size === 0) return skipped("no balances with a venue time were journaled yet");
  if (now.timestamp === undefined)
    return skipped(`${venue.id} does not say what time its balances are as of`);
  const oldest = baseline.oldest() ?? now.timestamp;
  const was = (asset: string) => baseline.get(asset) ?? { balance: undefined, time: oldest };
  const changed = [...new Set([...baseline.names(), ...Object.keys(now.balances)])].filter(
    (asset) => units(was(asset).balance?.total ?? "0") !== units(now.balances[asset]?.total ?? "0"),
  );
  if (changed.length === 0) return { kind: "explained", assets: [], movements: [] };
  if (venue.has.fetchMyTrades === false)
    return skipped(`${venue.id} cannot list the account's fills, so no change can be explained`);

  // Whole milliseconds: a venue's API takes no fraction (a simulated clock may have one).
  const since = Math.floor(Math.min(...changed.map((a) => was(a).time)) - BOUNDARY_MS);
  const held = (asset: string) =>
    units(was(asset).balance?.total ?? "0") !== 0n ||
    units(now.balances[asset]?.total ?? "0") !== 0n;
  const fills = await fillsSince(venue, input.markets, changed, held, since);
  const ledger = venue.has.fetchLedger !== false && venue.fetchLedger !== undefined;
  const movements = ledger ? await movementsSince(venue, since) : [];

  const explained: { asset: string; was: string; now: string; fills: number }[] = [];
  const counted: LedgerEntry[] = [];
  const wrong: string[] = [];
  for (const asset of changed) {
    const start = was(asset);
    const before = units(start.balance?.total ?? "0");
    const after = units(now.balances[asset]?.total ?? "0");
    const events = eventsOf(asset, fills, movements, input.markets);
    const best = bestSplit(events, before, after, start.time, now.timestamp);
    const allowed = allowance(best.expected, input.tolerance);
    if (abs(after - best.expected) <= allowed) {
      const between = events.slice(best.from, best.to);
      explained.push({
        asset,
        was: text(before),
        now: text(after),
        fills: between.filter((e) => e.fill).length,
      });
      for (const e of between) if (e.movement !== undefined) counted.push(e.movement);
      continue;
    }
    wrong.push(
      `${asset}: the journal expects ${text(best.expected)} (${text(before)} as of ` +
        `${new Date(start.time).toISOString()}, and the fills and movements since), the venue holds ` +
        `${text(after)} (a difference of ${text(after - best.expected)}, tolerance ${text(allowed)})`,
    );
  }
  if (wrong.length > 0) {
    const blind = ledger
      ? ""
      : `; ${venue.id} cannot list deposits and withdrawals, so this cannot be told apart from one`;
    return {
      kind: "mismatch",
      reason: `balances changed on the venue while the Desk was down: ${wrong.join("; ")}${blind}`,
    };
  }
  counted.sort((a, b) => a.timestamp - b.timestamp);
  return { kind: "explained", assets: explained, movements: counted };
}

function skipped(reason: string): BalanceCheck {
  return { kind: "skipped", reason };
}

/**
 * Every fill since `since` on the markets a changed asset trades on against another asset the
 * account holds (Binance lists fills one market at a time), oldest first, each once by id.
 */
async function fillsSince(
  venue: Venue,
  markets: Readonly<Record<string, Market>>,
  changed: readonly string[],
  held: (asset: string) => boolean,
  since: number,
): Promise<Fill[]> {
  const out = new Map<string, Fill>();
  for (const market of Object.values(markets)) {
    if (!changed.includes(market.base) && !changed.includes(market.quote)) continue;
    // A fill moves both assets of its market: one the account held neither before nor now
    // cannot have traded.
    if (!held(market.base) || !held(market.quote)) continue;
    let from = since;
    for (;;) {
      const page = await venue.fetchMyTrades(market.symbol, from, PAGE);
      let fresh = 0;
      for (const f of page) {
        const key = `${f.symbol}\u0000${f.id}`;
        if (!out.has(key)) fresh += 1;
        out.set(key, f);
      }
      if (page.length < PAGE || fresh === 0) break;
      from = Math.floor(Math.max(...page.map((f) => f.timestamp)));
    }
  }
  return [...out.values()];
}

async function movementsSince(venue: Venue, since: number): Promise<LedgerEntry[]> {
  const out = new Map<string, LedgerEntry>();
  let from = since;
  for (;;) {
    const page = (await venue.fetchLedger?.(undefined, from, PAGE)) ?? [];
    let fresh = 0;
    for (const e of page) {
      if (!out.has(e.id)) fresh += 1;
      out.set(e.id, e);
    }
    if (page.length < PAGE || fresh === 0) break;
    from = Math.floor(Math.max(...page.map((e) => e.timestamp)));
  }
  return [...out.values()];
}

/** What each fill and movement did to `asset`, in the venue's time order. */
function eventsOf(
  asset: string,
  fills: readonly Fill[],
  movements: readonly LedgerEntry[],
  markets: Readonly<Record<string, Market>>,
): Event[] {
  const events: Event[] = [];
  for (const f of fills) {
    const m = markets[f.symbol] ?? parseMarket(f.symbol);
    const sign = f.side === "buy" ? 1n : -1n;
    let delta = 0n;
    if (m.base === asset) delta += sign * units(f.amount);
    if (m.quote === asset) delta -= sign * units(f.cost);
    if (f.fee.currency === asset) delta -= units(f.fee.cost);
    if (delta !== 0n || m.base === asset || m.quote === asset)
      events.push({ timestamp: f.timestamp, delta, fill: true });
  }
  for (const movement of movements) {
    if (movement.currency !== asset) continue;
    events.push({
      timestamp: movement.timestamp,
      delta: units(movement.amount),
      fill: false,
      movement,
    });
  }
  // Stable: fills of one market keep the venue's own order within a millisecond.
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/**
 * The split of `events` that best explains `after`: the baseline includes events[0, from), the
 * balance now includes events[0, to). `from` ranges over the events within BOUNDARY_MS of the
 * baseline's time, `to` over those within it of now.
 */
function bestSplit(
  events: readonly Event[],
  before: bigint,
  after: bigint,
  then: number,
  now: number,
): { from: number; to: number; expected: bigint } {
  const sums = [0n];
  for (const e of events) sums.push(sums.at(-1)! + e.delta);
  const count = (pred: (t: number) => boolean) => events.filter((e) => pred(e.timestamp)).length;
  const range = (t: number): [number, number] => [
    count((x) => x < t - BOUNDARY_MS),
    count((x) => x <= t + BOUNDARY_MS),
  ];
  const [fromLo, fromHi] = range(then);
  const [toLo, toHi] = range(now);
  let best = { from: fromLo, to: Math.max(fromLo, toHi), expected: before };
  let bestGap: bigint | undefined;
  for (let from = fromLo; from <= fromHi; from++) {
    for (let to = Math.max(from, toLo); to <= toHi; to++) {
      const expected = before + sums[to]! - sums[from]!;
      const gap = abs(after - expected);
      if (bestGap === undefined || gap < bestGap) {
        best = { from, to, expected };
        bestGap = gap;
      }
    }
  }
  return best;
}

function allowance(expected: bigint, tolerance: BalanceTolerance): bigint {
  const relative = (abs(expected) * units(tolerance.relative)) / 10n ** BigInt(SCALE);
  const absolute = units(tolerance.absolute);
  return relative > absolute ? relative : absolute;
}
