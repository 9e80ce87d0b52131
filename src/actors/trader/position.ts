/**
 * What a Trader holds, exactly: a PositionLedger fed with every state of the Trader's orders the
 * Desk sends — the reply to an order request and the execution reports after it — and the exact
 * sizing of its orders in lots.
 *
 * Invariants:
 * - Each execution counts once: a state is taken as the difference from the last state seen of the
 *   same order (fillSince). The same state twice adds nothing; an older state arriving after a newer
 *   one (reports and replies race) is ignored.
 * - Sizes are whole lots from bigint arithmetic: lots = floor(budget / (price × lot)), with the
 *   price rounded up to the tick, so an order never costs more than its budget at that price.
 * - `pnl` is the quote gained or lost: realised PnL less the basis of what is still held. Once the
 *   Trader has sold all it can, what is left is dust under one lot, written off at its cost, so
 *   `pnl` is exactly the change of the quote balance its orders made. A contract position (long
 *   or short, fees in the settle currency) closes whole: its `pnl` is its realised PnL.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { formatDecimal, fromSteps, parseDecimal, toSteps } from "../../domain/fixed.js";
import type { Order } from "../../domain/order.js";
import { fillSince, knownFee, type OrderTotals } from "../../domain/order-progress.js";
import { PositionLedger } from "../../domain/position-ledger.js";
import type { MarketConfig, VenueConfig } from "../../sim/config/types.js";
import type { DeskPosition } from "./saved.js";

/** Decimals order totals are compared at, as fillSince reads them. */
const TOTALS_SCALE = 18;

export class TraderPosition {
  #ledger: PositionLedger;
  readonly #spec: MarketConfig;
  readonly #seen = new Map<string, OrderTotals>();
  #spent = 0n;
  #leverage = 1;

  constructor(
    readonly market: string,
    venue: VenueConfig,
  ) {
    const spec = venue.markets[market];
    if (spec === undefined)
      throw new InvalidInputError(`${market} is not a market of ${venue.file}`);
    this.#spec = spec;
    this.#ledger = new PositionLedger({
      base: spec.base,
      quote: spec.quote,
      baseScale: venue.assets[spec.base]?.decimals ?? 8,
      quoteScale: venue.assets[spec.quote]?.decimals ?? 8,
    });
  }

  get ledger(): PositionLedger {
    return this.#ledger;
  }

  /**
   * After a restart: the position as the Desk holds it (its journal saw every fill), the last
   * state of each of the Trader's orders it knows (so a later report of one adds only what is
   * new), and what the buys cost: `spent` as saved, or — nothing sold yet — the Desk's basis.
   */
  adopt(desk: DeskPosition, spent: bigint | undefined): void {
    const { baseScale, quoteScale } = this.#ledger.scales;
    const p = desk.position;
    this.#ledger = PositionLedger.restored(this.#ledger.scales, {
      quantity: String(parseDecimal(p.quantity, baseScale, "half-even")),
      basis: String(parseDecimal(p.basis, quoteScale, "half-even")),
      realised: String(parseDecimal(p.realised, quoteScale, "half-even")),
      fees: String(parseDecimal(p.fees, quoteScale, "half-even")),
      otherFees: { ...p.otherFees },
    });
    this.#seen.clear();
    for (const order of desk.orders) {
      if (order.symbol !== this.market) continue;
      this.#seen.set(order.id, {
        filled: order.filled,
        cost: order.cost,
        ...(order.fee === undefined ? {} : { fee: order.fee }),
      });
    }
    this.#spent = spent ?? this.#ledger.basis;
  }

  get quoteScale(): number {
    return this.ledger.scales.quoteScale;
  }

  /**
   * Takes in a state of one of this Trader's orders; true when it executed more since the last
   * state seen. Orders of another market are not this position's.
   */
  absorb(order: Order): boolean {
    if (order.symbol !== this.market) return false;
    const before = this.#seen.get(order.id);
    if (before !== undefined && totals(order.filled) < totals(before.filled)) return false;
    const fee = knownFee(before, order);
    const fill = fillSince(
      before,
      fee === order.fee || fee === undefined ? order : { ...order, fee },
    );
    this.#seen.set(order.id, {
      filled: order.filled,
      cost: order.cost,
      ...(fee === undefined ? {} : { fee }),
    });
    if (fill === undefined) return false;
    const basis = this.ledger.basis;
    const size = abs(this.ledger.quantity);
    this.ledger.apply(fill);
    // What an opening fill adds to the basis (a buy of a long, a sell of a short) is what the
    // attempt puts at stake: all of it on spot, its margin (over the leverage) on a contract.
    const added = abs(this.ledger.basis) - abs(basis);
    if (abs(this.ledger.quantity) > size && added > 0n)
      this.#spent += (added + BigInt(this.#leverage) - 1n) / BigInt(this.#leverage);
    return true;
  }

  /** Contract markets: the leverage the position is opened at (its margin is what is spent). */
  set leverage(leverage: number) {
    this.#leverage = leverage;
  }

  get leverage(): number {
    return this.#leverage;
  }

  /**
   * Quote minor units put at stake, fees included: paid for a spot position's buys, the margin of
   * a contract position's opening fills. What a return is measured against.
   */
  get spent(): bigint {
    return this.#spent;
  }

  /** Whole lots `budget` (quote minor units) buys at `price` (a decimal, rounded up to the tick). */
  lotsFor(budget: bigint, price: string): bigint {
    const ticks = toSteps(price, this.#spec.tick, "up");
    if (ticks <= 0n || budget <= 0n) return 0n;
    return budget / (ticks * this.#spec.quoteUnitsPerTickLot);
  }

  /** Whole lots of the position, long or short: what an exit can close. */
  get closableLots(): bigint {
    return abs(this.ledger.quantity) / this.#spec.baseUnitsPerLot;
  }

  /** `price` on the market's tick grid, rounded `down` or up, as a decimal string. */
  onTick(price: number, rounding: "down" | "up"): string {
    return fromSteps(toSteps(String(price), this.#spec.tick, rounding), this.#spec.tick);
  }

  /** An amount of `lots` lots, as the order's decimal string. */
  amountOf(lots: bigint): string {
    return fromSteps(lots, this.#spec.lot);
  }

  /** Quote minor units from a decimal at the quote's scale, rounded down. */
  quoteUnits(text: string): bigint {
    return parseDecimal(text, this.quoteScale, "down");
  }

  /** Quote gained or lost so far: realised, less the cost of what is still held. */
  get pnl(): bigint {
    return this.ledger.realised - this.ledger.basis;
  }

  /** Realised plus unrealised at `mark`: what the attempt is worth now. */
  markedPnl(mark: string): bigint {
    return this.ledger.realised + this.ledger.unrealised(mark);
  }

  quoteText(units: bigint): string {
    return formatDecimal(units, this.quoteScale);
  }
}

function totals(text: string): bigint {
  return parseDecimal(text, TOTALS_SCALE, "half-even");
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
