/**
 * Settlement: turns each fill the book reports into ledger moves, at once and exactly.
 *
 * For a fill of `lots` at `ticks` between a buyer and a seller:
 *   quote: cost = ticks × lots × costFactor moves buyer → seller (from the buyer's reservation);
 *          a priced buy reserved at its limit price gets the difference back (it paid less);
 *   base:  lots × lotFactor moves seller → buyer (from the seller's reservation);
 *   fees:  each side pays its maker or taker rate on what it received, rounded up, to FEE_ACCOUNT.
 * The synthetic market makers trade from their account's free balance and pay no fee.
 * A fill on a contract moves no base: it changes positions instead (perp/contract-fills.ts).
 * The liquidation engine's closing order (perp/liquidation-close.ts) trades as the makers do: its
 * side of a fill moves nothing here; the fill is handed to it (`engine.fills`) to settle with the
 * insurance fund, and a user maker's side is applied as any other.
 * What settlement touched (orders, accounts, fills) is collected for the caller to publish.
 */
import type { BookListener } from "./book/index.js";
import { FEE_ACCOUNT, type Ledger, MARKET_MAKER_ACCOUNT } from "./ledger.js";
import { MARKET_MAKER_OWNER } from "./liquidity.js";
import { applyContractFill } from "./perp/contract-fills.js";
import type { Positions } from "./perp/positions.js";
import type { SimMarket } from "./sim-market.js";
import { remainingLots, type SimFill, type SimOrder } from "./sim-order.js";

export interface PublicFill {
  id: number;
  time: number;
  symbol: string;
  ticks: number;
  lots: number;
  /** The taker's side. */
  side: "buy" | "sell";
}

/** What one operation changed, for the simulator to publish. */
export interface Changes {
  orders: SimOrder[];
  accounts: string[];
  /** Each fill of a user order (the account is its order's), its view built when read. */
  fills: SimFill[];
  publicFills: PublicFill[];
}

/** The liquidation engine's closing order while it matches, and the fills it took. */
export interface EngineOrder {
  id: number;
  side: "buy" | "sell";
  fills: Array<{ ticks: number; lots: number }>;
}

export class Settlement implements BookListener {
  /** Set by the exchange before every book operation. */
  market!: SimMarket;
  now = 0;
  /** Set by the liquidation engine around its closing order's match. */
  engine: EngineOrder | undefined;
  readonly touchedOrders = new Set<SimOrder>();
  readonly touchedAccounts = new Set<string>();
  newFills: SimFill[] = [];
  publicFills: PublicFill[] = [];
  /** The id the next fill gets (never reused, across a saved state too). */
  nextFillId = 1;

  constructor(
    private readonly ledger: Ledger,
    private readonly orders: ReadonlyMap<number, SimOrder>,
    private readonly positions: Positions,
  ) {}

  onFill(
    makerId: number,
    takerId: number,
    ticks: number,
    lots: number,
    makerOwner: number,
    takerOwner: number,
  ): void {
    const inst = this.market.instrument;
    const maker = makerOwner === MARKET_MAKER_OWNER ? undefined : this.orders.get(makerId);
    const taker = takerOwner === MARKET_MAKER_OWNER ? undefined : this.orders.get(takerId);
    const engine = this.engine?.id === takerId ? this.engine : undefined;
    engine?.fills.push({ ticks, lots });
    const takerSide = taker?.side ?? engine?.side;
    const makerBuys = maker !== undefined ? maker.side === "buy" : takerSide === "sell";
    const buyer = makerBuys ? maker : taker;
    const seller = makerBuys ? taker : maker;
    const buyerAccount = buyer?.account ?? MARKET_MAKER_ACCOUNT;
    const sellerAccount = seller?.account ?? MARKET_MAKER_ACCOUNT;
    const cost = inst.cost(ticks, lots);
    const fillId = this.nextFillId++;

    if (inst.contract !== undefined) {
      for (const [order, side] of [
        [buyer, 1n],
        [seller, -1n],
      ] as const) {
        if (order === undefined) continue; // the makers: the house, see contract-fills.ts
        const role = order === maker ? "maker" : "taker";
        const fill = { order, side, ticks, lots, role, now: this.now } as const;
        const fee = applyContractFill(this.ledger, this.positions, fill);
        this.touchedAccounts.add(order.account);
        this.record(order, fillId, ticks, lots, cost, fee, role);
      }
    } else {
      this.spotFill(buyer, seller, maker, buyerAccount, sellerAccount, ticks, lots, fillId);
    }
    this.publicFills.push({
      id: fillId,
      time: this.now,
      symbol: inst.symbol,
      ticks,
      lots,
      side: takerSide ?? (makerBuys ? "sell" : "buy"),
    });
  }

  private spotFill(
    buyer: SimOrder | undefined,
    seller: SimOrder | undefined,
    maker: SimOrder | undefined,
    buyerAccount: string,
    sellerAccount: string,
    ticks: number,
    lots: number,
    fillId: number,
  ): void {
    const inst = this.market.instrument;
    const cost = inst.cost(ticks, lots);
    const base = inst.baseUnits(lots);
    if (buyer !== undefined) {
      this.ledger.transfer(buyerAccount, "locked", sellerAccount, inst.quote, cost);
      const reservedForFill =
        buyer.type === "limit" || buyer.type === "stop_limit"
          ? inst.cost(buyer.priceTicks, lots)
          : cost;
      buyer.reserved -= reservedForFill;
      if (reservedForFill > cost) {
        this.ledger.unlock(buyerAccount, inst.quote, reservedForFill - cost);
      }
    } else {
      this.ledger.transfer(MARKET_MAKER_ACCOUNT, "free", sellerAccount, inst.quote, cost);
    }
    if (seller !== undefined) {
      this.ledger.transfer(sellerAccount, "locked", buyerAccount, inst.base, base);
      seller.reserved -= base;
    } else {
      this.ledger.transfer(MARKET_MAKER_ACCOUNT, "free", buyerAccount, inst.base, base);
    }
    if (buyer !== undefined) {
      const role = buyer === maker ? "maker" : "taker";
      const fee = inst.fee(base, role);
      this.ledger.transfer(buyerAccount, "free", FEE_ACCOUNT, inst.base, fee);
      this.record(buyer, fillId, ticks, lots, cost, fee, role);
    }
    if (seller !== undefined) {
      const role = seller === maker ? "maker" : "taker";
      const fee = inst.fee(cost, role);
      this.ledger.transfer(sellerAccount, "free", FEE_ACCOUNT, inst.quote, fee);
      this.record(seller, fillId, ticks, lots, cost, fee, role);
    }
  }

  onMakerExpired(makerId: number): void {
    const maker = this.orders.get(makerId);
    if (maker === undefined) return;
    maker.status = "expired";
    this.release(maker);
  }

  /** Unlocks whatever an ended order still reserves. */
  release(order: SimOrder): void {
    if (order.reserved > 0n) {
      this.ledger.unlock(order.account, order.reservedAsset, order.reserved);
      order.reserved = 0n;
    }
    this.touch(order);
  }

  touch(order: SimOrder): void {
    this.touchedOrders.add(order);
    this.touchedAccounts.add(order.account);
  }

  /**
   * What the operation changed, for the caller to publish; the collections start empty again.
   * The fill lists are handed over, not copied (an order's settlement runs thousands of times a
   * second in a backtest).
   */
  take(): Changes {
    const changes: Changes = {
      orders: [...this.touchedOrders],
      accounts: [...this.touchedAccounts],
      fills: this.newFills,
      publicFills: this.publicFills,
    };
    if (this.touchedOrders.size > 0) this.touchedOrders.clear();
    if (this.touchedAccounts.size > 0) this.touchedAccounts.clear();
    this.newFills = [];
    this.publicFills = [];
    return changes;
  }

  private record(
    order: SimOrder,
    fillId: number,
    ticks: number,
    lots: number,
    cost: bigint,
    fee: bigint,
    role: "maker" | "taker",
  ): void {
    order.filledLots += lots;
    order.costUnits += cost;
    order.notionalTickLots += BigInt(ticks) * BigInt(lots);
    order.feeUnits += fee;
    order.lastTradeTimestamp = this.now;
    if (remainingLots(order) === 0) {
      order.status = "closed";
      this.release(order);
    }
    this.touch(order);
    this.newFills.push({ order, id: fillId, time: this.now, ticks, lots, cost, fee, role });
  }
}
