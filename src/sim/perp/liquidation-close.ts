/**
 * The liquidation engine's close: a position it took over at the bankruptcy price, closed in the
 * book as a market order of it would fill, and the difference settled with the insurance fund.
 *
 * Rules:
 * - The close is a market order of the engine (a long is sold, a short bought) through the
 *   exchange's own matching: the makers' quotes are placed against it as against any taker's
 *   market order (maker-quotes.ts, up to the lots it needs), users' resting orders on that side
 *   are in the book with them, and it walks the levels best first, price-time priority, partial
 *   fills and all. A user whose resting order it meets gets an ordinary maker fill
 *   (contract-fills.ts); the engine's side is the house's, as the makers' is, and pays no fee.
 *   Its fills are public trades like any other.
 * - Each fill of q contracts at price P is worth side × (notional(q, P) − notional(q, bankruptcy))
 *   to the insurance fund (side +1 for a long taken over): a gain comes from the makers' account,
 *   a loss (a fill beyond the bankruptcy price, a gap) is paid by the fund to it.
 * - The fund never goes below zero: before the order runs, its fills are priced on the book as
 *   it stands (the match is synchronous, so the walk is the match), and the order is sized to the
 *   most lots whose summed loss the fund (after this liquidation's fee) can pay. Levels come best
 *   first, so each further lot loses at least as much as the one before: the first lot the fund
 *   cannot pay ends the close, and the fund is short.
 * - A book too thin for the whole position (the fund not short): the fund accepts the rest, as
 *   Binance's does, and the house takes it from the fund at the mark price: the fund gets or pays
 *   side × (notional at the mark − notional at the bankruptcy price), again only for the
 *   contracts it can pay for.
 * - What neither takes is left to auto-deleveraging (adl.ts), at the bankruptcy price.
 */
import { BUY, NO_STP_OWNER, SELL } from "../book/index.js";
import { notional } from "../derivatives/instrument.js";
import type { Exchange } from "../exchange.js";
import { INSURANCE_FUND_ACCOUNT, type Ledger, MARKET_MAKER_ACCOUNT } from "../ledger.js";
import { quoteAgainst } from "../maker-quotes.js";
import type { EngineOrder } from "../settlement.js";
import type { SimMarket } from "../sim-market.js";

export interface CloseFill {
  ticks: number;
  lots: number;
}

export interface Close {
  /** The engine's fills in the book, in matching order. */
  fills: CloseFill[];
  /** Contracts (lot scale) the fund accepted at the mark (the book was too thin). */
  toFund: bigint;
  /** Contracts (lot scale) left for auto-deleveraging. */
  left: bigint;
}

/**
 * Closes a position of `size` contracts (lot scale) taken over at `bankruptcy` (price units),
 * long when `long`, in the book and then with the fund at `mark`.
 */
export function closeOut(
  x: Exchange,
  m: SimMarket,
  long: boolean,
  size: bigint,
  bankruptcy: bigint,
  mark: bigint,
): Close {
  const spec = m.instrument.contract!;
  const { fills, fundShort } = closeInBook(x, m, long, Number(size / spec.lot.step), bankruptcy);
  const filled = fills.reduce((n, f) => n + BigInt(f.lots), 0n) * spec.lot.step;
  let rest = size - filled;
  let toFund = 0n;
  if (!fundShort && rest > 0n) {
    const value = perLot(m, long, mark, bankruptcy);
    const fund = x.ledger.free(INSURANCE_FUND_ACCOUNT, spec.settle);
    const lots = rest / spec.lot.step;
    const take = value >= 0n ? lots : minBig(lots, fund / -value);
    toFund = take * spec.lot.step;
    settleWithFund(x.ledger, m, long, toFund, mark, bankruptcy);
    rest -= toFund;
  }
  return { fills, toFund, left: rest };
}

function closeInBook(
  x: Exchange,
  m: SimMarket,
  long: boolean,
  lots: number,
  bankruptcy: bigint,
): { fills: CloseFill[]; fundShort: boolean } {
  if (lots <= 0 || Number.isNaN(m.lastPrice)) return { fills: [], fundShort: false };
  const side = long ? "sell" : "buy";
  const step = m.instrument.contract!.tick.step;
  const result = x.transact(m, () => {
    quoteAgainst(m, x.ledger, side, x.settlement.now, lots);
    try {
      const fund = x.ledger.free(INSURANCE_FUND_ACCOUNT, m.instrument.contract!.settle);
      const { affordable, fundShort } = affordableLots(m, long, lots, bankruptcy, fund);
      if (affordable === 0) return { fills: [], fundShort };
      const engine: EngineOrder = { id: m.liquidity.takerId(), side, fills: [] };
      x.settlement.engine = engine;
      try {
        m.book.addMarket(engine.id, NO_STP_OWNER, long ? SELL : BUY, affordable);
      } finally {
        x.settlement.engine = undefined;
      }
      return { fills: engine.fills, fundShort };
    } finally {
      m.liquidity.withdraw(m.book);
    }
  });
  for (const fill of result.fills) {
    const q = BigInt(fill.lots) * m.instrument.contract!.lot.step;
    settleWithFund(x.ledger, m, long, q, BigInt(fill.ticks) * step, bankruptcy);
  }
  return result;
}

/** What one lot closed at `price` (price units) is worth to the fund (negative: it pays). */
function perLot(m: SimMarket, long: boolean, price: bigint, bankruptcy: bigint): bigint {
  const spec = m.instrument.contract!;
  const one = spec.lot.step;
  const diff = notional(spec, one, price) - notional(spec, one, bankruptcy);
  return long ? diff : -diff;
}

/**
 * The most of `lots` the book fills before the fund's summed share would fall below −fund, and
 * whether the fund (not the book) is what stopped it.
 */
function affordableLots(
  m: SimMarket,
  long: boolean,
  lots: number,
  bankruptcy: bigint,
  fund: bigint,
): { affordable: number; fundShort: boolean } {
  const step = m.instrument.contract!.tick.step;
  let taken = 0;
  let fundShort = false;
  let room = fund; // the fund plus what the fills so far brought, minus what they cost
  const limit = long ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  m.book.forEachCrossing(long ? SELL : BUY, limit, (ticks, qty) => {
    const want = Math.min(qty, lots - taken);
    const value = perLot(m, long, BigInt(ticks) * step, bankruptcy);
    const payable = value >= 0n ? want : Number(minBig(BigInt(want), room / -value));
    taken += payable;
    room += value * BigInt(payable);
    fundShort = payable < want;
    return !fundShort && taken < lots;
  });
  return { affordable: taken, fundShort };
}

/** The fund's share of `q` contracts (lot scale) closed at `price`, with the makers' account. */
function settleWithFund(
  ledger: Ledger,
  m: SimMarket,
  long: boolean,
  q: bigint,
  price: bigint,
  bankruptcy: bigint,
): void {
  const spec = m.instrument.contract!;
  const diff = notional(spec, q, price) - notional(spec, q, bankruptcy);
  const gain = long ? diff : -diff;
  const [from, to, amount] =
    gain >= 0n
      ? [MARKET_MAKER_ACCOUNT, INSURANCE_FUND_ACCOUNT, gain]
      : [INSURANCE_FUND_ACCOUNT, MARKET_MAKER_ACCOUNT, -gain];
  const free = ledger.free(from, spec.settle);
  ledger.transfer(from, "free", to, spec.settle, free < amount ? free : amount);
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
