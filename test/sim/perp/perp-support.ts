/**
 * A small venue with a spot market and a perpetual on the same hand-written path, so every price
 * is known. At a reference of 100.00 the makers quote asks at 100.10, 100.20, … and bids at 99.90,
 * 99.80, … (spread 20 bps, 10 bps between levels), 1000 USDT of notional per level.
 */
import { expect } from "vitest";
import { buildSimulator } from "../../../src/sim/build.js";
import { parseVenueConfig } from "../../../src/sim/config/index.js";
import { runVirtual } from "../../../src/sim/driver.js";
import { CandleFeed } from "../../../src/sim/feed.js";
import type { SimEvent, Simulator } from "../../../src/sim/simulator.js";
import { VirtualClock } from "../../../src/time/virtual-clock.js";
import { type Bar, MINUTE, seriesOf, T0, type TestSim } from "../exchange-support.js";

export const PERP = "BTC/USDT:USDT";

export const PERP_VENUE = `name: perp
seed: 7
assets:
  BTC: { decimals: 8 }
  USDT: { decimals: 8 }
fees: { maker: "0.0002", taker: "0.0005" }
markets:
  BTC/USDT:
    tickSize: "0.01"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "1000"
    minNotional: "1"
    data: { source: gbm, startPrice: "100", volatility: 0.5 }
  BTC/USDT:USDT:
    tickSize: "0.01"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "1000"
    minNotional: "1"
    index: BTC/USDT
    liquidationFee: "0.0125"
    leverageBrackets:
      - { notionalFloor: "0", notionalCap: "500", maxLeverage: 50, maintMarginRatio: "0.01" }
      - { notionalFloor: "500", notionalCap: "100000", maxLeverage: 10, maintMarginRatio: "0.025" }
derivatives:
  insuranceFund: { USDT: "1000" }
  leverage: 20
  marginMode: cross
accounts:
  alice: { USDT: "1000" }
  bob: { USDT: "1000" }
latency: { fixedMs: 0, jitterMs: 0 }
liquidity:
  spreadBps: 20
  levels: 5
  levelSpacingBps: 10
  levelNotional: "1000"
  depthGrowth: 1
  refreshMs: 60000
  fillRule: through
  inventory: { BTC: "1000", USDT: "1000000" }
`;

export const DELIVERY = "BTC/USDT:USDT-240101";

/** PERP_VENUE with a delivery contract on BTC/USDT too, expiring at 00:40 UTC on T0's day. */
export const DELIVERY_VENUE = PERP_VENUE.replace(
  "derivatives:",
  `  BTC/USDT:USDT-240101:
    type: delivery
    tickSize: "0.01"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "1000"
    minNotional: "1"
    index: BTC/USDT
    expiry: "2024-01-01T00:40:00Z"
    leverageBrackets:
      - { notionalFloor: "0", notionalCap: "100000", maxLeverage: 20, maintMarginRatio: "0.01" }
derivatives:`,
);

/** PERP_VENUE with each `[from, to]` text replaced (each must be there). */
export function perpVenueWith(...replacements: [string, string][]): string {
  let text = PERP_VENUE;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`perp venue has no ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  return text;
}

/** Every market on `bars` (a contract's path is its index's). */
export function makePerpSim(bars: Bar[], yaml = PERP_VENUE): TestSim {
  const config = parseVenueConfig(yaml, { file: "perp.yaml", baseDir: "." });
  const series = seriesOf(bars);
  const feeds = new Map(Object.keys(config.markets).map((s) => [s, new CandleFeed(series)]));
  const clock = new VirtualClock(T0);
  const events: SimEvent[] = [];
  const sim = buildSimulator(config, feeds, { clock, eventLog: (e) => void events.push(e) });
  const advance = (ms: number) => runVirtual(sim, clock, { until: clock.now() + ms });
  const at = (i: number, k: number) =>
    runVirtual(sim, clock, { until: T0 + i * MINUTE + k * (MINUTE / 4) });
  return { sim, clock, events, advance, at };
}

/** USDT in minor units (8 decimals) from a decimal string. */
export const usdt = (text: string): bigint => {
  const [whole, frac = ""] = text.split(".");
  const sign = whole!.startsWith("-") ? -1n : 1n;
  return sign * (BigInt(whole!.replace("-", "")) * 10n ** 8n + BigInt(frac.padEnd(8, "0")));
};

/** Money conserved, nothing negative, every locked unit an open order's or a position's. */
export function checkPerp(sim: Simulator, total: bigint): void {
  const x = sim.exchange;
  expect(x.ledger.total("USDT"), "total USDT").toBe(total);
  for (const account of x.ledger.accounts()) {
    expect(x.ledger.free(account, "USDT") >= 0n, `${account} free`).toBe(true);
    expect(x.ledger.locked(account, "USDT") >= 0n, `${account} locked`).toBe(true);
  }
  for (const account of x.ledger.accounts().filter((a) => !a.startsWith("__"))) {
    let reserved = 0n;
    for (const o of x.orders.values()) {
      if (o.account === account && o.status === "open") reserved += o.reserved;
    }
    for (const p of x.positions.ofAccount(account)) reserved += p.margin;
    expect(x.ledger.locked(account, "USDT"), `${account} locked = reservations + margin`).toBe(
      reserved,
    );
  }
}
