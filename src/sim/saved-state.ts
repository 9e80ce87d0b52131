/**
 * The simulated exchange's account state as a JSON value, to save with the Desk's journal and
 * load into a fresh exchange after a restart (issue 13: `crypy sim` and paper mode lose nothing).
 *
 * What is saved is what an account can observe: every ledger account's free and locked balances
 * (the market makers' and the fee account too, so money stays conserved), the open orders with
 * their ids, client ids, fills, reservations and queue places, the order and fill counters (ids
 * never repeat), and the simulator's clock. Not saved: the makers' synthetic liquidity (it is a
 * function of the price and refreshes on its own), recent fill history for myTrades, the public
 * tape. Ended orders are saved only when the caller names them (`keep`): the Desk's journal keeps
 * those it still believes open, so a restart can look each one up by client id and find how it
 * ended (see src/actors/desk/journal/venue-state.ts).
 *
 * Amounts are integers in the exchange's own units (ticks, lots, minor units), written as strings
 * where they are bigints; the state records the scales they are in (asset decimals, tick and lot
 * sizes), and a load refuses a venue whose scales differ rather than misread them.
 *
 * Invariants a load checks (corrupt state is worse than a fresh start): the exchange is fresh (no
 * order yet); every asset and market exists with the same scales; balances are non-negative
 * integers; each account's locked balance equals what its open orders reserve; a resting order
 * does not cross the book. Reading one back from a journal: saved-state-parse.ts.
 */
import { InvalidInputError } from "../domain/errors.js";
import type { OrderStatus, OrderType, Side, TimeInForce } from "../domain/order.js";
import { AddResult, BUY, SELL } from "./book/index.js";
import type { Ledger } from "./ledger.js";
import type { OrderRegistry } from "./order-registry.js";
import type { MarginMode, Positions } from "./perp/positions.js";
import type { SimMarket } from "./sim-market.js";
import { remainingLots, type SimOrder } from "./sim-order.js";

export const SAVED_EXCHANGE_VERSION = 1;

/** A saved state that cannot be read, or does not fit the exchange it is loaded into. */
export class SavedStateError extends InvalidInputError {}

export interface SavedOrder {
  num: number;
  clientOrderId: string;
  account: string;
  symbol: string;
  type: OrderType;
  side: Side;
  timeInForce: TimeInForce;
  /** null where the simulator has NaN (no limit price, no stop). */
  priceTicks: number | null;
  stopTicks: number | null;
  amountLots: number;
  filledLots: number;
  costUnits: string;
  notionalTickLots: string;
  feeUnits: string;
  reserved: string;
  status: OrderStatus;
  timestamp: number;
  lastTradeTimestamp: number | null;
  triggered: boolean;
  queueAhead: number;
  /** Contracts only; absent (false) in states saved before contracts. */
  reduceOnly?: boolean;
}

export interface SavedExchange {
  version: typeof SAVED_EXCHANGE_VERSION;
  /** The simulator's clock when saved, epoch ms. */
  time: number;
  /** The scales the amounts below are in. */
  assets: Record<string, number>;
  markets: Record<string, { tickSize: string; lotSize: string }>;
  /** account → asset → [free, locked], minor units. */
  ledger: Record<string, Record<string, [string, string]>>;
  nextOrder: number;
  nextFill: number;
  orders: SavedOrder[];
  /**
   * Positions on contracts, units as integer strings; absent in states saved before contracts.
   * Their margin is part of the account's locked balance, as its open orders' reservations are.
   */
  positions?: SavedPosition[];
  /** Leverage and margin mode each account chose per contract, where not the venue's default. */
  marginSettings?: { account: string; symbol: string; leverage: number; mode: MarginMode }[];
}

export interface SavedPosition {
  account: string;
  symbol: string;
  qty: string;
  entryNotional: string;
  margin: string;
  realizedPnl: string;
  funding: string;
  timestamp: number;
}

/** What of an exchange a save reads and a load writes (an Exchange is one). */
export interface ExchangeParts {
  readonly markets: ReadonlyMap<string, SimMarket>;
  readonly ledger: Ledger;
  readonly registry: OrderRegistry;
  readonly settlement: { nextFillId: number };
  /** Contracts' positions and margin settings (an exchange without contracts has none open). */
  readonly positions?: Positions;
}

const nanToNull = (n: number): number | null => (Number.isNaN(n) ? null : n);
const nullToNan = (n: number | null): number => (n === null ? Number.NaN : n);

export function saveExchange(
  x: ExchangeParts,
  time: number,
  keep: ReadonlySet<string>,
): SavedExchange {
  const assets: Record<string, number> = {};
  for (const asset of x.ledger.assets()) assets[asset] = x.ledger.decimalsOf(asset)!;
  const markets: SavedExchange["markets"] = {};
  for (const [symbol, m] of x.markets) {
    markets[symbol] = { tickSize: m.instrument.spec.tickSize, lotSize: m.instrument.spec.lotSize };
  }
  const ledger: SavedExchange["ledger"] = {};
  for (const [account, holdings] of x.ledger.allHoldings()) {
    const row: Record<string, [string, string]> = {};
    for (const [asset, h] of holdings) row[asset] = [String(h.free), String(h.locked)];
    ledger[account] = row;
  }
  const orders: SavedOrder[] = [];
  for (const o of x.registry.byNumber.values()) {
    if (o.status !== "open" && !keep.has(o.clientOrderId)) continue;
    orders.push({
      num: o.num,
      clientOrderId: o.clientOrderId,
      account: o.account,
      symbol: o.instrument.symbol,
      type: o.type,
      side: o.side,
      timeInForce: o.timeInForce,
      priceTicks: nanToNull(o.priceTicks),
      stopTicks: nanToNull(o.stopTicks),
      amountLots: o.amountLots,
      filledLots: o.filledLots,
      costUnits: String(o.costUnits),
      notionalTickLots: String(o.notionalTickLots),
      feeUnits: String(o.feeUnits),
      reserved: String(o.reserved),
      status: o.status,
      timestamp: o.timestamp,
      lastTradeTimestamp: o.lastTradeTimestamp ?? null,
      triggered: o.triggered,
      queueAhead: o.queueAhead,
      ...(o.reduceOnly ? { reduceOnly: true } : {}),
    });
  }
  const positions = (x.positions?.all() ?? []).map(
    (p): SavedPosition => ({
      account: p.account,
      symbol: p.symbol,
      qty: String(p.qty),
      entryNotional: String(p.entryNotional),
      margin: String(p.margin),
      realizedPnl: String(p.realizedPnl),
      funding: String(p.funding),
      timestamp: p.timestamp,
    }),
  );
  const marginSettings = x.positions?.changedSettings() ?? [];
  return {
    version: SAVED_EXCHANGE_VERSION,
    time,
    assets,
    markets,
    ledger,
    nextOrder: x.registry.nextNumber,
    nextFill: x.settlement.nextFillId,
    orders,
    ...(positions.length === 0 ? {} : { positions }),
    ...(marginSettings.length === 0 ? {} : { marginSettings }),
  };
}

/** Loads `saved` into a fresh exchange: balances, orders back in their books, counters. */
export function loadExchange(x: ExchangeParts, saved: SavedExchange, venue: string): void {
  const refuse = (why: string): never => {
    throw new SavedStateError(`the saved state of ${venue} cannot be loaded: ${why}`);
  };
  if (x.registry.byNumber.size > 0) refuse("the simulator has taken orders already");
  for (const [asset, decimals] of Object.entries(saved.assets)) {
    const here = x.ledger.decimalsOf(asset);
    if (here !== decimals)
      refuse(`asset ${asset} has ${here ?? "no"} decimals here, ${decimals} in the saved state`);
  }
  for (const [symbol, rules] of Object.entries(saved.markets)) {
    const spec = x.markets.get(symbol)?.instrument.spec;
    if (spec === undefined) refuse(`market ${symbol} is not traded here`);
    else if (spec.tickSize !== rules.tickSize || spec.lotSize !== rules.lotSize)
      refuse(
        `market ${symbol} has tick ${spec.tickSize} and lot ${spec.lotSize} here, ${rules.tickSize} and ${rules.lotSize} in the saved state`,
      );
  }
  const holdings = new Map<string, Map<string, { free: bigint; locked: bigint }>>();
  for (const [account, row] of Object.entries(saved.ledger)) {
    const assets = new Map<string, { free: bigint; locked: bigint }>();
    for (const [asset, [free, locked]] of Object.entries(row)) {
      if (saved.assets[asset] === undefined) refuse(`${account} holds undeclared asset ${asset}`);
      assets.set(asset, { free: units(free, refuse), locked: units(locked, refuse) });
    }
    holdings.set(account, assets);
  }
  x.ledger.replace(holdings);

  const reservedBy = new Map<string, bigint>();
  let last = 0;
  for (const s of [...saved.orders].sort((a, b) => a.num - b.num)) {
    const m = x.markets.get(s.symbol) ?? refuse(`order ${s.num} is on unknown market ${s.symbol}`);
    const order: SimOrder = {
      num: s.num,
      clientOrderId: s.clientOrderId,
      account: s.account,
      instrument: m.instrument,
      type: s.type,
      side: s.side,
      timeInForce: s.timeInForce,
      priceTicks: nullToNan(s.priceTicks),
      stopTicks: nullToNan(s.stopTicks),
      amountLots: s.amountLots,
      filledLots: s.filledLots,
      costUnits: units(s.costUnits, refuse),
      notionalTickLots: units(s.notionalTickLots, refuse),
      feeUnits: units(s.feeUnits, refuse),
      reserved: units(s.reserved, refuse),
      reservedAsset:
        s.side === "buy" || m.instrument.contract !== undefined
          ? m.instrument.quote
          : m.instrument.base,
      status: s.status,
      timestamp: s.timestamp,
      lastTradeTimestamp: s.lastTradeTimestamp ?? undefined,
      triggered: s.triggered,
      queueAhead: s.queueAhead,
      reduceOnly: s.reduceOnly === true,
    };
    x.registry.checkNew(order.account, order.clientOrderId);
    x.registry.add(order);
    last = Math.max(last, order.num);
    if (order.status !== "open") continue;
    const key = `${order.account} ${order.reservedAsset}`;
    reservedBy.set(key, (reservedBy.get(key) ?? 0n) + order.reserved);
    rest(m, order, x.registry.owner(order.account), refuse);
  }
  for (const p of saved.positions ?? []) {
    const contract = x.markets.get(p.symbol)?.instrument.contract;
    if (contract === undefined)
      refuse(`position of ${p.account} is on ${p.symbol}, not a contract here`);
    const key = `${p.account} ${contract!.settle}`;
    reservedBy.set(key, (reservedBy.get(key) ?? 0n) + units(p.margin, refuse));
  }
  for (const [account, assets] of holdings) {
    for (const [asset, { locked }] of assets) {
      const reserved = reservedBy.get(`${account} ${asset}`) ?? 0n;
      if (reserved !== locked)
        refuse(
          `${account} has ${locked} ${asset} units locked, its open orders and positions hold ${reserved}`,
        );
    }
  }
  if (saved.positions !== undefined || saved.marginSettings !== undefined) {
    if (x.positions === undefined)
      refuse("it holds positions on contracts, and this simulator has none");
    x.positions!.replace(
      (saved.positions ?? []).map((p) => ({
        account: p.account,
        symbol: p.symbol,
        qty: signedUnits(p.qty, refuse),
        entryNotional: units(p.entryNotional, refuse),
        margin: units(p.margin, refuse),
        realizedPnl: signedUnits(p.realizedPnl, refuse),
        funding: signedUnits(p.funding, refuse),
        timestamp: p.timestamp,
      })),
      saved.marginSettings ?? [],
    );
  }
  x.registry.nextNumber = Math.max(saved.nextOrder, last + 1);
  x.settlement.nextFillId = saved.nextFill;
}

/** An open order back where it waited: the stop book, or resting in the order book. */
function rest(m: SimMarket, o: SimOrder, owner: number, refuse: (why: string) => never): void {
  const side = o.side === "buy" ? BUY : SELL;
  if ((o.type === "stop_market" || o.type === "stop_limit") && !o.triggered) {
    m.stops.add(o.num, side, o.stopTicks);
    return;
  }
  if (Number.isNaN(o.priceTicks)) refuse(`open order ${o.num} has no limit price to rest at`);
  // Post-only: it rests without matching, or is refused if it would cross what is already there.
  const result = m.book.addLimit(o.num, owner, side, o.priceTicks, remainingLots(o), "PO");
  if (result !== AddResult.RESTED) refuse(`open order ${o.num} would cross the book`);
}

function signedUnits(text: string, refuse: (why: string) => never): bigint {
  if (!/^-?(0|[1-9][0-9]*)$/.test(text))
    refuse(`${JSON.stringify(text)} is not a signed count of units`);
  return BigInt(text);
}

function units(text: string, refuse: (why: string) => never): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) refuse(`${JSON.stringify(text)} is not a count of units`);
  return BigInt(text);
}
