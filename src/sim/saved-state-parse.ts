/**
 * A saved exchange read back from a journal (saved-state.ts), its shape checked field by field:
 * a clear error naming the field rather than a half-loaded simulator.
 */
import { ORDER_STATUSES, ORDER_TYPES, SIDES, TIMES_IN_FORCE } from "../domain/order.js";
import type { MarginMode } from "./perp/positions.js";
import {
  SAVED_EXCHANGE_VERSION,
  type SavedExchange,
  type SavedOrder,
  type SavedPosition,
  SavedStateError,
} from "./saved-state.js";

/**
 * Reads a value from a journal as a saved exchange, checking its shape: a clear error naming the
 * field rather than a half-loaded simulator.
 */
export function parseSavedExchange(value: unknown): SavedExchange {
  const bad = (field: string, what: string): never => {
    throw new SavedStateError(`saved simulator state: '${field}' must be ${what}`);
  };
  const obj = (v: unknown, field: string): Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : bad(field, "an object");
  const int = (v: unknown, field: string): number =>
    Number.isSafeInteger(v) ? (v as number) : bad(field, "an integer");
  const str = (v: unknown, field: string): string =>
    typeof v === "string" ? v : bad(field, "a string");
  const oneOf = <T extends string>(v: unknown, field: string, all: readonly T[]): T =>
    all.includes(v as T) ? (v as T) : bad(field, `one of ${all.join(", ")}`);
  const intOrNull = (v: unknown, field: string) => (v === null ? null : int(v, field));

  const s = obj(value, "state");
  if (s.version !== SAVED_EXCHANGE_VERSION) bad("version", String(SAVED_EXCHANGE_VERSION));
  const assets: Record<string, number> = {};
  for (const [a, d] of Object.entries(obj(s.assets, "assets"))) assets[a] = int(d, `assets.${a}`);
  const markets: SavedExchange["markets"] = {};
  for (const [symbol, r] of Object.entries(obj(s.markets, "markets"))) {
    const rules = obj(r, `markets.${symbol}`);
    markets[symbol] = {
      tickSize: str(rules.tickSize, `markets.${symbol}.tickSize`),
      lotSize: str(rules.lotSize, `markets.${symbol}.lotSize`),
    };
  }
  const ledger: SavedExchange["ledger"] = {};
  for (const [account, row] of Object.entries(obj(s.ledger, "ledger"))) {
    const holdings: Record<string, [string, string]> = {};
    for (const [asset, pair] of Object.entries(obj(row, `ledger.${account}`))) {
      const field = `ledger.${account}.${asset}`;
      if (!Array.isArray(pair) || pair.length !== 2) bad(field, "[free, locked]");
      const [free, locked] = pair as unknown[];
      holdings[asset] = [str(free, field), str(locked, field)];
    }
    ledger[account] = holdings;
  }
  if (!Array.isArray(s.orders)) bad("orders", "an array");
  const orders = (s.orders as unknown[]).map((v, i): SavedOrder => {
    const o = obj(v, `orders[${i}]`);
    const f = (name: string) => `orders[${i}].${name}`;
    return {
      num: int(o.num, f("num")),
      clientOrderId: str(o.clientOrderId, f("clientOrderId")),
      account: str(o.account, f("account")),
      symbol: str(o.symbol, f("symbol")),
      type: oneOf(o.type, f("type"), ORDER_TYPES),
      side: oneOf(o.side, f("side"), SIDES),
      timeInForce: oneOf(o.timeInForce, f("timeInForce"), TIMES_IN_FORCE),
      priceTicks: intOrNull(o.priceTicks, f("priceTicks")),
      stopTicks: intOrNull(o.stopTicks, f("stopTicks")),
      amountLots: int(o.amountLots, f("amountLots")),
      filledLots: int(o.filledLots, f("filledLots")),
      costUnits: str(o.costUnits, f("costUnits")),
      notionalTickLots: str(o.notionalTickLots, f("notionalTickLots")),
      feeUnits: str(o.feeUnits, f("feeUnits")),
      reserved: str(o.reserved, f("reserved")),
      status: oneOf(o.status, f("status"), ORDER_STATUSES),
      timestamp: int(o.timestamp, f("timestamp")),
      lastTradeTimestamp: intOrNull(o.lastTradeTimestamp, f("lastTradeTimestamp")),
      triggered: o.triggered === true,
      queueAhead:
        typeof o.queueAhead === "number" ? o.queueAhead : bad(f("queueAhead"), "a number"),
      ...(o.reduceOnly === true ? { reduceOnly: true } : {}),
    };
  });
  const list = (v: unknown, field: string): unknown[] =>
    v === undefined ? [] : Array.isArray(v) ? v : bad(field, "an array");
  const positions = list(s.positions, "positions").map((v, i): SavedPosition => {
    const p = obj(v, `positions[${i}]`);
    const f = (name: string) => `positions[${i}].${name}`;
    return {
      account: str(p.account, f("account")),
      symbol: str(p.symbol, f("symbol")),
      qty: str(p.qty, f("qty")),
      entryNotional: str(p.entryNotional, f("entryNotional")),
      margin: str(p.margin, f("margin")),
      realizedPnl: str(p.realizedPnl, f("realizedPnl")),
      funding: str(p.funding, f("funding")),
      timestamp: int(p.timestamp, f("timestamp")),
    };
  });
  const marginSettings = list(s.marginSettings, "marginSettings").map((v, i) => {
    const m = obj(v, `marginSettings[${i}]`);
    const f = (name: string) => `marginSettings[${i}].${name}`;
    return {
      account: str(m.account, f("account")),
      symbol: str(m.symbol, f("symbol")),
      leverage: int(m.leverage, f("leverage")),
      mode: oneOf(m.mode, f("mode"), MARGIN_MODES),
    };
  });
  return {
    version: SAVED_EXCHANGE_VERSION,
    time: int(s.time, "time"),
    assets,
    markets,
    ledger,
    nextOrder: int(s.nextOrder, "nextOrder"),
    nextFill: int(s.nextFill, "nextFill"),
    orders,
    ...(positions.length === 0 ? {} : { positions }),
    ...(marginSettings.length === 0 ? {} : { marginSettings }),
  };
}

const MARGIN_MODES: readonly MarginMode[] = ["cross", "isolated"];
