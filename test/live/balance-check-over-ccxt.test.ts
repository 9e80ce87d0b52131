/**
 * The restart's balance check on the live path: a Desk on CcxtVenue → ccxt's binance →
 * `crypy venue serve`. A deposit booked on the served account while the Desk was down reaches the
 * Desk through ccxt's `fetchDeposits` (binance's `fetchLedger` covers futures only, so CcxtVenue
 * reads the deposit and withdrawal histories: /sapi/v1/capital/…) and explains the change; the
 * same change with no record halts the Desk.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Desk } from "../../src/actors/desk/desk.js";
import { MemoryDeskJournal } from "../../src/actors/desk/journal/entries.js";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { allActorEvents } from "../../src/bus/subjects.js";
import { createLogger } from "../../src/log/logger.js";
import { WallClock } from "../../src/time/wall-clock.js";
import type { CcxtVenue } from "../../src/venues/ccxt/ccxt-venue.js";
import { waitUntil } from "../support/wait.js";
import { type LiveVenue, liveVenue, named, openCcxt, SYMBOL } from "./harness.js";

let live: LiveVenue;
const opened: CcxtVenue[] = [];

beforeAll(async () => {
  live = await liveVenue({}, { speed: 60 });
});
afterAll(async () => {
  for (const venue of opened) await venue.close();
  await live?.close();
});

/** A Desk started on a fresh CcxtVenue (as a new process would), journaling to `journal`. */
async function startDesk(journal: MemoryDeskJournal, events: ActorEvent[]) {
  const venue = await openCcxt(live);
  opened.push(venue);
  const bus = new LocalBus();
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => void events.push(e));
  const desk = new Desk(
    {
      id: "binance-main",
      venue,
      watch: [SYMBOL],
      risk: {
        maxOrderNotional: "1000",
        maxPositionNotional: "1000",
        maxDailyLoss: "1000",
        maxOrdersPerSecond: 10,
      },
      assetDecimals: { BTC: 8, USDT: 8 },
      cacheCandles: 10,
      journal,
    },
    { bus, clock: new WallClock(), log: createLogger({ level: "silent" }), heartbeatMs: 0 },
  );
  await desk.start();
  return {
    desk,
    venue,
    stop: async () => {
      await desk.stop();
      await bus.close();
    },
  };
}

describe("balance check over ccxt against crypy venue serve", () => {
  it("live path - CcxtVenue lists the served account's deposits and withdrawals as ledger entries", async () => {
    const venue = await openCcxt(live);
    opened.push(venue);
    expect(venue.has.fetchLedger).not.toBe(false);
    const since = Math.floor(live.simulation.sim.clock.now());
    const deposit = live.simulation.sim.deposit("main", "USDT", "25.5");
    const withdrawal = live.simulation.sim.withdraw("main", "USDT", "0.5");
    // A second back: a withdrawal's time is in whole seconds, and ccxt drops one before `since`.
    const entries = await venue.fetchLedger(undefined, since - 1_000);
    // Binance writes a withdrawal's time in whole seconds: it may sort before the deposit.
    expect(entries).toHaveLength(2);
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: deposit.id,
          kind: "deposit",
          currency: "USDT",
          amount: "25.5",
        }),
        expect.objectContaining({
          id: withdrawal.id,
          kind: "withdrawal",
          currency: "USDT",
          amount: "-0.5",
        }),
      ]),
    );
  });

  it("live path - a deposit while the Desk was down is explained through ccxt; an unrecorded change halts", async () => {
    const journal = new MemoryDeskJournal();
    const events: ActorEvent[] = [];
    const first = await startDesk(journal, events);
    await new Promise((r) => setTimeout(r, 300));
    await first.stop();

    const deposit = live.simulation.sim.deposit("main", "USDT", "750");
    await new Promise((r) => setTimeout(r, 200));
    const again = journal.reopen();
    const second = await startDesk(again, events);
    await waitUntil(
      () => named(events, "desk.balances_explained").length > 0,
      "the Desk's explanation",
      5_000,
    );
    expect(second.desk.state).toBe("active");
    expect(named(events, "desk.halted")).toEqual([]);
    expect(named(events, "desk.balances_explained").at(-1)).toMatchObject({
      assets: [expect.objectContaining({ asset: "USDT" })],
      movements: [expect.objectContaining({ id: deposit.id, kind: "deposit", amount: "750" })],
    });
    await second.stop();

    // 750 USDT more, with nothing on record at the server: a balance changed while down.
    live.simulation.sim.exchange.ledger.deposit("main", "USDT", 75_000_000_000n);
    const third = await startDesk(again.reopen(), events);
    expect(third.desk.state).toBe("halted");
    await waitUntil(() => named(events, "desk.halted").length > 0, "the Desk's halt", 5_000);
    expect(String(named(events, "desk.halted").at(-1)?.reason)).toMatch(
      /USDT: the journal expects/,
    );
    await third.stop();
  });
});
