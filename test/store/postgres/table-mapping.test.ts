/** The column mapping of `data import postgres://… --columns`: kinds, fields and levels. */
import { describe, expect, test } from "vitest";
import { parseLevels, parseMapping } from "../../../src/store/postgres/table-import/mapping.js";

describe("table column mapping", () => {
  test("the kind follows from the fields", () => {
    expect(parseMapping({ columns: "time=ts,price=p,amount=q" }).kind).toBe("trades");
    expect(
      parseMapping({ columns: "time=t, open=o, high=h, low=l, close=c, volume=v" }).columns,
    ).toEqual({ time: "t", open: "o", high: "h", low: "l", close: "c", volume: "v" });
    const book = parseMapping({
      columns: "time=ts,bid_price=bp_{i},bid_qty=bq_{i},ask_price=ap_{i},ask_qty=aq_{i}",
      bookLevels: "1-10",
    });
    expect(book.kind).toBe("book");
    expect(book.levels).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(
      parseMapping({ columns: "time=ts,bid_price=bp,bid_qty=bq,ask_price=ap,ask_qty=aq" }).levels,
    ).toBeUndefined();
  });

  test("bad mappings are named", () => {
    expect(() => parseMapping({ columns: "time" })).toThrow('"time" is not field=column');
    expect(() => parseMapping({ columns: "time=a,time=b,price=p,amount=q" })).toThrow(
      "field time is mapped twice",
    );
    expect(() => parseMapping({ columns: "time=a" })).toThrow("the table's kind is unknown");
    expect(() => parseMapping({ columns: "time=a,price=p,amount=q", kind: "ticks" })).toThrow(
      'invalid kind "ticks"',
    );
    expect(() =>
      parseMapping({
        columns: "time=ts,bid_price=bp_{i},bid_qty=bq_{i},ask_price=ap_{i},ask_qty=aq_{i}",
      }),
    ).toThrow("--book-levels is needed");
    expect(() =>
      parseMapping({
        columns: "time=ts,bid_price=bp_{i},bid_qty=bq,ask_price=ap_{i},ask_qty=aq_{i}",
        bookLevels: "10",
      }),
    ).toThrow("bid_qty have no {i}");
    expect(() => parseMapping({ columns: "time=a,price=p,amount=q", bookLevels: "10" })).toThrow(
      "--book-levels applies to book tables only",
    );
    expect(parseLevels("3")).toEqual([0, 1, 2]);
    expect(() => parseLevels("ten")).toThrow("--book-levels: expected a count");
  });
});
