import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import {
  loadTrades,
  parseTradesCsv,
  TAKER_BUY,
  TAKER_SELL,
  TradeSeries,
  tradesToCandles,
} from "../../../src/sim/data/index.js";

const HEADER = "id,price,qty,quote_qty,time,is_buyer_maker,is_best_match";
const t0 = Date.UTC(2024, 0, 1);
const row = (id: number, price: number, qty: number, time: number, buyerMaker: string) =>
  [id, price, qty, price * qty, time, buyerMaker, "True"].join(",");
const parse = (text: string) => parseTradesCsv(text, { file: "t.csv" });

describe("trades CSV", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "crypy-trades-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("trades csv - a spot dump without a header, in ms", () => {
    const trades = parse(
      [
        row(1, 100, 0.5, t0, "True"),
        row(2, 101, 0.25, t0, "False"),
        row(3, 99.5, 2, t0 + 7, "true"),
      ].join("\n"),
    );
    expect(trades.length).toBe(3);
    expect([...trades.id]).toEqual([1, 2, 3]);
    expect([...trades.time]).toEqual([t0, t0, t0 + 7]);
    expect([...trades.price]).toEqual([100, 101, 99.5]);
    expect([...trades.qty]).toEqual([0.5, 0.25, 2]);
    // is_buyer_maker = true: the resting order bought, the taker sold.
    expect([...trades.takerSide]).toEqual([TAKER_SELL, TAKER_BUY, TAKER_SELL]);
  });

  it("trades csv - a spot dump with a header, in µs (2025+)", () => {
    const trades = parse(
      `${HEADER}\r\n${row(10, 100, 1, t0 * 1000 + 1500, "False")}\r\n${row(11, 100, 1, t0 * 1000 + 2500, "False")}\r\n`,
    );
    expect([...trades.time]).toEqual([t0 + 1.5, t0 + 2.5]);
  });

  it("trades csv - the 6-column futures dump (no is_best_match), with a header", () => {
    const text = `id,price,qty,quote_qty,time,is_buyer_maker\n1,100,1,100,${t0},false\n2,100,1,100,${t0 + 1},true\n`;
    expect([...parse(text).takerSide]).toEqual([TAKER_BUY, TAKER_SELL]);
  });

  it.each([
    ["an empty file", "", "t.csv: no trades: the file is empty"],
    ["only a header", `${HEADER}\n`, "t.csv: no trades after the header"],
    [
      "an unknown header",
      "id,price,amount,quote_qty,time,is_buyer_maker,is_best_match\n",
      "t.csv:1: unknown header: column 3 is 'amount', expected 'qty'",
    ],
    [
      "a wrong column count",
      "1,2,3,4,5\n",
      "t.csv:1: expected 7 columns (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match) or 6 (without is_best_match), or Binance aggTrades' 8 (agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match) or 7; got 5",
    ],
    [
      "a row of another width",
      `${row(1, 100, 1, t0, "True")}\n1,100,1,100,${t0},True`,
      "t.csv:2: expected 7 columns, got 6",
    ],
    [
      "a bad price",
      `1,abc,1,100,${t0},True,True`,
      "t.csv:1: column 'price': expected a number, got 'abc'",
    ],
    ["a bad qty", `1,100,,100,${t0},True,True`, "t.csv:1: column 'qty': expected a number, got ''"],
    [
      "a bad id",
      `x1,100,1,100,${t0},True,True`,
      "t.csv:1: unknown header: column 1 is 'x1', expected 'id'",
    ],
    [
      "a bad time",
      `1,100,1,100,soon,True,True`,
      "t.csv:1: column 'time': expected an epoch time (s, ms, µs or ns) or an ISO 8601 time with a UTC offset, got 'soon'",
    ],
    [
      "a bad boolean",
      `1,100,1,100,${t0},yes,True`,
      "t.csv:1: column 'is_buyer_maker': expected true or false, got 'yes'",
    ],
    [
      "a zero price",
      `1,0,1,0,${t0},True,True`,
      "t.csv:1: column 'price': expected a finite number > 0, got 0",
    ],
    [
      "a negative qty",
      `1,100,-1,-100,${t0},True,True`,
      "t.csv:1: column 'qty': expected a finite number > 0, got -1",
    ],
    [
      "time going back",
      `${row(1, 100, 1, t0 + 1, "True")}\n${row(2, 100, 1, t0, "True")}`,
      "t.csv:2: column 'time': 2024-01-01T00:00:00.000Z is before the previous row's 2024-01-01T00:00:00.001Z",
    ],
  ])("trades csv - refuses %s with a one-line error naming where", (_name, text, message) => {
    let error: unknown;
    try {
      parse(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(message);
  });

  it("trades csv - loads plain and gzipped dumps", async () => {
    const text = [HEADER, row(1, 100, 1, t0, "True"), row(2, 100.5, 3, t0 + 10, "False")].join(
      "\n",
    );
    await writeFile(join(dir, "t.csv"), text);
    await writeFile(join(dir, "t.csv.gz"), gzipSync(text));
    const plain = await loadTrades(join(dir, "t.csv"));
    const gz = await loadTrades(join(dir, "t.csv.gz"));
    expect([...gz.price]).toEqual([...plain.price]);
    expect(gz.length).toBe(2);
    await writeFile(join(dir, "bad.csv.gz"), gzipSync(`${HEADER}\n1,100,1,100,${t0},maybe,True\n`));
    await expect(loadTrades(join(dir, "bad.csv.gz"))).rejects.toThrow(
      `${join(dir, "bad.csv.gz")}:2: column 'is_buyer_maker'`,
    );
  });

  it("trades csv - aggregates into candles, skipping intervals without trades", () => {
    const m = 60_000;
    const trades = parse(
      [
        row(1, 100, 1, t0 + 5, "True"),
        row(2, 103, 2, t0 + 20_000, "False"),
        row(3, 99, 1, t0 + 40_000, "True"),
        row(4, 101, 0.5, t0 + 59_999, "False"),
        // minute 1: no trades
        row(5, 102, 1, t0 + 2 * m, "False"),
        row(6, 104, 1, t0 + 3 * m + 1, "False"),
        row(7, 103, 1, t0 + 3 * m + 1, "True"),
      ].join("\n"),
    );
    const candles = tradesToCandles(trades, m);
    expect(candles.intervalMs).toBe(m);
    expect(candles.toCandles()).toEqual([
      { timestamp: t0, open: 100, high: 103, low: 99, close: 101, volume: 4.5 },
      { timestamp: t0 + 2 * m, open: 102, high: 102, low: 102, close: 102, volume: 1 },
      { timestamp: t0 + 3 * m, open: 104, high: 104, low: 103, close: 103, volume: 2 },
    ]);
    expect(tradesToCandles(trades.slice(0, 0), m).length).toBe(0);
    expect(() => tradesToCandles(trades, 0)).toThrow(
      "tradesToCandles: intervalMs must be > 0, got 0",
    );
  });

  it("trades csv - TradeSeries validates columns it is given", () => {
    const one = (v: number) => new Float64Array([v]);
    expect(
      () =>
        new TradeSeries({
          id: one(1),
          time: one(t0),
          price: one(1),
          qty: one(1),
          takerSide: new Uint8Array([2]),
        }),
    ).toThrow("trades: row 0: column 'is_buyer_maker': takerSide must be 0 or 1, got 2");
    expect(
      () =>
        new TradeSeries({
          id: one(1),
          time: one(t0),
          price: one(1),
          qty: new Float64Array(0),
          takerSide: new Uint8Array(1),
        }),
    ).toThrow("trades: column 'qty' has 0 rows, 'time' has 1");
  });
});
