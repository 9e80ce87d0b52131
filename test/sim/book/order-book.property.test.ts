/**
 * Random operation sequences run on the OrderBook and on ReferenceBook must agree on every result,
 * filled quantity, fill, STP expiry and resting order (in priority order), and on the aggregated
 * depth and the crossing walk. Along the way the book must stay uncrossed, fill makers in
 * price-time order at their own price, and conserve every order's quantity.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AddResult,
  BUY,
  NO_STP_OWNER,
  OrderBook,
  type RestingOrder,
  SELL,
  type Side,
  STP_MODES,
  type StpMode,
  type TimeInForce,
} from "../../../src/sim/book/index.js";
import { type BookEvent, Recorder, ReferenceBook, type RefOutcome } from "./reference-book.js";

type Op =
  | { kind: "limit"; owner: number; side: Side; price: number; qty: number; tif: TimeInForce }
  | { kind: "market"; owner: number; side: Side; qty: number; protection: number | undefined }
  | { kind: "cancel"; pick: number }
  | {
      kind: "amend";
      pick: number;
      price: number | undefined;
      qty: number | { delta: number };
      postOnly: boolean;
    };

const owner = fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant(NO_STP_OWNER));
const side = fc.constantFrom<Side>(BUY, SELL);
const qty = fc.integer({ min: 1, max: 8 });
const pick = fc.nat({ max: 1_000 });
const tif = fc.constantFrom<TimeInForce>("GTC", "GTC", "IOC", "FOK", "PO");

/**
 * Operations where buys are priced in `buys` and sells in `sells`. An amend's price and quantity
 * are often relative to the order's own (undefined price = keep it; a delta in -3..1 on what is
 * open), so the keep-priority and no-op cases come up.
 */
function operations(buys: [number, number], sells: [number, number]) {
  const anyPrice = fc.integer({
    min: Math.min(buys[0], sells[0]),
    max: Math.max(buys[1], sells[1]),
  });
  const priced = <T>(f: (s: Side, p: fc.Arbitrary<number>) => fc.Arbitrary<T>) =>
    side.chain((s) => {
      const [min, max] = s === BUY ? buys : sells;
      return f(s, fc.integer({ min, max }));
    });
  const limit = priced((s, price) =>
    fc.record({
      kind: fc.constant("limit" as const),
      owner,
      side: fc.constant(s),
      price,
      qty,
      tif,
    }),
  );
  const market = priced((s, price) =>
    fc.record({
      kind: fc.constant("market" as const),
      owner,
      side: fc.constant(s),
      qty: fc.integer({ min: 1, max: 20 }),
      protection: fc.option(price, { nil: undefined }),
    }),
  );
  const cancel = fc.record({ kind: fc.constant("cancel" as const), pick });
  const amend = fc.record({
    kind: fc.constant("amend" as const),
    pick,
    price: fc.option(anyPrice, { nil: undefined }),
    qty: fc.oneof(
      qty,
      fc.integer({ min: -3, max: 1 }).map((delta) => ({ delta })),
    ),
    postOnly: fc.boolean(),
  });
  return { limit, market, cancel, amend };
}

const near = operations([95, 105], [95, 105]);
const nearTouch: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: near.limit },
    { weight: 1, arbitrary: near.market },
    { weight: 2, arbitrary: near.cancel },
    { weight: 2, arbitrary: near.amend },
  ),
  { minLength: 1, maxLength: 200, size: "max" },
);
/** Buys and sells overlap only in 140..160, so both sides grow many levels. */
const deep = operations([0, 160], [140, 300]);
const deepBook: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 12, arbitrary: deep.limit },
    { weight: 1, arbitrary: deep.market },
    { weight: 2, arbitrary: deep.cancel },
    { weight: 2, arbitrary: deep.amend },
  ),
  { minLength: 1, maxLength: 200, size: "max" },
);

/** An order's quantity as seen from outside: asked = filled + open + gone, always. */
interface Ledger {
  asked: number;
  filled: number;
  gone: number;
}

/** Where an order stands in its queue: its price and when it last (re)joined. */
interface Priority {
  price: number;
  time: number;
}

/** toEqual, after a cheap check: the per-step comparisons dominate the run time. */
function same(got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
}

/** The most levels one side reached, across all runs: shows the deep property goes deep. */
let levels = 0;

function aggregate(orders: RestingOrder[], s: Side): Array<[number, number]> {
  const levels: Array<[number, number]> = [];
  for (const o of orders) {
    if (o.side !== s) continue;
    const last = levels[levels.length - 1];
    if (last !== undefined && last[0] === o.price) last[1] += o.remaining;
    else levels.push([o.price, o.remaining]);
  }
  return levels;
}

function run(stp: StpMode, ops: Op[]): void {
  const rec = new Recorder();
  const book = new OrderBook(rec, { stp });
  const ref = new ReferenceBook(stp);
  const ledgers = new Map<number, Ledger>();
  const priority = new Map<number, Priority>();
  const ids: number[] = [];
  let clock = 0;

  const agree = (got: AddResult | -1, want: RefOutcome | -1) => {
    if (want === -1) return expect(got).toBe(-1);
    expect(got).toBe(want.result);
    expect(book.lastFilledQty).toBe(want.filled);
    expect(rec.events).toEqual(want.events);
  };

  /** Books what one taker did: its fills and STP expiries, and where its remainder went. */
  const settle = (taker: number, takerSide: Side, asked: number, keepsPriority: boolean) => {
    const events: BookEvent[] = rec.events;
    let last: Priority | undefined;
    for (const e of events) {
      const maker = priority.get(e[1])!;
      if (last !== undefined) {
        const better = takerSide === BUY ? last.price < maker.price : last.price > maker.price;
        expect(better || (last.price === maker.price && last.time < maker.time)).toBe(true);
      }
      last = maker;
      if (e[0] === "expired") {
        ledgers.get(e[1])!.gone += e[2];
        continue;
      }
      const [, makerId, takerId, fillPrice, q] = e;
      expect(takerId).toBe(taker);
      expect(fillPrice).toBe(maker.price);
      ledgers.get(makerId)!.filled += q;
      ledgers.get(taker)!.filled += q;
    }
    const open = Math.max(book.remainingOf(taker), 0);
    ledgers.get(taker)!.gone += asked - book.lastFilledQty - open;
    if (open > 0 && !keepsPriority)
      priority.set(taker, { price: book.get(taker)!.price, time: clock++ });
  };

  for (const o of ops) {
    rec.events = [];
    if (o.kind === "limit" || o.kind === "market") {
      const id = ids.length + 1;
      ids.push(id);
      ledgers.set(id, { asked: o.qty, filled: 0, gone: 0 });
      if (o.kind === "limit") {
        const got = book.addLimit(id, o.owner, o.side, o.price, o.qty, o.tif);
        agree(got, ref.addLimit(id, o.owner, o.side, o.price, o.qty, o.tif));
        expect(book.has(id)).toBe(got === AddResult.RESTED);
      } else {
        const got = book.addMarket(id, o.owner, o.side, o.qty, o.protection);
        agree(got, ref.addMarket(id, o.owner, o.side, o.qty, o.protection));
        expect(book.has(id)).toBe(false);
      }
      settle(id, o.side, o.qty, false);
    } else if (o.kind === "cancel") {
      const id = ids.length === 0 ? 0 : ids[o.pick % ids.length]!;
      const got = book.cancel(id);
      expect(got).toBe(ref.cancel(id));
      if (got >= 0) ledgers.get(id)!.gone += got;
    } else {
      const id = ids.length === 0 ? 0 : ids[o.pick % ids.length]!;
      const before = book.get(id);
      const newPrice = o.price ?? before?.price ?? 100;
      const newQty =
        typeof o.qty === "number" ? o.qty : Math.max(1, (before?.remaining ?? 1) + o.qty.delta);
      const got = book.amend(id, newPrice, newQty, o.postOnly);
      agree(got, ref.amend(id, newPrice, newQty, o.postOnly));
      if (before !== undefined && got !== AddResult.REJECTED_POST_ONLY) {
        // An amend takes back what was open and asks for the new quantity.
        ledgers.get(id)!.gone += before.remaining;
        ledgers.get(id)!.asked += newQty;
        const keeps = newPrice === before.price && newQty <= before.remaining;
        settle(id, before.side, newQty, keeps);
      }
    }

    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (!Number.isNaN(bid) && !Number.isNaN(ask)) expect(bid).toBeLessThan(ask);
    const resting = ref.orders();
    same([...book.orders()], resting);
    expect(book.size).toBe(resting.length);
    same(book.depth(BUY, 1_000), aggregate(resting, BUY));
    same(book.depth(SELL, 1_000), aggregate(resting, SELL));
    const walked: number[][] = [];
    book.forEachCrossing(BUY, Number.MAX_SAFE_INTEGER, (p, q, w) => walked.push([p, q, w]) > 0);
    book.forEachCrossing(SELL, Number.MIN_SAFE_INTEGER, (p, q, w) => walked.push([p, q, w]) > 0);
    const asks = resting.filter((r) => r.side === SELL);
    const bids = resting.filter((r) => r.side === BUY);
    same(
      walked,
      [...asks, ...bids].map((r) => [r.price, r.remaining, r.owner]),
    );
    levels = Math.max(levels, book.depth(BUY, 1_000).length, book.depth(SELL, 1_000).length);
  }

  for (const [id, l] of ledgers) {
    const open = Math.max(book.remainingOf(id), 0);
    expect(l.filled + open + l.gone, `order ${id}`).toBe(l.asked);
  }
}

describe("book - property: agrees with the reference model", () => {
  it("book - near the touch: same results, fills and resting orders", () => {
    fc.assert(
      fc.property(fc.constantFrom(...STP_MODES), nearTouch, (stp, ops) => run(stp, ops)),
      { numRuns: 300 },
    );
  });

  it("book - a deep book of many levels: same results, fills and resting orders", () => {
    levels = 0;
    fc.assert(
      fc.property(fc.constantFrom(...STP_MODES), deepBook, (stp, ops) => run(stp, ops)),
      { numRuns: 100 },
    );
    // Deep enough that levels are found and dropped by binary search, not only near the touch.
    expect(levels).toBeGreaterThan(20);
  });
});
