/**
 * A backtest's position on a contract market (a perpetual): what the runner does there in place of
 * spot's PositionLedger. The exchange keeps the position; this module places its orders and reads
 * its money back, exactly.
 *
 * Rules:
 * - One-way, as the venue is: a long buys, a short sells (it opens a short); an exit is a
 *   reduce-only market order for the whole position — what a thin book does not take is offered
 *   again at the next path points by the runner, as on spot.
 * - Leverage and margin mode are set on the venue before the first candle, the way a Desk would
 *   (setLeverage / setMarginMode); a leverage the market's first bracket refuses is the user's
 *   error, named.
 * - Size: `share` of the free settle equity (free wallet + unrealised PnL at the mark price, not
 *   the last price) × leverage is the notional, in whole lots. The margin (notional / leverage)
 *   plus the taker fee on the notional must fit the share less 1 % kept for slippage; the lots are
 *   capped by the market's max quantity and by the largest notional whose bracket still allows the
 *   leverage (above it the venue would refuse the order).
 * - Money comes from the exchange, never re-derived: the position's realised PnL and funding totals
 *   (the PerpEngine's), the fees on our orders, the settle wallet (free + locked). So a trade's
 *   realisedPnl − fees + funding is the wallet's change over it; a test checks that on the ledger.
 * - Funding is read at each path point of the contract, after the engine ran funding and
 *   liquidation there: a change of the position's funding total is one payment, paid (< 0) or
 *   received (> 0).
 * - A position gone flat without our exit was liquidated: the trade closes at the bankruptcy
 *   price with exitReason "liquidation". Its fee is the engine's rule (perp/liquidation.ts):
 *   cross, liquidationFee × the notional at the bankruptcy price, out of what the account has left;
 *   isolated, none. The runner is then flat and the strategy carries on.
 * - Leverage used: notional at mark / (wallet + unrealised PnL), at every path point in a
 *   position and right after each entry; its maximum is reported.
 */
import { InternalError, InvalidInputError, RejectedError } from "../../domain/errors.js";
import { formatDecimal, mulDiv, parseDecimal, ratioOf, toSteps } from "../../domain/fixed.js";
import type { Order } from "../../domain/order.js";
import { PARTS_PER_BILLION } from "../../sim/config/fee-units.js";
import type { MarketConfig } from "../../sim/config/types.js";
import type { DerivativeMarket } from "../../sim/derivatives/instrument.js";
import { notional } from "../../sim/derivatives/instrument.js";
import { RATE_ONE } from "../../sim/derivatives/rate.js";
import type { PerpPosition } from "../../sim/perp/positions.js";
import type { Simulator } from "../../sim/simulator.js";
import type { ContractReport, TradeRecord } from "./types.js";

export interface ContractOptions {
  /** Whole number ≥ 1, at most the first bracket's max leverage. */
  leverage: number;
  marginMode: "cross" | "isolated";
}

/** What the wallet and the position held when a trade began (exact), and what it entered. */
interface OpenTrade {
  side: "long" | "short";
  time: number;
  entryPrice: number;
  contracts: bigint;
  margin: bigint;
  wallet: bigint;
  realised: bigint;
  funding: bigint;
  fees: bigint;
  /** Σ price × amount and Σ amount of the exit fills (numbers: the report's average). */
  exitValue: number;
  exitAmount: number;
}

const ENTRY_MARGIN_PCT = 1n;

export class ContractPosition {
  /** The exchange's own record: the same object for the whole run (a flat one stays listed). */
  readonly position: PerpPosition;
  private readonly spec: DerivativeMarket;
  private readonly settle: string;
  private readonly scale: number;
  private readonly contractSize: number;
  private readonly initialWallet: bigint;
  /** The wallet after the last change seen (our fills, funding, a liquidation). */
  private wallet: bigint;
  /** The position's realised PnL when `wallet` was last read. */
  private realisedSeen: bigint;
  private fundingSeen: bigint;
  /** Fees our account paid: trading fees and liquidation fees. */
  private fees = 0n;
  private fundingPaid = 0n;
  private fundingReceived = 0n;
  private fundingPayments = 0;
  private liquidations = 0;
  private maxLeverageUsed = 0;
  private tradedPnl = 0n;
  private tradedFees = 0n;
  trade: OpenTrade | undefined;

  constructor(
    private readonly sim: Simulator,
    private readonly market: MarketConfig,
    private readonly account: string,
    readonly options: ContractOptions,
  ) {
    const contract = market.contract!;
    this.spec = contract.spec;
    this.settle = contract.spec.settle;
    this.scale = contract.spec.settleDecimals;
    this.contractSize = Number(contract.contractSize);
    const symbol = market.symbol;
    try {
      sim.derivatives.setMarginMode(account, symbol, options.marginMode);
      sim.derivatives.setLeverage(account, symbol, options.leverage);
    } catch (err) {
      if (!(err instanceof RejectedError)) throw err;
      throw new InvalidInputError(`leverage ${options.leverage} on ${symbol}: ${err.message}`, {
        cause: err,
      });
    }
    this.position = sim.exchange.positions.ensure(account, symbol);
    this.wallet = this.readWallet();
    this.initialWallet = this.wallet;
    this.realisedSeen = this.position.realizedPnl;
    this.fundingSeen = this.position.funding;
  }

  /** Settle equity now: wallet + unrealised PnL at the mark (analytics: a number). */
  equity(): number {
    return this.number(
      this.wallet + this.unrealised(this.sim.derivatives.mark(this.market.symbol)),
    );
  }

  /** Whole lots to open with `share` (at `shareScale` decimals) of the free equity at `price`. */
  lotsFor(share: bigint, shareScale: number, price: number): bigint {
    const spec = this.spec;
    const ledger = this.sim.exchange.ledger;
    const mark = this.sim.derivatives.mark(this.market.symbol);
    const free = ledger.free(this.account, this.settle) + this.unrealised(mark);
    if (free <= 0n) return 0n;
    const budget =
      (mulDiv(free, share, 10n ** BigInt(shareScale), "down") * (100n - ENTRY_MARGIN_PCT)) / 100n;
    const lev = BigInt(this.options.leverage);
    const ticks = toSteps(String(price), spec.tick, "up");
    const perLot = notional(spec, spec.lot.step, ticks * spec.tick.step);
    if (perLot <= 0n) return 0n;
    const perLotCost =
      mulDiv(perLot, 1n, lev, "up") +
      mulDiv(perLot, this.market.fees.takerPpb, PARTS_PER_BILLION, "up");
    let lots = budget / perLotCost;
    // The largest notional whose bracket allows the leverage; 1 % below it for slippage.
    let cap = 0n;
    for (const b of spec.brackets) if (b.maxLeverage >= this.options.leverage) cap = b.notionalCap;
    const capLots = (cap * (100n - ENTRY_MARGIN_PCT)) / 100n / perLot;
    if (lots > capLots) lots = capLots;
    if (lots > this.market.maxQtyLots) lots = this.market.maxQtyLots;
    return lots > 0n && lots * perLot >= this.market.minNotionalUnits ? lots : 0n;
  }

  /** Opens `lots` long or short at market; false when nothing filled (refused, no depth). */
  open(side: "long" | "short", lots: bigint, time: number): boolean {
    const p = this.position;
    const before = { wallet: this.wallet, realised: p.realizedPnl, funding: p.funding };
    const fees = this.fees;
    const qty = p.qty;
    const order = this.place(side === "long" ? "buy" : "sell", lots, false);
    if (order === undefined || Number(order.filled) === 0) return false;
    const contracts = abs(p.qty - qty);
    this.trade = {
      side,
      time,
      entryPrice: Number(order.average ?? order.price),
      contracts,
      margin: mulDiv(p.entryNotional, 1n, BigInt(this.options.leverage), "up"),
      ...before,
      fees,
      exitValue: 0,
      exitAmount: 0,
    };
    this.leverageAt(this.sim.derivatives.mark(this.market.symbol));
    return true;
  }

  /** Offers the whole position back (reduce-only); true once it is flat. */
  reduce(): boolean {
    const p = this.position;
    if (p.qty === 0n) return true;
    const lots = abs(p.qty) / this.spec.lot.step;
    const order = this.place(p.qty > 0n ? "sell" : "buy", lots, true);
    if (order !== undefined && this.trade !== undefined) {
      const filled = Number(order.filled);
      this.trade.exitValue += filled * Number(order.average ?? 0);
      this.trade.exitAmount += filled;
    }
    return p.qty === 0n;
  }

  /**
   * A path point of the contract, after the engine's funding and liquidation there: counts the
   * funding, tracks the leverage used; a liquidated trade's record, if one happened here.
   */
  onPath(time: number): TradeRecord | undefined {
    const p = this.position;
    if (p.funding !== this.fundingSeen) {
      const paid = p.funding - this.fundingSeen;
      this.fundingSeen = p.funding;
      this.wallet += paid;
      this.fundingPayments++;
      if (paid < 0n) this.fundingPaid -= paid;
      else this.fundingReceived += paid;
    }
    if (this.trade === undefined) return undefined;
    if (p.qty === 0n) return this.liquidated(time);
    this.leverageAt(this.sim.derivatives.mark(this.market.symbol));
    return undefined;
  }

  /** The open trade's record, closed by our orders at `time`. */
  finish(reason: TradeRecord["exitReason"], time: number): TradeRecord {
    const t = this.trade!;
    const exitPrice = t.exitAmount > 0 ? t.exitValue / t.exitAmount : Number.NaN;
    return this.record(t, reason, time, exitPrice);
  }

  report(): ContractReport {
    const money = (u: bigint) => formatDecimal(u, this.scale);
    return {
      settle: this.settle,
      leverage: this.options.leverage,
      marginMode: this.options.marginMode,
      maxLeverageUsed: this.maxLeverageUsed,
      fundingPaid: money(this.fundingPaid),
      fundingReceived: money(this.fundingReceived),
      fundingPayments: this.fundingPayments,
      liquidations: this.liquidations,
      realisedPnl: money(this.tradedPnl),
      fees: money(this.tradedFees),
      initialBalance: money(this.initialWallet),
      finalBalance: money(this.readWallet()),
    };
  }

  private liquidated(time: number): TradeRecord {
    const t = this.trade!;
    const p = this.position;
    const all = this.sim.derivatives.liquidations;
    let record: (typeof all)[number] | undefined;
    for (let i = all.length - 1; i >= 0 && all[i]!.time === time; i--) {
      if (all[i]!.account === this.account) record = all[i];
    }
    if (record === undefined) {
      // Nothing else closes a position here yet (auto-deleveraging would): a report that
      // guessed would be wrong, so the run stops and says so.
      throw new InternalError(
        `${this.market.symbol}: the backtest's position went flat at ${new Date(time).toISOString()} without its order or a liquidation`,
      );
    }
    const bp = parseDecimal(record.bankruptcyPrice, this.spec.tick.scale);
    const size = abs(parseDecimal(record.qty, this.spec.lot.scale));
    let fee = 0n;
    if (this.options.marginMode === "cross") {
      // What the account had left once its PnL at the bankruptcy price was settled.
      const left = this.wallet + (p.realizedPnl - this.realisedSeen);
      const full = mulDiv(
        notional(this.spec, size, bp),
        this.market.contract!.liquidationFeeRate,
        RATE_ONE,
        "up",
      );
      fee = left <= 0n ? 0n : left < full ? left : full;
    }
    this.fees += fee;
    this.liquidations++;
    return this.record(t, "liquidation", time, Number(record.bankruptcyPrice));
  }

  private record(
    t: OpenTrade,
    reason: TradeRecord["exitReason"],
    time: number,
    exitPrice: number,
  ): TradeRecord {
    const p = this.position;
    const realised = p.realizedPnl - t.realised;
    const fees = this.fees - t.fees;
    const funding = p.funding - t.funding;
    const net = realised - fees + funding;
    this.tradedPnl += realised;
    this.tradedFees += fees;
    this.trade = undefined;
    this.sync();
    return {
      side: t.side,
      entryTime: t.time,
      exitTime: time,
      entryPrice: t.entryPrice,
      exitPrice,
      amount: Number(formatDecimal(t.contracts, this.spec.lot.scale)) * this.contractSize,
      pnl: this.number(net),
      returnPct: ratioOf(net, t.margin),
      fees: this.number(fees),
      exitReason: reason,
      contract: {
        realisedPnl: formatDecimal(realised, this.scale),
        fees: formatDecimal(fees, this.scale),
        funding: formatDecimal(funding, this.scale),
      },
    };
  }

  private place(side: "buy" | "sell", lots: bigint, reduceOnly: boolean): Order | undefined {
    let order: Order;
    try {
      order = this.sim.placeOrder(this.account, {
        symbol: this.market.symbol,
        type: "market",
        side,
        amount: formatDecimal(lots * this.spec.lot.step, this.spec.lot.scale),
        ...(reduceOnly ? { reduceOnly: true } : {}),
      });
    } catch (err) {
      // Not enough margin, a bracket's refusal: an ordinary refusal the strategy lives with.
      if (err instanceof RejectedError) return undefined;
      throw err;
    }
    if (order.fee !== undefined) this.fees += parseDecimal(order.fee.cost, this.scale);
    this.sync();
    return order;
  }

  /** Reads the wallet and the realised PnL after something we did moved them. */
  private sync(): void {
    this.wallet = this.readWallet();
    this.realisedSeen = this.position.realizedPnl;
  }

  private leverageAt(mark: bigint): void {
    const p = this.position;
    if (p.qty === 0n) return;
    const equity = this.wallet + this.unrealised(mark);
    if (equity <= 0n) return;
    const used = Number(notional(this.spec, p.qty, mark)) / Number(equity);
    if (used > this.maxLeverageUsed) this.maxLeverageUsed = used;
  }

  private unrealised(mark: bigint): bigint {
    const p = this.position;
    if (p.qty === 0n) return 0n;
    const value = notional(this.spec, p.qty, mark);
    return p.qty > 0n ? value - p.entryNotional : p.entryNotional - value;
  }

  private readWallet(): bigint {
    const ledger = this.sim.exchange.ledger;
    return ledger.free(this.account, this.settle) + ledger.locked(this.account, this.settle);
  }

  private number(units: bigint): number {
    return Number(formatDecimal(units, this.scale));
  }
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}
