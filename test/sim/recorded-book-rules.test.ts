/**
 * RecordedBookLiquidity's rules, on recorded events given by hand: the book at `now` is every event
 * at or before it; a gap empties the book until the next snapshot; prices go onto the tick grid
 * away from the other side and sizes down to whole lots; taken stays taken until the recording
 * names that level again.
 */
import { describe, expect, it } from "vitest";
import { BUY, SELL } from "../../src/sim/book/index.js";
import { Instrument } from "../../src/sim/instrument.js";
import type { Level } from "../../src/sim/liquidity-source.js";
import { RecordedBookLiquidity } from "../../src/sim/recorded-book.js";
import type { BookEvent } from "../../src/store/postgres/read-book.js";

const instrument = new Instrument({
  symbol: "BTC/USDT",
  base: "BTC",
  quote: "USDT",
  baseDecimals: 8,
  quoteDecimals: 8,
  tickSize: "0.1",
  lotSize: "0.01",
  minQty: "0.01",
  maxQty: "1000",
  minNotional: "1",
  makerFee: "0",
  takerFee: "0",
});

const events: BookEvent[] = [
  {
    kind: "snapshot",
    sequence: 10,
    time: 1_000,
    // 100.06 is a bid: down to 100.0; 100.14 an ask: up to 100.2, where it joins 100.2.
    bids: [
      ["100.06", "1.009"],
      ["99.9", "0.005"],
    ],
    asks: [
      ["100.14", "0.5"],
      ["100.2", "0.25"],
    ],
  },
  { kind: "diff", first: 11, last: 12, time: 2_000, bids: [], asks: [["100.2", "0"]] },
  { kind: "gap", after: 12, time: 3_000, reason: "U 15 skipped past 12 + 1" },
  { kind: "snapshot", sequence: 20, time: 4_000, bids: [["99", "1"]], asks: [["101", "2"]] },
];

/** What the exchange's matches report (QuotedLiquidity.withdraw), told directly. */
class Matched extends RecordedBookLiquidity {
  took(side: typeof BUY | typeof SELL, level: Level, lots: number): void {
    this.consume(side, level, lots);
  }
}

const at = (book: RecordedBookLiquidity, side: typeof BUY | typeof SELL, now: number) =>
  book.levels(side, 0, now, Number.NaN, Number.MAX_SAFE_INTEGER).map((l) => [l.price, l.qty]);

describe("sim - recorded book rules", () => {
  it("sim - the book at a time is the events up to it; a gap empties it until the next snapshot", () => {
    const book = new RecordedBookLiquidity(instrument, events);
    expect(at(book, BUY, 999)).toEqual([]);
    // Ticks of 0.1 and lots of 0.01: 1.009 → 100 lots; 0.005 is under a lot and not there.
    expect(at(book, BUY, 1_000)).toEqual([[1000, 100]]);
    expect(at(book, SELL, 1_500)).toEqual([[1002, 75]]);
    // The diff removes the level 100.2 — both recorded prices that met on that tick stay apart:
    // only the one the diff names goes.
    expect(at(book, SELL, 2_000)).toEqual([[1002, 50]]);
    expect(at(book, SELL, 3_000)).toEqual([]);
    expect(at(book, BUY, 3_999)).toEqual([]);
    expect(at(book, BUY, 4_000)).toEqual([[990, 100]]);
    expect(at(book, SELL, 4_000)).toEqual([[1010, 200]]);
  });

  it("sim - what a match took stays taken until the recording names the level again", () => {
    const book = new Matched(instrument, events.slice(0, 2));
    expect(at(book, SELL, 1_000)).toEqual([[1002, 75]]);
    // A match takes 30 lots of the 100.2 level.
    book.took(SELL, book.levels(SELL, 0, 1_000, Number.NaN, 30)[0]!, 30);
    expect(at(book, SELL, 1_500)).toEqual([[1002, 45]]);
    // The diff names 100.2: the level is the recording's again (50 lots from 100.14 alone).
    expect(at(book, SELL, 2_000)).toEqual([[1002, 50]]);
  });
});
