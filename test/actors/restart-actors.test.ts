/**
 * Holders and Traders across a crash (issue 13): a whole system on the real BTC/USDT candles dies
 * without stopping — its bus abandoned, its venue connection closed — and a new one starts on the
 * same venue, Desk journal, actor records and keys. A Trader that held a position takes it up
 * again (no new proposal), watches it with its exits, and its exit's PnL is exactly what the
 * account's USDT moved; its Holder's allocation is as it was; an allocation whose Trader does not
 * come back has its mandate revoked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryDeskJournal } from "../../src/actors/desk/journal/entries.js";
import { KeyRing } from "../../src/actors/identity/key-ring.js";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import { MemoryActorStore } from "../../src/actors/runtime/actor-store.js";
import type { SavedTrader } from "../../src/actors/trader/saved.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control } from "../../src/bus/subjects.js";
import { parseDecimal } from "../../src/domain/fixed.js";
import { asOperator } from "./commands/as-operator.js";
import { startSystem, type TestSystem } from "./support.js";

const TRADER = "sim-main_BTC-USDT";
const HOLDER = "sim-main_USDT";
const units = (text: unknown) => parseDecimal(String(text), 8);
const first = (events: ActorEvent[], name: string, actor = TRADER) =>
  events.find((e) => e.event === name && e.actor === actor);

/** A store that stops taking saves once `refuse` says so: a crash just before a record's write. */
class LaggingStore extends MemoryActorStore {
  refuse: (actor: string) => boolean = () => false;
  override save(actor: string, record: unknown): void {
    if (!this.refuse(actor)) super.save(actor, record);
  }
}

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Two lives of one system: `crash` abandons the first, `boot` starts the next on the same books. */
async function lives(store = new MemoryActorStore()) {
  const keys = KeyRing.inMemory();
  let journal = new MemoryDeskJournal();
  const boot = async (t?: TestSystem) =>
    startSystem(new LocalBus(), {
      keys,
      deskJournal: journal,
      actorStore: store,
      ...(t === undefined ? {} : { simulation: t.simulation }),
    });
  const crash = async (t: TestSystem) => {
    // Nothing stops: the process is gone. Its venue connection goes with it.
    await t.venue.close();
    journal = journal.reopen();
  };
  return { store, boot, crash };
}

const operator = (t: TestSystem, actor: string, command: string, args: string[] = []) =>
  t.settle(t.bus.request(control(actor), asOperator(actor, { command, args })));

describe("restart - Holders and Traders come back", () => {
  it("restart - a Trader in position resumes it: no new proposal, its allocation kept, and its exit's PnL is the account's USDT change", async () => {
    const l = await lives();
    const before = await l.boot();
    await before.run(() => first(before.events, "trader.entered") !== undefined);
    const entered = first(before.events, "trader.entered")!;
    // A person's exits, moved while in position, are part of what comes back.
    const price = Number(entered.price);
    await operator(before, TRADER, "adjust", ["sl", String(Math.floor(price * 0.5))]);
    await operator(before, TRADER, "adjust", ["tp", String(Math.ceil(price * 2))]);
    const record = l.store.load<SavedTrader>(TRADER)!;
    expect(record.state).toBe("inPosition");
    expect(record.trade.exits).toMatchObject({
      stopLoss: Math.floor(price * 0.5),
      takeProfit: Math.ceil(price * 2),
    });
    await l.crash(before);

    const after = await l.boot(before);
    running = after;
    await after.run(() => first(after.events, "trader.resumed") !== undefined, 120_000);
    expect(first(after.events, "trader.resumed")).toMatchObject({
      state: "inPosition",
      holding: entered.amount,
      mandate: record.trade.mandate.nonce,
    });
    expect(first(after.events, "trader.proposed")).toBeUndefined();
    expect(first(after.events, "holder.restored", HOLDER)).toMatchObject({ traders: [TRADER] });
    const capital = await operator(after, HOLDER, "capital");
    expect((capital as { byTrader: Record<string, string> }).byTrader[TRADER]).toBe(
      record.trade.allocation,
    );
    const position = await operator(after, TRADER, "position");
    expect(position).toMatchObject({
      held: entered.amount,
      cost: entered.cost,
      entryPrice: entered.price,
      stopLoss: Math.floor(price * 0.5),
      takeProfit: Math.ceil(price * 2),
      allocation: record.trade.allocation,
    });

    await operator(after, TRADER, "exit");
    await after.run(() => after.outcomes.length > 0, 60_000);
    const [outcome] = after.outcomes;
    expect(outcome!.trades).toBe(1);
    expect(units(after.simulation.sim.balances("main").USDT!.total) - units("10000")).toBe(
      units(outcome!.pnl),
    );
    expect(outcome!.returnPct).toBeCloseTo(Number(outcome!.pnl) / Number(entered.cost), 7);
    // Over: nothing left to resume, and the allocation is free again.
    expect(l.store.load(TRADER)).toBeUndefined();
    expect(l.store.load<{ grants: unknown[] }>(HOLDER)!.grants).toEqual([]);
  });

  it("restart - killed between the entry's fill and the Trader's record, it finds its position at the Desk", async () => {
    const store = new LaggingStore();
    // Every record after the first (accepted, still entering) is lost with the crash.
    store.refuse = (actor) => actor === TRADER && store.records.has(TRADER);
    const l = await lives(store);
    const before = await l.boot();
    await before.run(() => first(before.events, "trader.entered") !== undefined);
    const entered = first(before.events, "trader.entered")!;
    expect(l.store.load<SavedTrader>(TRADER)!.state).toBe("entering");
    await l.crash(before);

    store.refuse = () => false;
    const after = await l.boot(before);
    running = after;
    await after.run(() => first(after.events, "trader.entered") !== undefined, 120_000);
    expect(first(after.events, "trader.resumed")).toMatchObject({
      state: "entering",
      holding: entered.amount,
    });
    expect(first(after.events, "trader.entered")).toMatchObject({ amount: entered.amount });
    expect(l.store.load<SavedTrader>(TRADER)!.state).toBe("inPosition");
    await operator(after, TRADER, "exit");
    await after.run(() => after.outcomes.length > 0, 60_000);
    // What the buys cost came from the Desk's basis: the PnL is still exactly the USDT moved.
    const outcome = after.outcomes[0]!;
    expect(units(after.simulation.sim.balances("main").USDT!.total) - units("10000")).toBe(
      units(outcome.pnl),
    );
    expect(outcome.returnPct).toBeCloseTo(Number(outcome.pnl) / Number(entered.cost), 7);
  });

  it("restart - an allocation whose Trader does not come back has its mandate revoked; a fresh Trader proposes", async () => {
    const l = await lives();
    const before = await l.boot();
    await before.run(() => first(before.events, "trader.entered") !== undefined);
    const nonce = l.store.load<SavedTrader>(TRADER)!.trade.mandate.nonce;
    await l.crash(before);
    l.store.remove(TRADER);

    const after = await l.boot(before);
    running = after;
    await after.run(() => first(after.events, "trader.proposed") !== undefined, 3_600_000);
    expect(first(after.events, "holder.restored", HOLDER)).toMatchObject({ revoked: [nonce] });
    expect(first(after.events, "trader.resumed")).toBeUndefined();
    const mandates = (await operator(after, "sim-main", "mandates")) as { nonce: string }[];
    expect(mandates.find((m) => m.nonce === nonce)).toMatchObject({ revoked: true });
  });
});
