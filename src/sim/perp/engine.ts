/**
 * The simulator's derivatives: mark price and funding of every contract market on the clock
 * (mark-funding.ts, funding-payments.ts), liquidation and auto-deleveraging on each mark
 * (liquidation.ts, adl.ts; the check is skipped where liquidation-watch.ts shows it would
 * liquidate nothing), delivery of delivery contracts at expiry (delivery.ts), each account's
 * leverage and margin mode, and the ccxt views of positions and funding rates that the Venue
 * interface serves. What liquidation, ADL and delivery did is kept, newest last, in
 * `liquidations`, `adl` and `delivered`.
 *
 * Rules: a view states each value as the derivatives model computes it (margin.ts: unrealised PnL
 * and maintenance at the mark; liquidation-price.ts: the liquidation price from the account's
 * wallet and its other cross positions, rounded to the nearest tick, half-up, as Binance shows it).
 */
import type {
  FundingRate,
  FundingRateHistory,
  MarginMode,
  Position,
} from "../../domain/derivatives.js";
import { InvalidInputError, InvalidOrderError } from "../../domain/errors.js";
import { formatDecimal } from "../../domain/fixed.js";
import type { OHLCV } from "../../domain/market-data.js";
import { bracketFor } from "../derivatives/brackets.js";
import { liquidationPrice, roundToTick } from "../derivatives/liquidation-price.js";
import {
  maintenanceMargin,
  marginRatio,
  positionNotional,
  unrealizedPnl,
} from "../derivatives/margin.js";
import { formatRate } from "../derivatives/rate.js";
import type { Exchange } from "../exchange.js";
import type { SimMarket } from "../sim-market.js";
import type { AdlRecord } from "./adl.js";
import { Deliveries, type DeliveryRecord } from "./delivery.js";
import { payFunding } from "./funding-payments.js";
import { type LiquidationRecord, liquidate } from "./liquidation.js";
import { LiquidationWatch } from "./liquidation-watch.js";
import { candleUnits, MarkAndFunding } from "./mark-funding.js";
import { asPosition, type PerpPosition } from "./positions.js";

export class PerpEngine {
  readonly states = new Map<string, MarkAndFunding>();
  /** When each contract market's liquidation check can be skipped (liquidation-watch.ts). */
  private readonly watches = new Map<string, LiquidationWatch>();
  /** The market of the last path point and its state and watch (most points are one market's). */
  private last: {
    market: SimMarket | undefined;
    state: MarkAndFunding | undefined;
    watch: LiquidationWatch | undefined;
  } = { market: undefined, state: undefined, watch: undefined };
  /** Every liquidation, oldest first (bounded as fills are). */
  readonly liquidations: LiquidationRecord[] = [];
  /** Every auto-deleveraged position, oldest first (bounded the same way). */
  readonly adl: AdlRecord[] = [];
  /** The delivery contracts still to deliver, and each delivered one's settlement price. */
  readonly deliveries: Deliveries;
  /** Every position settled at a delivery, oldest first (bounded the same way). */
  readonly delivered: DeliveryRecord[] = [];

  constructor(
    readonly exchange: Exchange,
    now: number,
  ) {
    this.deliveries = new Deliveries(exchange, now);
    for (const m of exchange.markets.values()) {
      if (m.terms === undefined) continue;
      this.states.set(
        m.instrument.symbol,
        new MarkAndFunding(m, exchange.market(m.terms.index), m.terms.funding, now),
      );
      this.watches.set(m.instrument.symbol, new LiquidationWatch(exchange, m));
    }
  }

  /**
   * Before a path point at `now` moves anything: delivers the delivery contracts whose expiry has
   * come (delivery.ts). Returns the accounts whose money moved.
   */
  deliverDue(now: number): readonly string[] {
    if (!this.deliveries.watching) return [];
    const done = this.deliveries.due(now);
    keep(this.delivered, done);
    return done.map((d) => d.account);
  }

  /**
   * A path point of `m` (any market) at `now`: the index samples of delivery contracts; on a
   * contract, mark, funding and liquidation. Returns the accounts whose money moved.
   */
  onPath(m: SimMarket, now: number): readonly string[] {
    if (this.deliveries.watching) this.deliveries.onPath(m, now);
    if (m !== this.last.market) {
      const symbol = m.instrument.symbol;
      this.last = { market: m, state: this.states.get(symbol), watch: this.watches.get(symbol) };
    }
    const { state, watch } = this.last;
    if (state === undefined || watch === undefined) return NONE;
    const rate = state.sample(now);
    const units = state.markUnits;
    if (Number.isNaN(units) && state.mark === undefined) return NONE;
    const x = this.exchange;
    const touched =
      rate === undefined
        ? NONE
        : payFunding(x.ledger, x.positions, m.instrument.contract!, state.mark!, rate, now);
    const due = Number.isNaN(units) ? watch.mustCheck(state.mark!) : watch.mustCheckUnits(units);
    if (!due) return touched;
    const mark = state.mark!;
    const done = liquidate(x, m, mark, this.markOf, now);
    watch.checked(mark);
    if (done.liquidations.length === 0 && done.adl.length === 0) return touched;
    keep(this.liquidations, done.liquidations);
    keep(this.adl, done.adl);
    return [
      ...touched,
      ...done.liquidations.map((l) => l.account),
      ...done.adl.map((a) => a.account),
    ];
  }

  private readonly markOf = (symbol: string) => this.mark(symbol);

  /** The mark price in price units (the last price before the first sample). */
  mark(symbol: string): bigint {
    const state = this.state(symbol);
    const m = state.market;
    return (
      state.mark ??
      BigInt(Math.max(1, Math.round(m.lastPrice / m.tickSize))) * m.instrument.contract!.tick.step
    );
  }

  setLeverage(account: string, symbol: string, leverage: number) {
    return this.exchange.positions.setLeverage(
      account,
      this.state(symbol).market.instrument.contract!,
      leverage,
    );
  }

  setMarginMode(account: string, symbol: string, mode: MarginMode) {
    if (mode !== "cross" && mode !== "isolated") {
      throw new InvalidOrderError(`margin mode ${JSON.stringify(mode)}: use cross or isolated`);
    }
    this.state(symbol);
    const x = this.exchange;
    const busy =
      (x.positions.get(account, symbol)?.qty ?? 0n) !== 0n ||
      [...x.orders.values()].some(
        (o) => o.account === account && o.status === "open" && o.instrument.symbol === symbol,
      );
    return x.positions.setMarginMode(account, symbol, mode, busy);
  }

  positions(account: string, symbols?: readonly string[]): Position[] {
    for (const s of symbols ?? []) this.state(s);
    return this.exchange.positions
      .ofAccount(account)
      .filter((p) => p.qty !== 0n && (symbols === undefined || symbols.includes(p.symbol)))
      .map((p) => this.view(p));
  }

  fundingRate(symbol: string, now: number): FundingRate {
    const s = this.state(symbol);
    const spec = s.market.instrument.contract!;
    if (s.funding === undefined) {
      throw new InvalidInputError(`${symbol} is a delivery future: it pays no funding`);
    }
    const price = (u: bigint | undefined) => formatDecimal(u ?? this.mark(symbol), spec.tick.scale);
    const previous = s.history[s.history.length - 1];
    return {
      symbol,
      timestamp: now,
      markPrice: price(s.mark),
      indexPrice: price(s.index),
      interestRate: formatRate(s.funding.interestRate),
      fundingRate: formatRate(s.predictedRate()!),
      fundingTimestamp: s.nextFunding,
      nextFundingTimestamp: s.nextFunding + s.intervalMs,
      ...(previous === undefined
        ? {}
        : {
            previousFundingRate: formatRate(previous.rate),
            previousFundingTimestamp: previous.time,
          }),
      interval: `${s.funding.intervalHours}h`,
    };
  }

  fundingHistory(symbol: string, since?: number, limit = 100): FundingRateHistory[] {
    const rows = this.state(symbol)
      .history.filter((h) => since === undefined || h.time >= since)
      .map((h) => ({ symbol, fundingRate: formatRate(h.rate), timestamp: h.time }));
    return since === undefined ? rows.slice(-limit) : rows.slice(0, limit);
  }

  /** Mark-price candles of one minute (the only timeframe kept). */
  markOHLCV(symbol: string, timeframe = "1m", since?: number, limit = 500): OHLCV[] {
    if (timeframe !== "1m") {
      throw new InvalidInputError(`mark price candles are kept at 1m only, not ${timeframe}`);
    }
    const s = this.state(symbol);
    const scale = s.market.instrument.contract!.tick.scale;
    const n = (u: bigint | number) => Number(formatDecimal(candleUnits(u), scale));
    const rows = s.candles
      .filter((c) => since === undefined || c[0] >= since)
      .map((c): OHLCV => [c[0], n(c[1]), n(c[2]), n(c[3]), n(c[4]), 0]);
    return since === undefined ? rows.slice(-limit) : rows.slice(0, limit);
  }

  private view(p: PerpPosition): Position {
    const m = this.exchange.market(p.symbol);
    const spec = m.instrument.contract!;
    const mark = this.mark(p.symbol);
    const pos = asPosition(spec, p);
    const setting = this.exchange.positions.setting(p.account, p.symbol);
    const money = (u: bigint) => formatDecimal(u, spec.settleDecimals);
    const price = (u: bigint) => formatDecimal(u, spec.tick.scale);
    const size = p.qty < 0n ? -p.qty : p.qty;
    const n = positionNotional(pos, mark);
    const maint = maintenanceMargin(pos, mark);
    const upnl = unrealizedPnl(pos, mark);
    const cross = setting.mode === "cross";
    const wallet = cross
      ? this.exchange.ledger.free(p.account, spec.settle) +
        this.exchange.ledger.locked(p.account, spec.settle)
      : p.margin;
    const others = cross
      ? this.exchange.positions
          .ofAccount(p.account)
          .filter(
            (o) =>
              o !== p &&
              o.qty !== 0n &&
              this.exchange.positions.setting(p.account, o.symbol).mode === "cross",
          )
          .map((o) => ({
            position: asPosition(this.exchange.market(o.symbol).instrument.contract!, o),
            mark: this.mark(o.symbol),
          }))
      : [];
    const liq = liquidationPrice({ position: pos, walletBalance: wallet, others });
    const ratio = marginRatio(maint, wallet + upnl);
    return {
      symbol: p.symbol,
      timestamp: p.timestamp,
      side: p.qty > 0n ? "long" : "short",
      contracts: formatDecimal(size, spec.lot.scale),
      contractSize: m.terms!.contractSize,
      entryPrice: entryPrice(p, spec.lot.scale, spec.settleDecimals, m.terms!.contractSize),
      markPrice: price(mark),
      notional: money(n),
      leverage: setting.leverage,
      collateral: money(p.margin),
      initialMargin: money(p.margin),
      maintenanceMargin: money(maint),
      maintenanceMarginPercentage: formatRate(bracketFor(spec.brackets, n).maintMarginRatio),
      unrealizedPnl: money(upnl),
      realizedPnl: money(p.realizedPnl),
      ...(liq === null ? {} : { liquidationPrice: price(roundToTick(spec, liq, "half-up")) }),
      marginMode: setting.mode,
      ...(ratio === null ? {} : { marginRatio: formatRate(ratio) }),
      hedged: false,
    };
  }

  private state(symbol: string): MarkAndFunding {
    const s = this.states.get(symbol);
    if (s === undefined) {
      this.exchange.market(symbol); // an unknown market's error
      throw new InvalidInputError(`${symbol} is a spot market, not a contract`);
    }
    return s;
  }
}

/** entry notional / (contracts × contract size), 8 decimals, rounded down. */
function entryPrice(
  p: PerpPosition,
  lotScale: number,
  settleDecimals: number,
  contractSize: string,
): string {
  const size = p.qty < 0n ? -p.qty : p.qty;
  const [whole, frac = ""] = contractSize.split(".");
  const cs = BigInt(whole! + frac);
  const extra = 8;
  // entry (settle units) / (size/10^lotScale × cs/10^frac.length) at 10^extra
  const num = p.entryNotional * 10n ** BigInt(lotScale + frac.length + extra);
  const den = size * cs * 10n ** BigInt(settleDecimals);
  return formatDecimal(den === 0n ? 0n : num / den, extra);
}

const NONE: readonly string[] = Object.freeze([]);

/** Appends `records`, keeping the newest 5,000 once there are more than 10,000. */
function keep<T>(list: T[], records: readonly T[]): void {
  list.push(...records);
  if (list.length > 10_000) list.splice(0, list.length - 5_000);
}
