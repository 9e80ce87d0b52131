/**
 * A local book from a snapshot and sequenced diffs, by Binance's "How to manage a local order
 * book correctly" (spot: U/u against lastUpdateId; futures: pu chains u). Each case follows a
 * step of those pages; the ids are made up, the rules are theirs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BookDiff, BookSync } from "../../src/domain/book-sync.js";
import { InvalidInputError } from "../../src/domain/errors.js";

const diff = (
  first: number,
  last: number,
  bids: BookDiff["bids"] = [],
  asks: BookDiff["asks"] = [],
  previous?: number,
): BookDiff => ({ first, last, bids, asks, ...(previous === undefined ? {} : { previous }) });

describe("book sync - Binance spot", () => {
  it("book sync - buffered diffs the snapshot holds are dropped, the first kept one brackets lastUpdateId + 1, then U follows u", () => {
    const b = new BookSync("spot");
    expect(b.onDiff(diff(95, 99, [["100", "1"]]))).toEqual({ kind: "buffered" });
    expect(b.onDiff(diff(100, 103, [["100", "2"]], [["101", "5"]]))).toEqual({ kind: "buffered" });
    expect(b.onDiff(diff(104, 106, [["99.5", "3"]]))).toEqual({ kind: "buffered" });
    // Snapshot at 101: [95,99] is in it; [100,103] brackets 102.
    const step = b.onSnapshot({ id: 101, bids: [["100", "9"]], asks: [["101", "4"]] });
    expect(step).toEqual({ kind: "synced", id: 106, applied: 2 });
    expect(b.levels("bids")).toEqual([
      ["100", "2"],
      ["99.5", "3"],
    ]);
    expect(b.levels("asks")).toEqual([["101", "5"]]);
    expect(b.onDiff(diff(107, 107, [["100", "0"]]))).toEqual({ kind: "applied", id: 107 });
    expect(b.levels("bids")).toEqual([["99.5", "3"]]); // quantity 0 removes the level
    expect(b.onDiff(diff(100, 105))).toMatchObject({ kind: "ignored" }); // old: u <= 107
    // Removing a level the book does not hold is normal.
    expect(b.onDiff(diff(108, 108, [], [["150", "0"]]))).toEqual({ kind: "applied", id: 108 });
  });

  it("book sync - a snapshot older than the first buffered U needs another; a skipped update id is a gap", () => {
    const b = new BookSync("spot");
    b.onDiff(diff(200, 210));
    expect(b.onSnapshot({ id: 150, bids: [], asks: [] })).toMatchObject({
      kind: "snapshot-too-old",
    });
    expect(b.synced).toBe(false);
    expect(b.onSnapshot({ id: 205, bids: [["1", "1"]], asks: [] })).toEqual({
      kind: "synced",
      id: 210,
      applied: 1,
    });
    // 211 was never seen: U 213 skips past 210 + 1. The book is dropped until a new snapshot.
    expect(b.onDiff(diff(213, 215))).toEqual({
      kind: "gap",
      why: "U 213 skips past 210 + 1",
    });
    expect(b.synced).toBe(false);
    expect(b.onDiff(diff(216, 220))).toEqual({ kind: "buffered" });
  });

  it("book sync - a gap among the buffered diffs is found when the snapshot joins them", () => {
    const b = new BookSync("spot");
    b.onDiff(diff(10, 12));
    b.onDiff(diff(15, 16)); // 13 and 14 never came
    expect(b.onSnapshot({ id: 11, bids: [], asks: [] })).toEqual({
      kind: "gap",
      why: "U 15 skips past 12 + 1",
    });
  });
});

describe("book sync - Binance futures", () => {
  it("book sync - the first diff brackets lastUpdateId itself, then each pu is the previous u", () => {
    const b = new BookSync("futures");
    b.onDiff(diff(90, 99, [["10", "1"]], [], 89));
    b.onDiff(diff(100, 110, [["10", "2"]], [], 99));
    // u 99 < 100 is dropped; [100,110] brackets 100 (futures: U <= id <= u).
    expect(b.onSnapshot({ id: 100, bids: [], asks: [] })).toEqual({
      kind: "synced",
      id: 110,
      applied: 1,
    });
    expect(b.onDiff(diff(111, 115, [["9", "4"]], [], 110))).toEqual({ kind: "applied", id: 115 });
    expect(b.levels("bids", 1)).toEqual([["10", "2"]]);
    expect(b.onDiff(diff(120, 125, [], [], 118))).toEqual({
      kind: "gap",
      why: "pu 118 is not the last u 115",
    });
  });

  it("book sync - after a snapshot with nothing buffered, the first live diff joins by U <= id <= u, not by pu", () => {
    const b = new BookSync("futures");
    expect(b.onSnapshot({ id: 500, bids: [], asks: [] })).toEqual({
      kind: "synced",
      id: 500,
      applied: 0,
    });
    expect(b.onDiff(diff(490, 499, [], [], 480))).toMatchObject({ kind: "ignored" });
    expect(b.onDiff(diff(495, 505, [["1", "1"]], [], 494))).toEqual({ kind: "applied", id: 505 });
    expect(b.onDiff(diff(506, 507, [], [], 505))).toEqual({ kind: "applied", id: 507 });
  });

  it("book sync - a snapshot between two events joins the next by its pu; an event delivered twice is ignored, no gap", () => {
    const b = new BookSync("futures");
    b.onDiff(diff(101, 110, [["10", "2"]], [], 100));
    expect(b.onSnapshot({ id: 100, bids: [["10", "1"]], asks: [] })).toEqual({
      kind: "synced",
      id: 110,
      applied: 1,
    });
    expect(b.onDiff(diff(101, 110, [["10", "2"]], [], 100))).toMatchObject({ kind: "ignored" });
    expect(b.onDiff(diff(111, 112, [["10", "3"]], [], 110))).toEqual({ kind: "applied", id: 112 });
    expect(b.onDiff(diff(111, 112, [["10", "3"]], [], 110))).toMatchObject({ kind: "ignored" });
    expect(b.levels("bids")).toEqual([["10", "3"]]);
  });
});

describe("book sync - property: a book rebuilt from any snapshot joined to the diffs equals the one kept from the start", () => {
  it("book sync - property: the same book whichever snapshot point and buffering", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            side: fc.constantFrom("bids" as const, "asks" as const),
            price: fc.integer({ min: 1, max: 30 }),
            qty: fc.integer({ min: 0, max: 5 }),
            span: fc.integer({ min: 1, max: 3 }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.nat(),
        (updates, at) => {
          // The exchange's book, and its diffs with consecutive update ids.
          const truth = new BookSync("spot");
          truth.onSnapshot({ id: 0, bids: [], asks: [] });
          const diffs: BookDiff[] = [];
          let id = 0;
          for (const u of updates) {
            const level = [String(u.price), String(u.qty)] as const;
            const d = diff(
              id + 1,
              id + u.span,
              u.side === "bids" ? [level] : [],
              u.side === "asks" ? [level] : [],
            );
            id += u.span;
            diffs.push(d);
            truth.onDiff(d);
          }
          // A follower subscribes from diff k, takes the exchange's snapshot after diff k+j.
          const k = at % diffs.length;
          const follower = new BookSync("spot");
          for (const d of diffs.slice(k)) follower.onDiff(d);
          const snap = new BookSync("spot");
          snap.onSnapshot({ id: 0, bids: [], asks: [] });
          const upTo = k + (at % (diffs.length - k));
          for (const d of diffs.slice(0, upTo + 1)) snap.onDiff(d);
          const step = follower.onSnapshot({
            id: snap.id!,
            bids: snap.levels("bids"),
            asks: snap.levels("asks"),
          });
          expect(step.kind).toBe("synced");
          expect(follower.levels("bids")).toEqual(truth.levels("bids"));
          expect(follower.levels("asks")).toEqual(truth.levels("asks"));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("book sync - a diff with U above u is bad input, named", () => {
    expect(() => new BookSync("spot").onDiff(diff(5, 4))).toThrow(InvalidInputError);
  });
});
