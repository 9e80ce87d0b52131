/**
 * Backtests on a perpetual (venues/sim-perp.yaml's BTC/USDT:USDT) over the real Binance.US BTC/USDT
 * minutes: shorts, funding, liquidation, and the money of the report against the venue's own
 * records. Expected figures are computed here from what the simulator recorded (its fills, its
 * funding rates, its mark candles, its ledger), never from the report being checked.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import type { Fill } from "../../../src/domain/fill.js";
import { parseDecimal } from "../../../src/domain/fixed.js";
import type { OHLCV } from "../../../src/domain/market-data.js";
import { loadVenueConfig } from "../../../src/sim/config/index.js";
import type { VenueConfig } from "../../../src/sim/config/types.js";
import type { CandleSeries } from "../../../src/sim/data/index.js";
import type { Simulator } from "../../../src/sim/simulator.js";
import { type BacktestOptions, runBacktest } from "../../../src/strategy/backtest/runner.js";
import type { BacktestResult } from "../../../src/strategy/backtest/types.js";
import {
  defineStrategy,
  getStrategy,
  resolveParams,
  type Signal,
} from "../../../src/strategy/index.js";
import { loadFixture } from "../strategy-support.js";

const PERP = "BTC/USDT:USDT";
const VENUE_FILE = fileURLToPath(new URL("../../../venues/sim-perp.yaml", import.meta.url));
/** USDT minor units (8 decimals); contracts at the lot's 3, prices at the tick's 1. */
const usdt = (text: string) => parseDecimal(text, 8);
const RATE_ONE = 10n ** 12n;
/** What sim-perp.yaml puts in the ledger besides the account: the makers' and the fund's USDT. */
const HOUSE_USDT = usdt("500000000") + usdt("1000000");

let venue: VenueConfig;
let minutes: CandleSeries;
beforeAll(async () => {
  venue = await loadVenueConfig(VENUE_FILE);
  minutes = await loadFixture();
});

/** What the venue recorded over a run. */
interface Recorded {
  fills: Fill[];
  funding: { time: number; rate: bigint }[];
  marks: OHLCV[];
  liquidations: Simulator["derivatives"]["liquidations"];
  wallet: bigint;
  /** The account's orders: [reduceOnly, side] each. */
  orders: [boolean, string][];
  total: bigint;
  negative: string[];
}

function backtest(
  from: string,
  count: number,
  params: Record<string, string | number>,
  extra: Partial<BacktestOptions>,
): { result: BacktestResult; venue: Recorded } {
  const strategy = getStrategy("sma-long-short");
  const start = minutes.indexAtOrAfter(Date.parse(from));
  let recorded: Recorded | undefined;
  const result = runBacktest({
    strategy,
    params: resolveParams(strategy, params),
    market: PERP,
    candles: minutes.slice(start, start + count),
    venue,
    capital: "10000",
    ...extra,
    inspect: (sim, account) => {
      const ledger = sim.exchange.ledger;
      recorded = {
        fills: sim.myTrades(account, PERP, undefined, 5_000),
        funding: sim.derivatives
          .fundingHistory(PERP, undefined, 5_000)
          .map((h) => ({ time: h.timestamp, rate: parseDecimal(h.fundingRate, 12) })),
        marks: sim.derivatives.markOHLCV(PERP, "1m", undefined, 100_000),
        liquidations: sim.derivatives.liquidations.filter((l) => l.account === account),
        wallet: ledger.free(account, "USDT") + ledger.locked(account, "USDT"),
        orders: [...sim.exchange.orders.values()]
          .filter((o) => o.account === account)
          .map((o) => [o.reduceOnly, o.side]),
        total: ledger.total("USDT"),
        negative: ledger
          .accounts()
          .filter((a) => ledger.free(a, "USDT") < 0n || ledger.locked(a, "USDT") < 0n),
      };
    },
  });
  return { result, venue: recorded! };
}

/** Signed contracts (3 decimals) the account held just before `time`, from its fills. */
function heldBefore(fills: Fill[], time: number): bigint {
  let qty = 0n;
  for (const f of fills) {
    if (f.timestamp >= time) continue;
    const amount = parseDecimal(f.amount, 3);
    qty += f.side === "buy" ? amount : -amount;
  }
  return qty;
}

/** Σ of the trades' exact money, and the sum the report should reconcile with. */
function tradeMoney(result: BacktestResult) {
  let realised = 0n;
  let fees = 0n;
  let funding = 0n;
  for (const t of result.trades) {
    realised += usdt(t.contract!.realisedPnl);
    fees += usdt(t.contract!.fees);
    funding += usdt(t.contract!.funding);
  }
  return { realised, fees, funding };
}

/**
 * Each funding: the position just before it (from the fills) × the mark of that path point (the
 * mark candle of the funding's minute opens with it) × the recorded rate. A short receives a
 * positive rate (rounded down) and pays a negative one (rounded up); a long the reverse.
 */
function expectedFunding(v: Recorded) {
  let paid = 0n;
  let received = 0n;
  let payments = 0;
  for (const { time, rate } of v.funding) {
    const candle = v.marks.find((m) => m[0] >= time)!;
    const qty = heldBefore(v.fills, candle[0]);
    if (qty === 0n) continue;
    payments++;
    const mark = parseDecimal(String(candle[1]), 1);
    const notional = (qty < 0n ? -qty : qty) * mark * 10n ** 4n; // 3 + 1 decimals → 8
    const gets = (qty < 0n ? 1n : -1n) * rate;
    if (gets >= 0n) received += (notional * gets) / RATE_ONE;
    else paid += (notional * -gets + RATE_ONE - 1n) / RATE_ONE;
  }
  return { paid, received, payments };
}

describe("backtest - perpetual", () => {
  it("backtest perpetual - a short strategy through eight fundings: each payment is the recorded rate × the notional at the recorded mark", () => {
    const { result, venue: v } = backtest(
      "2023-03-01T00:00:00Z",
      3 * 1440,
      { fast: 50, slow: 200, sides: "short" },
      { leverage: 3 },
    );
    const c = result.contract!;
    expect(result.trades.length).toBeGreaterThan(2);
    expect(result.trades.every((t) => t.side === "short")).toBe(true);
    // Every 8 h after the start: 08:00, 16:00 and 00:00, over three days.
    expect(v.funding.length).toBe(8);

    const { paid, received, payments } = expectedFunding(v);
    expect(payments).toBeGreaterThanOrEqual(3);
    expect(c.fundingPayments).toBe(payments);
    expect(usdt(c.fundingPaid)).toBe(paid);
    expect(usdt(c.fundingReceived)).toBe(received);
    expect(received + paid).toBeGreaterThan(0n);
    // The trades carry the same funding, each its own.
    expect(tradeMoney(result).funding).toBe(received - paid);
    expect(c.liquidations).toBe(0);
    expect(c.leverage).toBe(3);
    expect(c.marginMode).toBe("cross");
    // Sized at 3 × the free equity: the notional at the mark is about 3 × the equity.
    expect(c.maxLeverageUsed).toBeGreaterThan(2.8);
    expect(c.maxLeverageUsed).toBeLessThan(3.5);
  });

  it("backtest perpetual - long and short: the trades' pnl + funding − fees is the settle balance's change, to the minor unit, and the fees are the fills'", () => {
    const { result, venue: v } = backtest(
      "2023-03-01T00:00:00Z",
      2 * 1440,
      { fast: 50, slow: 200, sides: "both" },
      { leverage: 2 },
    );
    const c = result.contract!;
    expect(new Set(result.trades.map((t) => t.side))).toEqual(new Set(["long", "short"]));
    // Longs pay the positive rate, shorts receive it: both sides of the funding, as recorded.
    const expected = expectedFunding(v);
    expect(usdt(c.fundingPaid)).toBe(expected.paid);
    expect(usdt(c.fundingReceived)).toBe(expected.received);
    expect(expected.paid).toBeGreaterThan(0n);
    expect(expected.received).toBeGreaterThan(0n);
    const { realised, fees, funding } = tradeMoney(result);
    expect(usdt(c.initialBalance)).toBe(usdt("10000"));
    expect(usdt(c.finalBalance)).toBe(v.wallet);
    expect(realised - fees + funding).toBe(v.wallet - usdt("10000"));
    expect(usdt(c.realisedPnl)).toBe(realised);
    expect(usdt(c.fees)).toBe(fees);
    expect(funding).toBe(usdt(c.fundingReceived) - usdt(c.fundingPaid));
    expect(fees).toBe(v.fills.reduce((sum, f) => sum + usdt(f.fee.cost), 0n));
    // Every exit bought or sold back exactly what the entry opened, reduce-only: flat at the end.
    expect(heldBefore(v.fills, Number.POSITIVE_INFINITY)).toBe(0n);
    const expectedOrders = result.trades.flatMap((t) =>
      t.side === "long"
        ? [
            [false, "buy"],
            [true, "sell"],
          ]
        : [
            [false, "sell"],
            [true, "buy"],
          ],
    );
    expect(v.orders).toEqual(expectedOrders);
    expect(v.total).toBe(usdt("10000") + HOUSE_USDT);
    expect(v.negative).toEqual([]);
    // The curve is marked at the mark price: its last point is the final balance.
    expect(result.equity.at(-1)!.equity).toBeCloseTo(Number(c.finalBalance), 6);
  });

  for (const mode of ["isolated", "cross"] as const) {
    it(`backtest perpetual - a ${mode} short at 100x through the rise of 2023-03-13 is liquidated: counted, marked, the loss at most its margin, money conserved`, () => {
      const fraction = mode === "isolated" ? 0.5 : 1;
      const { result, venue: v } = backtest(
        "2023-03-13T06:00:00Z",
        720,
        { fast: 10, slow: 30, sides: "short" },
        { leverage: 100, marginMode: mode, fraction },
      );
      const c = result.contract!;
      const liquidated = result.trades.filter((t) => t.exitReason === "liquidation");
      expect(liquidated.length).toBeGreaterThanOrEqual(1);
      expect(c.liquidations).toBe(liquidated.length);
      expect(v.liquidations.length).toBe(liquidated.length);
      for (const [i, t] of liquidated.entries()) {
        const record = v.liquidations[i]!;
        expect(t.exitTime).toBe(record.time);
        expect(t.exitPrice).toBe(Number(record.bankruptcyPrice));
        expect(t.side).toBe("short");
        expect(Number(record.qty)).toBe(-t.amount);
        // The margin the entry put up: its fills' notional / 100, rounded up.
        const entry = v.fills.filter((f) => f.timestamp === t.entryTime);
        const notional = entry.reduce((sum, f) => sum + usdt(f.cost), 0n);
        const margin = (notional + 99n) / 100n;
        const realised = usdt(t.contract!.realisedPnl);
        expect(realised).toBeLessThan(0n);
        if (mode === "isolated") {
          // Loses its margin (the bankruptcy price is on the tick grid: within one tick of it).
          expect(-realised).toBeLessThanOrEqual(margin);
          expect(-realised).toBeGreaterThan((margin * 99n) / 100n);
          // No liquidation fee beyond the margin: only the entry's trading fee.
          const entryFees = entry.reduce((sum, f) => sum + usdt(f.fee.cost), 0n);
          expect(usdt(t.contract!.fees)).toBe(entryFees);
        }
      }
      if (mode === "isolated") {
        // The rest of the wallet was untouched, and the strategy carried on after it.
        const last = liquidated.at(-1)!;
        expect(result.trades.some((t) => t.entryTime > liquidated[0]!.exitTime)).toBe(true);
        expect(last.exitTime).toBeLessThan(result.to);
        expect(v.wallet).toBeGreaterThan(0n);
      } else {
        // Cross: the wallet is the margin; it cannot go below zero.
        expect(v.wallet).toBeGreaterThanOrEqual(0n);
      }
      const { realised, fees, funding } = tradeMoney(result);
      expect(realised - fees + funding).toBe(v.wallet - usdt("10000"));
      expect(usdt(c.finalBalance)).toBe(v.wallet);
      expect(c.maxLeverageUsed).toBeGreaterThan(mode === "cross" ? 90 : 40);
      expect(v.total).toBe(usdt("10000") + HOUSE_USDT);
      expect(v.negative).toEqual([]);
    });
  }

  it("backtest perpetual - a short's stop loss is above its entry and its take profit below", () => {
    const start = minutes.indexAtOrAfter(Date.parse("2023-03-13T06:00:00Z"));
    const candles = minutes.slice(start, start + 720);
    const shortOnce = (stopPct: number, targetPct: number) =>
      defineStrategy({
        name: "short-once",
        description: "shorts on the first candle with a stop and a target",
        params: {},
        warmup: () => 0,
        create: () => {
          let done = false;
          return {
            onCandle: (c): Signal | undefined => {
              if (done) return undefined;
              done = true;
              return {
                action: "enter",
                side: "short",
                stopLoss: c.close * (1 + stopPct / 100),
                takeProfit: c.close * (1 - targetPct / 100),
              };
            },
          };
        },
      });
    const run = (stopPct: number, targetPct: number) =>
      runBacktest({
        strategy: shortOnce(stopPct, targetPct),
        params: {},
        market: PERP,
        candles,
        venue,
        leverage: 2,
      });
    const first = candles.close[0]!;
    const stopped = run(1, 50).trades;
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.exitReason).toBe("stop-loss");
    // Bought back at the makers' ask once the path reached the stop: at or above it.
    expect(stopped[0]!.exitPrice).toBeGreaterThanOrEqual(first * 1.01 - 1);
    expect(stopped[0]!.pnl).toBeLessThan(0);
    const taken = run(50, 0.2).trades;
    expect(taken).toHaveLength(1);
    expect(taken[0]!.exitReason).toBe("take-profit");
    expect(taken[0]!.exitPrice).toBeLessThanOrEqual(first * 0.998 + 1);
    expect(taken[0]!.contract!.realisedPnl).not.toMatch(/^-/);
  });

  it("backtest perpetual - leverage is the contract's: above the bracket, not whole, or on spot it is refused with the reason", () => {
    const run = (market: string, extra: Partial<BacktestOptions>) => () =>
      runBacktest({
        strategy: getStrategy("sma-long-short"),
        params: resolveParams(getStrategy("sma-long-short"), {}),
        market,
        candles: minutes.slice(0, 100),
        venue,
        ...extra,
      });
    expect(run(PERP, { leverage: 126 })).toThrow(InvalidInputError);
    expect(run(PERP, { leverage: 126 })).toThrow(/leverage 126 on BTC\/USDT:USDT: .*125/);
    expect(run(PERP, { leverage: 2.5 })).toThrow(/whole number/);
    expect(run("BTC/USDT", { leverage: 2 })).toThrow(/contract markets; BTC\/USDT is spot/);
  });
});
