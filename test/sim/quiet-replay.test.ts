/**
 * What the simulator tells a backtest, which listens to closes and path points only: each closed
 * candle as its row, after its path; and the fills it makes while no event listener is attached,
 * kept exact and shown, when asked, exactly as an attached listener is told them.
 */
import { describe, expect, it } from "vitest";
import type { Fill } from "../../src/domain/fill.js";
import { buildSimulator } from "../../src/sim/build.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { runVirtual } from "../../src/sim/driver.js";
import { CandleFeed } from "../../src/sim/feed.js";
import type { SimEvent } from "../../src/sim/simulator.js";
import { VirtualClock } from "../../src/time/virtual-clock.js";
import { type Bar, MINUTE, seriesOf, T0, VENUE } from "./exchange-support.js";

const BTC = "BTC/USDT";
const BARS: Bar[] = [
  [100, 101, 99, 100.5],
  [100.5, 100.7, 99.5, 99.8],
  [99.8, 100.2, 99.1, 100],
];

/** A simulator on BARS; with `log`, every event it publishes is pushed there. */
function simOn(log?: SimEvent[]) {
  const config = parseVenueConfig(VENUE, { file: "test.yaml", baseDir: "." });
  const series = seriesOf(BARS);
  const clock = new VirtualClock(T0);
  const sim = buildSimulator(config, new Map([[BTC, new CandleFeed(series)]]), {
    clock,
    ...(log === undefined ? {} : { eventLog: (e: SimEvent) => void log.push(e) }),
  });
  return { sim, clock, series };
}

describe("sim - what a backtest is told", () => {
  it("sim - a close listener gets each candle's row at its close, after its four path points", async () => {
    const { sim, clock, series } = simOn();
    const heard: string[] = [];
    sim.onTick((_symbol, time, price) => heard.push(`tick ${time - T0} ${price}`));
    sim.onClose((symbol, time, candles, i) => {
      expect(candles.close[i]).toBe(series.close[i]);
      heard.push(`close ${symbol} ${time - T0} #${i} ${candles.open[i]}/${candles.close[i]}`);
    });
    await runVirtual(sim, clock, { until: T0 + 3 * MINUTE });
    expect(heard).toEqual([
      "tick 0 100",
      "tick 15000 99",
      "tick 30000 101",
      "tick 45000 100.5",
      "close BTC/USDT 60000 #0 100/100.5",
      "tick 60000 100.5",
      "tick 75000 100.7",
      "tick 90000 99.5",
      "tick 105000 99.8",
      "close BTC/USDT 120000 #1 100.5/99.8",
      "tick 120000 99.8",
      "tick 135000 99.1",
      "tick 150000 100.2",
      "tick 165000 100",
      "close BTC/USDT 180000 #2 99.8/100",
    ]);
  });

  it("sim - fills made with no listener read back as the fills a listener is told", async () => {
    const log: SimEvent[] = [];
    const told = simOn(log);
    const quiet = simOn();
    const trade = async (s: ReturnType<typeof simOn>) => {
      await runVirtual(s.sim, s.clock, { until: T0 + MINUTE + 1 });
      // At 100.50 the makers ask 9.939 BTC at 100.61, then 9.929 at 100.71 (1000 USDT a level),
      // and bid at 100.39: 15 BTC walks two levels, taker fee 0.2% in what is received.
      s.sim.placeOrder("alice", { symbol: BTC, type: "market", side: "buy", amount: "15" });
      s.sim.placeOrder("alice", { symbol: BTC, type: "market", side: "sell", amount: "0.013" });
    };
    await trade(told);
    await trade(quiet);
    const toldFills = log.flatMap((e) => (e.type === "fill" ? [e.fill] : []));
    expect(toldFills.length).toBe(3);
    const fills: Fill[] = quiet.sim.myTrades("alice");
    expect(fills).toEqual(toldFills);
    expect(fills.map((f) => [f.side, f.price, f.amount, f.fee.currency, f.fee.cost])).toEqual([
      ["buy", "100.61", "9.939", "BTC", "0.019878"],
      ["buy", "100.71", "5.061", "BTC", "0.010122"],
      ["sell", "100.39", "0.013", "USDT", "0.00261014"],
    ]);
    // The public tape shows them too, as the listener's trade events did.
    const toldTrades = log.flatMap((e) => (e.type === "trade" ? [e.trade] : []));
    const tape = quiet.sim.trades(BTC).filter((t) => t.id.startsWith("fill-"));
    expect(tape).toEqual(toldTrades);
    expect(tape.map((t) => [t.side, t.price, t.amount])).toEqual([
      ["buy", "100.61", "9.939"],
      ["buy", "100.71", "5.061"],
      ["sell", "100.39", "0.013"],
    ]);
  });
});
