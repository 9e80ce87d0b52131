/**
 * A venue in the Desk's own process comes back with it (issue 13): the simulator's and the paper
 * account's state are journaled in the same durable step as each Desk entry, and a restart builds
 * a fresh venue from the journal's last one before the Desk replays and reconciles. Crashes are
 * made where the order gateway names them: an order state taken in but not durable (the venue
 * filled, the journal never heard), an intent durable but never sent. After each, every order in
 * the journal is at the venue as the journal has it (or lost, and unknown there), the Desk's open
 * orders are the venue's, and the venue's balances are what the journal's fills explain.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type DeskEntry, MemoryDeskJournal } from "../../src/actors/desk/journal/entries.js";
import { OrderNotFoundError } from "../../src/domain/errors.js";
import { parseDecimal } from "../../src/domain/fixed.js";
import type { Order } from "../../src/domain/order.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { createPaperVenue } from "../../src/venues/paper/create.js";
import type { PaperVenue } from "../../src/venues/paper/paper-venue.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";
import { gbmVenue } from "./desk-harness.js";
import { type DeskRun, Principals, savedVenue, startDesk } from "./venue-restart-harness.js";

const VENUE = gbmVenue(11);
const config = parseVenueConfig(VENUE, { file: "venue.yaml", baseDir: "." });
const MARKET = "BTC/USDT";
const TRADER = "sim-main_BTC-USDT";
const SYNTHETIC = { syntheticMs: 3 * 86_400_000 };

const runs: DeskRun[] = [];
afterEach(async () => {
  // A crashed run was stopped by its crash (and waits on a journal that writes nothing more).
  for (const run of runs.splice(0)) if (run.journal.mode === "ok") await run.desk.stop();
});

const buy = (mandate: unknown, type: "limit" | "market", amount: string, price?: string) => ({
  mandate,
  market: MARKET,
  side: "buy",
  type,
  amount,
  ...(price === undefined ? {} : { price }),
});

/** A price `pct` percent below the last trade, on the tick grid. */
function below(simulation: Simulation, pct: number): string {
  const last = Number(simulation.sim.ticker(MARKET).last);
  return (Math.floor(last * (1 - pct / 100) * 100) / 100).toFixed(2);
}

const TERMINAL = ["closed", "canceled", "expired", "rejected"];

/** BTC an order's state holds for the buyer: what filled, less a fee taken in BTC. */
const held = (o: Order | undefined) =>
  o === undefined
    ? 0n
    : parseDecimal(o.filled, 8) - (o.fee?.currency === "BTC" ? parseDecimal(o.fee.cost, 8) : 0n);

/**
 * What the journal says, folded as a replay folds it: per client order id the last state (or
 * that it was lost), and the BTC its fills bought (a snapshot's positions, plus fills after it).
 */
function onRecord(entries: readonly DeskEntry[]) {
  const last = new Map<string, Order | "lost" | undefined>();
  const atBooks = new Map<string, bigint>();
  let base = 0n;
  for (const e of entries) {
    if (e.kind === "desk.books") {
      base = e.positions.reduce((sum, p) => sum + BigInt(p.saved.quantity), 0n);
      last.clear();
      atBooks.clear();
      for (const o of e.open) {
        last.set(o.intent.clientOrderId, o.last);
        atBooks.set(o.intent.clientOrderId, held(o.last));
      }
    } else if (e.kind === "desk.intent") last.set(e.clientOrderId, last.get(e.clientOrderId));
    else if (e.kind === "desk.order" && last.has(e.order.clientOrderId))
      last.set(e.order.clientOrderId, e.order);
    else if (e.kind === "desk.lost") last.set(e.clientOrderId, "lost");
  }
  let bought = base;
  for (const [id, o] of last) if (o !== "lost") bought += held(o) - (atBooks.get(id) ?? 0n);
  return { last, bought };
}

/**
 * The journal and the venue agree: each order the journal has open is at the venue with the same
 * status and fill, and one it ended is there ended alike if the venue still keeps it; a lost one
 * is unknown there; the Desk's open orders are the venue's; the venue's BTC is what the
 * journal's fills bought, less their fees.
 */
async function expectAgreement(
  run: DeskRun,
  memory: MemoryDeskJournal,
  venue: { order(clientOrderId: string): Promise<Order>; open(): Promise<Order[]>; btc(): string },
): Promise<void> {
  const { last, bought } = onRecord([...memory.recovered, ...memory.entries]);
  for (const [clientOrderId, state] of last) {
    const there = await venue.order(clientOrderId).catch((err: unknown) => {
      if (err instanceof OrderNotFoundError) return undefined;
      throw err;
    });
    if (state === "lost" || state === undefined) {
      expect(there, `${clientOrderId} never reached the venue`).toBeUndefined();
    } else if (there !== undefined || !TERMINAL.includes(state.status)) {
      expect({ status: there?.status, filled: there?.filled }, clientOrderId).toEqual({
        status: state.status,
        filled: state.filled,
      });
    }
  }
  const deskOpen = (await run.command<Order[]>("orders")).map((o) => o.clientOrderId).sort();
  expect(deskOpen).toEqual((await venue.open()).map((o) => o.clientOrderId).sort());
  expect(parseDecimal(venue.btc(), 8)).toBe(bought);
}

const simAgreement = (simulation: Simulation) => ({
  order: async (clientOrderId: string) => simulation.sim.order("main", { clientOrderId }),
  open: async () => simulation.sim.openOrders("main"),
  btc: () => simulation.sim.balances("main").BTC!.total,
});

describe("venue state - crypy sim's simulator comes back from the Desk's journal", () => {
  it("venue state - a fill the journal never heard of and an intent never sent: after the crash the simulator is as the journal's last entry left it, and the books equal it", async () => {
    const principals = new Principals();
    const mandate = principals.sign({ trader: TRADER, market: MARKET, nonce: "s1" });
    const a = await createSimulation(config, SYNTHETIC);
    const memory = new MemoryDeskJournal();
    const first = await startDesk({
      simulation: a,
      config,
      venue: a.venue("main"),
      save: (keep) => a.sim.save(keep),
      memory,
      principals,
      watch: [MARKET],
    });
    runs.push(first);
    await first.advance(120_000);
    const far = await first.order(TRADER, buy(mandate, "limit", "0.01", below(a, 20)));
    await first.order(TRADER, buy(mandate, "market", "0.01"));
    const near = await first.order(TRADER, buy(mandate, "limit", "0.01", below(a, 0.05)));
    expect(near.status).toBe("open");
    const before = a.sim.balances("main");

    // The next append is durable and never acknowledged: an intent written, the order not sent.
    first.journal.mode = "keep-one";
    first.send(TRADER, buy(mandate, "limit", "0.01", below(a, 20)));
    // Then the venue fills `near`; nothing more becomes durable.
    await first.advance(6 * 3_600_000);
    expect(a.sim.order("main", { clientOrderId: near.clientOrderId }).status).toBe("closed");
    await first.crash();

    const b = await createSimulation(config, { ...SYNTHETIC, resume: savedVenue(memory) });
    const reopened = memory.reopen();
    const second = await startDesk({
      simulation: b,
      config,
      venue: b.venue("main"),
      save: (keep) => b.sim.save(keep),
      memory: reopened,
      principals,
      watch: [MARKET],
    });
    runs.push(second);
    // As of the last durable entry: `near` open and unfilled, the balances of then.
    expect(b.sim.balances("main")).toEqual(before);
    expect(b.sim.order("main", { clientOrderId: near.clientOrderId })).toMatchObject({
      status: "open",
      filled: "0",
    });
    expect(b.sim.order("main", { clientOrderId: far.clientOrderId }).status).toBe("open");
    expect(second.events.find((e) => e.event === "desk.recovered")).toMatchObject({
      lookedUp: 3,
      lost: 1,
    });
    await expectAgreement(second, reopened, simAgreement(b));

    // It goes on: the replayed market fills `near` again, and order ids are new.
    await second.advance(6 * 3_600_000);
    expect(b.sim.order("main", { clientOrderId: near.clientOrderId }).status).toBe("closed");
    const next = await second.order(TRADER, buy(mandate, "limit", "0.01", below(b, 20)));
    expect(next.clientOrderId).toMatch(/^sim-main-BTC-USDT-[0-9a-z]+-5$/);
    expect(Number(next.id)).toBeGreaterThan(Number(near.id));
    await expectAgreement(second, reopened, simAgreement(b));
  });

  it("venue state - a snapshot of the books carries the simulator's state: snapshot plus tail restore both", async () => {
    const principals = new Principals();
    const mandate = principals.sign({ trader: TRADER, market: MARKET, nonce: "s2" });
    const a = await createSimulation(config, SYNTHETIC);
    const memory = new MemoryDeskJournal();
    const first = await startDesk({
      simulation: a,
      config,
      venue: a.venue("main"),
      save: (keep) => a.sim.save(keep),
      memory,
      principals,
      watch: [MARKET],
      snapshotEvery: 3,
    });
    runs.push(first);
    await first.advance(120_000);
    for (const pct of [20, 0.02, 15, 0.04]) {
      await first.order(TRADER, buy(mandate, "limit", "0.01", below(a, pct)));
      await first.advance(20 * 60_000);
    }
    await first.order(TRADER, buy(mandate, "market", "0.02"));
    const snapshot = memory.snapshotted ?? [];
    expect(snapshot.map((e) => e.kind)).toContain("desk.venue");
    expect(snapshot[0]?.kind).toBe("desk.books");
    await first.crash();

    const b = await createSimulation(config, { ...SYNTHETIC, resume: savedVenue(memory) });
    const reopened = memory.reopen();
    const second = await startDesk({
      simulation: b,
      config,
      venue: b.venue("main"),
      save: (keep) => b.sim.save(keep),
      memory: reopened,
      principals,
      watch: [MARKET],
    });
    runs.push(second);
    expect(b.sim.balances("main")).toEqual(a.sim.balances("main"));
    await expectAgreement(second, reopened, simAgreement(b));
  });
});

describe("venue state - paper mode's account comes back from the Desk's journal", () => {
  it("venue state - paper balances and resting orders survive a crash; the live market goes on and fills them", async () => {
    const principals = new Principals();
    const mandate = principals.sign({ trader: TRADER, market: MARKET, nonce: "p1" });
    // The exchange's live data: it lives outside crypy and goes on through the crash.
    const live = await createSimulation(config, SYNTHETIC);
    await live.run({ until: live.clock.now() + 120_000 });
    const paperOn = (resume?: ReturnType<typeof savedVenue>) =>
      live.settle(
        createPaperVenue({
          data: live.venue("main"),
          balances: { USDT: "50000" },
          clock: live.clock,
          ...(resume === undefined ? {} : { resume }),
        }),
      );
    const paperAgreement = (paper: PaperVenue) => ({
      order: (clientOrderId: string) => paper.fetchOrder("", MARKET, { clientOrderId }),
      open: () => paper.fetchOpenOrders(),
      btc: () => paper.ledger().account.BTC!.total,
    });
    const memory = new MemoryDeskJournal();
    const paper1 = await paperOn();
    const first = await startDesk({
      simulation: live,
      config,
      venue: paper1,
      save: (keep) => paper1.save(keep),
      memory,
      principals,
      watch: [MARKET],
    });
    runs.push(first);
    await first.advance(60_000);
    await first.order(TRADER, buy(mandate, "market", "0.01"));
    await first.order(TRADER, buy(mandate, "limit", "0.01", below(live, 20)));
    const near = await first.order(TRADER, buy(mandate, "limit", "0.01", below(live, 0.05)));
    const balances = paper1.ledger().account;
    await first.crash();
    await paper1.close();

    const paper2 = await paperOn(savedVenue(memory));
    const reopened = memory.reopen();
    const second = await startDesk({
      simulation: live,
      config,
      venue: paper2,
      save: (keep) => paper2.save(keep),
      memory: reopened,
      principals,
      watch: [MARKET],
    });
    runs.push(second);
    expect(paper2.ledger().account).toEqual(balances);
    expect(paper2.ledger().account.USDT!.total).not.toBe("50000");
    await expectAgreement(second, reopened, paperAgreement(paper2));

    await second.advance(6 * 3_600_000);
    expect(
      (await paper2.fetchOrder("", MARKET, { clientOrderId: near.clientOrderId })).status,
    ).toBe("closed");
    await expectAgreement(second, reopened, paperAgreement(paper2));
    await paper2.close();
  });
});
