/**
 * A simulator market as ccxt's market structure: spot, or a contract ("swap" for a perpetual,
 * "future" for a delivery contract) with contract size, settle asset, linear and expiry. A
 * delivery contract whose expiry has come is settled and closed: not active.
 */
import { isExpired } from "../../sim/perp/contract-orders.js";
import type { Simulator } from "../../sim/simulator.js";
import type { Market } from "../venue.js";

export function marketView(sim: Simulator, symbol: string): Market {
  const m = sim.market(symbol);
  const inst = m.instrument;
  const s = inst.spec;
  const contract = inst.contract;
  const market: Market = {
    id: `${inst.base}${inst.quote}`,
    symbol,
    base: inst.base,
    quote: inst.quote,
    type: contract === undefined ? "spot" : contract.kind === "perpetual" ? "swap" : "future",
    spot: contract === undefined,
    active: !isExpired(m, sim.clock.now()),
    precision: { price: s.tickSize, amount: s.lotSize },
    limits: { amount: { min: s.minQty, max: s.maxQty }, cost: { min: s.minNotional } },
    maker: s.makerFee,
    taker: s.takerFee,
  };
  if (contract === undefined) return market;
  return {
    ...market,
    // Binance's ids: BTCUSDT for the perpetual, BTCUSDT_250328 for a delivery contract.
    id: `${inst.base}${inst.quote}${contract.expiry === undefined ? "" : `_${symbol.slice(-6)}`}`,
    swap: contract.kind === "perpetual",
    future: contract.kind === "delivery",
    contract: true,
    linear: contract.linear,
    inverse: !contract.linear,
    settle: contract.settle,
    contractSize: s.contractSize ?? "1",
    limits: {
      ...market.limits,
      leverage: { max: Math.max(...contract.brackets.map((b) => b.maxLeverage)) },
    },
    ...(contract.expiry === undefined
      ? {}
      : { expiry: contract.expiry, expiryDatetime: new Date(contract.expiry).toISOString() }),
  };
}
