/**
 * The Desk's journal across a restart (issue 13): a new Desk on the same venue replays what the
 * old one journaled and reconciles with the venue before it trades. Client order ids never repeat;
 * an order left open is the Desk's again, with its reservation; a fill made while the Desk was down
 * is taken in once; an intent the venue never received is released; an order the journal never
 * saw is reported as external and left alone; a halt stays a halt. A journal that cannot write
 * sends nothing and halts the Desk.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryDeskJournal } from "../../src/actors/desk/journal/entries.js";
import { JournalFailedError } from "../../src/domain/errors.js";
import { gbmVenue, type LoneDesk, loneDesk } from "./desk-harness.js";
import { refusal } from "./support.js";

const VENUE = gbmVenue(5);

const TRADER = "sim-main_BTC-USDT";
const MARKET = "BTC/USDT";

let d: LoneDesk | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

const limitBuy = (mandate: unknown, amount: string, price: string) => ({
  op: "place",
  trader: TRADER,
  mandate,
  market: MARKET,
  side: "buy",
  type: "limit",
  amount,
  price,
});

interface Budget {
  nonce: string;
  reserved: string;
  spent: string;
  left: string;
}

async function budget(desk: LoneDesk, nonce: string): Promise<Budget | undefined> {
  return (await desk.command<Budget[]>("mandates")).find((b) => b.nonce === nonce);
}

const named = (desk: LoneDesk, event: string) => desk.events.filter((e) => e.event === event);

/** The best bid now, and a price `pct` percent below it, on the tick grid. */
function below(desk: LoneDesk, pct: number): string {
  const bid = Number(desk.simulation.sim.orderBook(MARKET, 1).bids[0]![0]);
  return (Math.floor(bid * (1 - pct / 100) * 100) / 100).toFixed(2);
}

describe("desk journal - restart", () => {
  it("desk journal - an open order is the Desk's again after a restart, reserved as before; client ids go on", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "r1" });
    const first = await d.order(limitBuy(mandate, "0.01", below(d, 20)));
    expect(first.clientOrderId).toMatch(/^sim-main-BTC-USDT-[0-9a-z]+-1$/);
    const before = await budget(d, "r1");

    await d.restart();
    expect(named(d, "desk.recovered").at(-1)).toMatchObject({ open: 1, lookedUp: 1, lost: 0 });
    expect(await budget(d, "r1")).toEqual(before);
    const open = await d.command<{ clientOrderId: string }[]>("orders");
    expect(open.map((o) => o.clientOrderId)).toEqual([first.clientOrderId]);
    // The next order's id is new: the venue would refuse a reused one as a duplicate.
    const second = await d.order(limitBuy(mandate, "0.01", below(d, 20)));
    expect(second.clientOrderId).toMatch(/^sim-main-BTC-USDT-[0-9a-z]+-2$/);
    expect(d.simulation.sim.openOrders("main")).toHaveLength(2);
  });

  it("desk journal - a fill made while the Desk was down is taken in once and journaled once", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "f1" });
    const placed = await d.order(limitBuy(mandate, "0.01", below(d, 0.05)));
    await d.desk.stop();
    // Down: the market trades through the order at the venue.
    await d.advance(6 * 3_600_000);
    const atVenue = d.simulation.sim.order("main", { clientOrderId: placed.clientOrderId });
    expect(atVenue.status).toBe("closed");

    await d.restart();
    const spent = (await budget(d, "f1"))!;
    expect(spent.reserved).toBe("0");
    expect(Number(spent.spent)).toBeGreaterThan(0);
    expect(named(d, "order.filled").filter((e) => e.id === atVenue.id)).toHaveLength(1);
    const states = d.journal!.entries.filter(
      (e) => e.kind === "desk.order" && e.order.clientOrderId === placed.clientOrderId,
    );
    expect(states.map((e) => (e.kind === "desk.order" ? e.order.status : ""))).toEqual(["closed"]);

    // A second restart finds nothing new: the fill is on record already.
    const journaled = d.journal!.entries.length + d.journal!.recovered.length;
    await d.restart();
    expect(named(d, "order.filled").filter((e) => e.id === atVenue.id)).toHaveLength(1);
    expect(d.journal!.recovered.length).toBe(journaled);
    expect(d.journal!.entries.filter((e) => e.kind === "desk.order")).toEqual([]);
  });

  it("desk journal - an intent the venue never received is released; an order the journal never saw is external", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "l1" });
    await d.order(limitBuy(mandate, "0.01", below(d, 20)));
    const reserved = await budget(d, "l1");
    const journal = d.journal!.reopen();
    // The journal of a run that died after writing an intent and before sending it.
    const intent = journal.recovered.find((e) => e.kind === "desk.intent")!;
    const ghost = { ...intent, clientOrderId: "sim-main-BTC-USDT-7" };
    // And an order placed at the venue by someone else.
    d.simulation.sim.placeOrder("main", {
      symbol: MARKET,
      type: "limit",
      side: "buy",
      amount: "0.001",
      price: below(d, 30),
      clientOrderId: "by-hand-1",
    });
    await d.restart({ journal: new MemoryDeskJournal([...journal.recovered, ghost]) });
    expect(named(d, "desk.recovered").at(-1)).toMatchObject({ lookedUp: 2, lost: 1, external: 1 });
    expect(named(d, "order.external").at(-1)).toMatchObject({ clientOrderId: "by-hand-1" });
    // Only the real order's reservation remains; the ghost's came back.
    expect(await budget(d, "l1")).toEqual(reserved);
    expect(d.journal!.entries.some((e) => e.kind === "desk.lost")).toBe(true);
    // Left alone: still open at the venue.
    expect(d.simulation.sim.order("main", { clientOrderId: "by-hand-1" }).status).toBe("open");
    // Ids go on past the ghost's.
    const next = await d.order(limitBuy(mandate, "0.01", below(d, 20)));
    expect(next.clientOrderId).toMatch(/^sim-main-BTC-USDT-[0-9a-z]+-8$/);
  });

  it("desk journal - a halted Desk restarts halted, saying why", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    await d.command("halt");
    await d.restart();
    expect(d.desk.state).toBe("halted");
    expect(named(d, "desk.halted").at(-1)?.reason).toMatch(
      /halted before the restart \(operator \(operator:test\)\)/,
    );
    const mandate = d.sign({ trader: TRADER, market: MARKET, nonce: "h1" });
    expect((await refusal(d.order(limitBuy(mandate, "0.01", below(d, 20)))))?.message).toMatch(
      /halted/,
    );
  });
});

describe("desk journal - snapshots", () => {
  it("desk journal - a restart from a snapshot and its tail has the books a full replay has", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true, snapshotEvery: 4 });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "5000", nonce: "s1" });
    const market = (side: string, amount: string) => ({
      op: "place",
      trader: TRADER,
      mandate,
      market: MARKET,
      side,
      type: "market",
      amount,
    });
    await d.order(market("buy", "0.02"));
    await d.order(limitBuy(mandate, "0.01", below(d, 20)));
    await d.order(market("sell", "0.005"));
    await d.order(limitBuy(mandate, "0.01", below(d, 25)));
    await d.advance(1_000);
    const journal = d.journal!;
    expect(journal.snapshotted?.[0]?.kind).toBe("desk.books");
    const budgetBefore = await budget(d, "s1");
    const status = await d.command<{ positions: unknown; openOrders: number }>("status");

    await d.restart();
    // Replayed: the snapshot's books and the short tail after them, not every entry.
    expect(d.journal!.recovered.length).toBeLessThan(8);
    expect(d.journal!.recovered[0]?.kind).toBe("desk.books");
    expect(await budget(d, "s1")).toEqual(budgetBefore);
    const after = await d.command<{ positions: unknown; openOrders: number }>("status");
    expect(after.positions).toEqual(status.positions);
    expect(after.openOrders).toBe(2);
    const next = await d.order(limitBuy(mandate, "0.01", below(d, 20)));
    expect(next.clientOrderId).toMatch(/^sim-main-BTC-USDT-[0-9a-z]+-5$/);
  });
});

describe("desk journal - the reply is a report", () => {
  it("desk journal - a filled order's reply comes once its state is journaled and its fill told, even on a slow disk", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    const journal = d.journal!;
    const append = journal.append.bind(journal);
    // A slow disk: each entry takes 30 ms (of the venue's clock, which the test drives: a real
    // timer raced the simulated hour `settle` may run through) to become durable.
    const clock = d.simulation.clock;
    journal.append = async (entry) => {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 30));
      return append(entry);
    };
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "j1" });
    const ask = Number(d.simulation.sim.orderBook(MARKET, 1).asks[0]![0]);
    const placed = await d.order(
      limitBuy(mandate, "0.001", (Math.ceil(ask * 1.01 * 100) / 100).toFixed(2)),
    );
    expect(Number(placed.filled)).toBeGreaterThan(0);
    // A Trader acting on the reply never runs ahead of the Desk's journal or its fill event.
    const states = journal.entries.filter(
      (e) => e.kind === "desk.order" && e.order.clientOrderId === placed.clientOrderId,
    );
    expect(
      states.some(
        (e) => e.kind === "desk.order" && String(e.order.filled) === String(placed.filled),
      ),
    ).toBe(true);
    expect(named(d, "order.filled").map((e) => e.clientOrderId ?? e.id)).toContain(placed.id);
  });
});

describe("desk journal - a journal that cannot write", () => {
  it("desk journal - failing while the Desk recovers, it starts halted, once, saying why", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "x1" });
    await d.order(limitBuy(mandate, "0.01", below(d, 20)));
    const intent = d.journal!.entries.find((e) => e.kind === "desk.intent")!;
    // A ghost intent makes the recovery journal a release, which this journal refuses.
    const broken = new MemoryDeskJournal([
      ...d.journal!.entries,
      { ...intent, clientOrderId: "sim-main-BTC-USDT-9" },
    ]);
    broken.failWith = new Error("EIO: i/o error");
    await d.restart({ journal: broken });
    await d.advance(1_000);
    expect(d.desk.state).toBe("halted");
    const halts = named(d, "desk.halted").filter((e) => /journal failed/.test(String(e.reason)));
    expect(halts).toHaveLength(1);
    expect(halts[0]?.reason).toMatch(/EIO/);
  });

  it("desk journal - the order is refused and not sent, its reservation comes back, the Desk halts", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    d.journal!.failWith = new Error("ENOSPC: no space left on device");
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "e1" });
    const err = await refusal(d.order(limitBuy(mandate, "0.01", below(d, 20))));
    expect(err).toBeInstanceOf(JournalFailedError);
    expect(err?.message).toMatch(
      /could not journal order sim-main-BTC-USDT-[0-9a-z]+-1, so it was not sent/,
    );
    expect(d.simulation.sim.openOrders("main")).toEqual([]);
    expect((await budget(d, "e1"))?.reserved).toBe("0");
    await d.advance(1_000);
    expect(d.desk.state).toBe("halted");
    expect(named(d, "desk.halted").at(-1)?.reason).toMatch(/journal failed: .*ENOSPC/);
  });
});
