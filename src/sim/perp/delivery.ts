/**
 * Delivery of the delivery (quarterly) contracts, on the simulator's clock.
 *
 * Binance's rules: a quarterly contract is settled and delisted at its expiry ("BTCUSDT Quarterly
 * 0326 will be delisted at 2021-03-26 8:00 AM (UTC) after settlement": Binance FAQ "USDT-Margined
 * Quarterly Contract Specification and Trading Rules",
 * https://www.binance.com/en/support/faq/3ae441db4ae740e19af3fe9228eb6619). Since 2024-11-11 the
 * settlement price is "the average of the price index every second for the last 30 minutes
 * before delivery ..., totaling 1,800 price indices" (before, the last hour: Binance's
 * announcement of 2024-11-04, as https://www.chaincatcher.com/en/article/2150246 relays it).
 *
 * Rules:
 * - Index samples: the index market's path prices, put on the contract's tick grid as
 *   mark-funding.ts puts them, each holding until the next. The sample of a second is the last
 *   path price at or before it; the window is the 1,800 whole seconds from expiry − 30 min to
 *   expiry − 1 s. Seconds before the index's first price take that first price (a simulation that
 *   starts inside the window).
 * - The settlement price is their mean, rounded once, half-even, to the tick's scale
 *   (derivatives/settlement.ts's settlementPrice).
 * - Delivery happens before the first path point (of any market) at or after the expiry: every
 *   open order on the market is cancelled (reservations back); then every position closes at the
 *   settlement price (settlement.ts's deliver): its margin is unlocked and its PnL settled with
 *   the makers' account (contract-fills.ts's settlePnl: a loss beyond the account's balance is
 *   paid by the insurance fund, then unpaid), losers first. No fee. Every move is a ledger
 *   transfer: money is conserved.
 * - From the expiry on the market is closed: orders and amendments are refused
 *   (contract-orders.ts's refuseExpired) and ccxt's market view shows it inactive.
 * - Each settled position is told with a DeliveryRecord.
 * - Not in a saved state: a restart inside the window loses the samples before it (the seconds
 *   before the restart's first sample take it).
 */
import { formatDecimal } from "../../domain/fixed.js";
import { deliver, SETTLEMENT_WINDOW_SAMPLES, settlementPrice } from "../derivatives/settlement.js";
import type { Exchange } from "../exchange.js";
import { referenceTicks, type SimMarket } from "../sim-market.js";
import { settlePnl } from "./contract-fills.js";
import { asPosition } from "./positions.js";

const SECOND = 1_000;
const WINDOW_MS = SETTLEMENT_WINDOW_SAMPLES * SECOND;

export interface DeliveryRecord {
  time: number;
  account: string;
  symbol: string;
  /** Contracts, signed, as they were. */
  qty: string;
  settlementPrice: string;
  /** Realised PnL at the settlement price, in the settle asset. */
  pnl: string;
}

interface Pending {
  readonly market: SimMarket;
  readonly index: SimMarket;
  readonly expiry: number;
  /** [time, index price units], oldest first: the last one at or before the window's start, then the window's. */
  readonly samples: Array<[number, bigint]>;
}

export class Deliveries {
  private pending: Pending[] = [];
  /** Each delivered market's settlement price, in price units. */
  readonly settled = new Map<string, { time: number; price: bigint }>();

  constructor(
    private readonly x: Exchange,
    now: number,
  ) {
    for (const m of x.markets.values()) {
      const spec = m.instrument.contract;
      if (spec?.kind !== "delivery" || m.terms === undefined) continue;
      const p = { market: m, index: x.market(m.terms.index), expiry: spec.expiry!, samples: [] };
      this.pending.push(p);
      sample(p, now);
    }
  }

  /** Whether a delivery is still to come. */
  get watching(): boolean {
    return this.pending.length > 0;
  }

  /** After a path point of `m` at `now`: an index price for the markets it is the index of. */
  onPath(m: SimMarket, now: number): void {
    for (const p of this.pending) if (p.index === m) sample(p, now);
  }

  /** Delivers every market whose expiry is at or before `now`; returns what it settled. */
  due(now: number): DeliveryRecord[] {
    const out: DeliveryRecord[] = [];
    const [ripe, later] = partition(this.pending, (p) => p.expiry <= now);
    this.pending = later;
    for (const p of ripe) out.push(...this.deliver(p, now));
    return out;
  }

  private deliver(p: Pending, now: number): DeliveryRecord[] {
    const x = this.x;
    const m = p.market;
    const spec = m.instrument.contract!;
    const owners = new Set<string>();
    for (const o of x.orders.values()) {
      if (o.status === "open" && o.instrument.symbol === spec.symbol) owners.add(o.account);
    }
    for (const account of owners) x.cancelAll(account, spec.symbol);
    const price =
      settlementOf(p) ??
      (Number.isNaN(m.lastPrice) ? undefined : BigInt(referenceTicks(m)) * spec.tick.step);
    // No price ever: nothing traded there, so no position to settle.
    if (price === undefined) return [];
    this.settled.set(spec.symbol, { time: now, price });
    const open = x.positions.openOn(spec.symbol);
    const done = deliver(
      open.map((q) => asPosition(spec, q)),
      price,
      p.expiry,
    ).map((d, i) => ({ pnl: d.pnl, q: open[i]! }));
    done.sort((a, b) => (a.pnl < 0n ? 0 : 1) - (b.pnl < 0n ? 0 : 1));
    return done.map(({ pnl, q }) => {
      const qty = q.qty;
      x.ledger.unlock(q.account, spec.settle, q.margin);
      q.realizedPnl += pnl;
      q.qty = 0n;
      q.entryNotional = 0n;
      q.margin = 0n;
      q.timestamp = now;
      settlePnl(x.ledger, q.account, spec.settle, pnl);
      return {
        time: now,
        account: q.account,
        symbol: spec.symbol,
        qty: formatDecimal(qty, spec.lot.scale),
        settlementPrice: formatDecimal(price, spec.tick.scale),
        pnl: formatDecimal(pnl, spec.settleDecimals),
      };
    });
  }
}

/** Records the index's price now, keeping only what the window needs. */
function sample(p: Pending, now: number): void {
  const last = p.index.lastPrice;
  if (Number.isNaN(last)) return;
  const m = p.market;
  const price =
    BigInt(Math.max(1, Math.round(last / m.tickSize))) * m.instrument.contract!.tick.step;
  p.samples.push([now, price]);
  const start = p.expiry - WINDOW_MS;
  while (p.samples.length > 1 && p.samples[1]![0] <= start) p.samples.shift();
}

/** The settlement price from the window's per-second samples; none without any index price. */
function settlementOf(p: Pending): bigint | undefined {
  const samples = p.samples;
  if (samples.length === 0) return undefined;
  const start = p.expiry - WINDOW_MS;
  const seconds: bigint[] = [];
  let j = 0;
  for (let k = 0; k < SETTLEMENT_WINDOW_SAMPLES; k++) {
    const t = start + k * SECOND;
    while (j + 1 < samples.length && samples[j + 1]![0] <= t) j++;
    seconds.push(samples[j]![1]);
  }
  return settlementPrice(seconds);
}

function partition<T>(list: readonly T[], test: (t: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of list) (test(item) ? yes : no).push(item);
  return [yes, no];
}
