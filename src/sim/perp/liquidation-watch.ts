/**
 * Which mark updates of a contract market can skip the liquidation check (liquidation.ts): the
 * check then runs only when it could liquidate something, and gives the same results.
 *
 * Rules:
 * - A position alone in its margin (isolated, or its account's only open cross position) is due
 *   when its margin balance ≤ its maintenance at the mark (margin.ts). With its wallet and size
 *   fixed that is monotone in the mark: the notional rises with the mark, and maintenance rises
 *   with the notional more slowly than it (brackets.ts: continuous, every ratio in (0, 1), rounded
 *   up), so a long is due at every mark up to one price and a short at every mark from one price
 *   up. The watch finds that price by bisection with the check's own test (never a formula).
 * - The market's band is (the highest such price of its longs, the lowest of its shorts): a mark
 *   strictly inside it liquidates nothing, so the check is skipped. A mark on or past an edge runs
 *   the full check, at the first mark that gets there.
 * - The band holds while nothing it rests on changes: the ledger (`Ledger.version`: any balance,
 *   so any cross wallet), each position on the market (contracts, entry notional, margin) and the
 *   set of positions (`Positions.created`). After any change the next mark runs the full check and
 *   the band is found again.
 * - No band (every mark runs the full check) while a position cannot be bounded alone: a cross
 *   position of an account with open cross positions on other markets (their marks move its
 *   margin), a position still due after the check, or brackets outside the rule above.
 */
import { crossMargin, isolatedMargin } from "../derivatives/margin.js";
import { RATE_ONE } from "../derivatives/rate.js";
import type { Exchange } from "../exchange.js";
import type { SimMarket } from "../sim-market.js";
import { asPosition, type PerpPosition } from "./positions.js";

/** Doublings tried above the mark for a short's liquidation price before giving up on a bound. */
const MAX_DOUBLINGS = 256;

export class LiquidationWatch {
  private ledgerVersion = -1;
  private created = -1;
  /** Every position on the market, and each one's qty, entry notional and margin then. */
  private tracked: PerpPosition[] = [];
  private seen: bigint[] = [];
  private bounded = false;
  /** Whether the band was current at the last `mustCheck`. */
  private fresh = false;
  /** Marks ≤ low may liquidate a long; marks ≥ high a short. */
  private low = 0n;
  private high = 0n;
  private lowUnits = 0;
  private highUnits = 0;

  constructor(
    readonly exchange: Exchange,
    readonly market: SimMarket,
  ) {}

  /**
   * Whether the check at `mark` must run: false when it would liquidate nothing (see the header).
   * When it ran, call `checked`.
   */
  mustCheck(mark: bigint): boolean {
    this.fresh = this.current();
    return !(this.fresh && this.bounded && mark > this.low && mark < this.high);
  }

  /**
   * `mustCheck` of a mark that is a safe-integer double. The band's edges as doubles compare with
   * it as the bigints do: an edge past 2^53 becomes a double ≥ 2^53, still above every such mark.
   */
  mustCheckUnits(mark: number): boolean {
    this.fresh = this.current();
    return !(this.fresh && this.bounded && mark > this.lowUnits && mark < this.highUnits);
  }

  /** The check ran at `mark`: finds the band again if anything it rests on changed. */
  checked(mark: bigint): void {
    if (this.fresh && this.current()) return;
    const x = this.exchange;
    this.ledgerVersion = x.ledger.version;
    this.created = x.positions.created;
    this.tracked = x.positions.allOn(this.market.instrument.symbol);
    this.seen = this.tracked.flatMap((p) => [p.qty, p.entryNotional, p.margin]);
    this.bounded = this.findBand(mark);
  }

  private current(): boolean {
    const x = this.exchange;
    if (x.ledger.version !== this.ledgerVersion || x.positions.created !== this.created) {
      return false;
    }
    const seen = this.seen;
    for (let i = 0; i < this.tracked.length; i++) {
      const p = this.tracked[i]!;
      if (p.qty !== seen[3 * i] || p.entryNotional !== seen[3 * i + 1]) return false;
      if (p.margin !== seen[3 * i + 2]) return false;
    }
    return true;
  }

  private findBand(mark: bigint): boolean {
    const spec = this.market.instrument.contract!;
    const monotone =
      spec.brackets[0]!.maintMarginRatio > 0n &&
      spec.brackets.every((b) => b.maintMarginRatio < RATE_ONE);
    if (!monotone || mark < 1n) return false;
    let low = 0n;
    let high: bigint | undefined;
    for (const p of this.tracked) {
      if (p.qty === 0n) continue;
      const due = this.test(p);
      if (due === undefined || due(mark)) return false;
      if (p.qty > 0n) {
        const price = highestDue(due, mark);
        if (price > low) low = price;
      } else {
        const price = lowestDue(due, mark);
        if (high === undefined || price < high) high = price;
      }
    }
    this.low = low;
    // No short: no mark reaches one (a mark is far below 2^256 price units).
    this.high = high ?? 1n << 256n;
    this.lowUnits = Number(this.low);
    this.highUnits = Number(this.high);
    return true;
  }

  /** The check's test of `p` at a mark, with everything but the mark as it is now. */
  private test(p: PerpPosition): ((mark: bigint) => boolean) | undefined {
    const x = this.exchange;
    const spec = this.market.instrument.contract!;
    const position = asPosition(spec, p);
    if (x.positions.setting(p.account, p.symbol).mode === "isolated") {
      return (mark) => isolatedMargin(position, p.margin, mark).liquidatable;
    }
    const alone = x.positions
      .ofAccount(p.account)
      .every(
        (o) => o === p || o.qty === 0n || x.positions.setting(p.account, o.symbol).mode !== "cross",
      );
    if (!alone) return undefined;
    const wallet = x.ledger.free(p.account, spec.settle) + x.ledger.locked(p.account, spec.settle);
    return (mark) => crossMargin(wallet, [{ position, mark }]).liquidatable;
  }
}

/** A long: the highest mark ≥ 1 at which `due` holds (0 when none), given !due(safe). */
function highestDue(due: (mark: bigint) => boolean, safe: bigint): bigint {
  if (!due(1n)) return 0n;
  let yes = 1n;
  let no = safe;
  while (no - yes > 1n) {
    const mid = (yes + no) / 2n;
    if (due(mid)) yes = mid;
    else no = mid;
  }
  return yes;
}

/** A short: the lowest mark at which `due` holds, given !due(safe); a bound if none is found. */
function lowestDue(due: (mark: bigint) => boolean, safe: bigint): bigint {
  let no = safe;
  let yes = safe * 2n;
  for (let i = 0; !due(yes); i++) {
    if (i === MAX_DOUBLINGS) return yes; // never due below it; past it the check runs
    no = yes;
    yes *= 2n;
  }
  while (yes - no > 1n) {
    const mid = (yes + no) / 2n;
    if (due(mid)) yes = mid;
    else no = mid;
  }
  return yes;
}
