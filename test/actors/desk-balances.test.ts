/**
 * The balance check at a Desk's restart (issue 13): the journal's last balances, plus every fill
 * since (the Desk's own, those found at reconcile, and external orders'), plus deposits and
 * withdrawals, must be what the venue holds. A change nothing explains — a balance changed on the
 * venue while crypy was down — starts the Desk HALTED, naming the asset and both amounts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryDeskJournal } from "../../src/actors/desk/journal/entries.js";
import type { Venue } from "../../src/venues/venue.js";
import { gbmVenue, type LoneDesk, loneDesk } from "./desk-harness.js";

const VENUE = gbmVenue(7);

const TRADER = "sim-main_BTC-USDT";
const MARKET = "BTC/USDT";

let d: LoneDesk | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

const named = (desk: LoneDesk, event: string) => desk.events.filter((e) => e.event === event);

function below(desk: LoneDesk, pct: number): string {
  const bid = Number(desk.simulation.sim.orderBook(MARKET, 1).bids[0]![0]);
  return (Math.floor(bid * (1 - pct / 100) * 100) / 100).toFixed(2);
}

const order = (mandate: unknown, fields: Record<string, unknown>) => ({
  op: "place",
  trader: TRADER,
  mandate,
  market: MARKET,
  ...fields,
});

/** A Desk that traded (a market buy, a resting limit buy), then stopped as a crash leaves it. */
async function tradedThenDown(): Promise<LoneDesk> {
  const desk = await loneDesk(VENUE, { watch: [MARKET], journal: true });
  const mandate = desk.sign({ trader: TRADER, market: MARKET, maxNotional: "5000", nonce: "b1" });
  await desk.order(order(mandate, { side: "buy", type: "market", amount: "0.02" }));
  await desk.order(
    order(mandate, { side: "buy", type: "limit", amount: "0.01", price: below(desk, 20) }),
  );
  await desk.advance(1_000);
  await desk.desk.stop();
  return desk;
}

describe("desk balances - restart", () => {
  it("desk balances - unchanged balances: the Desk starts trading, nothing to explain", async () => {
    d = await tradedThenDown();
    await d.advance(60_000);
    await d.restart();
    expect(d.desk.state).toBe("active");
    expect(named(d, "desk.halted")).toEqual([]);
    expect(named(d, "desk.balances_explained")).toEqual([]);
    expect(named(d, "desk.balances_unchecked")).toEqual([]);
  });

  it("desk balances - a balance changed while down with no record of why: HALTED, naming the asset and both amounts", async () => {
    d = await tradedThenDown();
    const before = d.simulation.sim.balances("main").USDT!.total;
    // Money gone from the account with nothing on record: no fill, no withdrawal.
    d.simulation.sim.exchange.ledger.withdraw("main", "USDT", 12_345_000_000n);
    await d.advance(60_000);
    await d.restart();
    expect(d.desk.state).toBe("halted");
    const reason = String(named(d, "desk.halted").at(-1)?.reason);
    expect(reason).toContain("USDT: the journal expects");
    expect(reason).toContain(`expects ${before} `);
    expect(reason).toContain(`holds ${d.simulation.sim.balances("main").USDT!.total} `);
    expect(reason).toContain("difference of -123.45");
    // The halt is journaled: it stays a halt across another restart, until an operator resumes.
    await d.restart();
    expect(d.desk.state).toBe("halted");
    expect(String(named(d, "desk.halted").at(-1)?.reason)).toMatch(/halted before the restart/);
    await d.command("resume");
    await d.restart();
    expect(d.desk.state).toBe("active");
  });

  it("desk balances - the same change booked as a withdrawal, and a deposit: explained, not halted", async () => {
    d = await tradedThenDown();
    const out = d.simulation.sim.withdraw("main", "USDT", "123.45");
    await d.advance(30_000);
    const into = d.simulation.sim.deposit("main", "BTC", "0.5");
    await d.advance(30_000);
    await d.restart();
    expect(d.desk.state).toBe("active");
    const explained = named(d, "desk.balances_explained").at(-1) as unknown as {
      assets: { asset: string }[];
      movements: { id: string; kind: string; amount: string }[];
    };
    expect(explained.assets.map((a) => a.asset).sort()).toEqual(["BTC", "USDT"]);
    expect(explained.movements).toEqual([
      expect.objectContaining({ id: out.id, kind: "withdrawal", amount: "-123.45" }),
      expect.objectContaining({ id: into.id, kind: "deposit", amount: "0.5" }),
    ]);
  });

  it("desk balances - an external order filled while down: explained by its fills", async () => {
    d = await tradedThenDown();
    d.simulation.sim.placeOrder("main", {
      symbol: MARKET,
      type: "market",
      side: "buy",
      amount: "0.03",
      clientOrderId: "by-hand-1",
    });
    await d.advance(60_000);
    await d.restart();
    expect(d.desk.state).toBe("active");
    const explained = named(d, "desk.balances_explained").at(-1) as unknown as {
      assets: { asset: string; fills: number }[];
      movements: unknown[];
    };
    expect(explained.assets.map((a) => a.asset).sort()).toEqual(["BTC", "USDT"]);
    expect(explained.assets.every((a) => a.fills > 0)).toBe(true);
    expect(explained.movements).toEqual([]);
  });

  it("desk balances - the Desk's own order filled while down (found at reconcile): not a mismatch", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "o1" });
    const placed = await d.order(
      order(mandate, { side: "buy", type: "limit", amount: "0.01", price: below(d, 0.05) }),
    );
    await d.desk.stop();
    await d.advance(6 * 3_600_000);
    expect(d.simulation.sim.order("main", { clientOrderId: placed.clientOrderId }).status).toBe(
      "closed",
    );
    await d.restart();
    expect(named(d, "order.filled").some((e) => e.id === placed.id)).toBe(true);
    expect(d.desk.state).toBe("active");
    expect(named(d, "desk.balances_explained").at(-1)).toBeDefined();
  });

  it("desk balances - a venue that cannot list deposits: an unexplained change halts, saying it cannot tell", async () => {
    const blind = (venue: Venue): Venue =>
      new Proxy(venue, {
        get(target, key, receiver) {
          if (key === "has") return { ...target.has, fetchLedger: false };
          if (key === "fetchLedger") return undefined;
          const value = Reflect.get(target, key, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true, venue: blind });
    await d.desk.stop();
    d.simulation.sim.deposit("main", "USDT", "50");
    await d.advance(60_000);
    await d.restart();
    expect(d.desk.state).toBe("halted");
    expect(String(named(d, "desk.halted").at(-1)?.reason)).toMatch(
      /USDT: .*cannot list deposits and withdrawals, so this cannot be told apart from one/,
    );
  });

  it("desk balances - the journal's balances survive a snapshot of the books", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true, snapshotEvery: 3 });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "5000", nonce: "s1" });
    for (let i = 0; i < 3; i++)
      await d.order(order(mandate, { side: "buy", type: "market", amount: "0.01" }));
    await d.advance(1_000);
    expect(d.journal!.snapshotted?.some((e) => e.kind === "desk.balances")).toBe(true);
    await d.desk.stop();
    // 100 USDT: beyond the default tolerance (0.01 % of the balance).
    d.simulation.sim.exchange.ledger.deposit("main", "USDT", 10_000_000_000n);
    await d.restart();
    expect(d.desk.state).toBe("halted");
    expect(String(named(d, "desk.halted").at(-1)?.reason)).toContain("USDT");
  });

  it("desk balances - a journal with no balances on record: the check says it was skipped", async () => {
    d = await loneDesk(VENUE, { watch: [MARKET], journal: true });
    await d.restart({ journal: new MemoryDeskJournal([{ kind: "desk.revoked", nonce: "none" }]) });
    expect(d.desk.state).toBe("active");
    expect(named(d, "desk.balances_unchecked").at(-1)).toMatchObject({
      reason: expect.stringMatching(/no balances/),
    });
  });
});
