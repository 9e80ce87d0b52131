import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { loadCandles, parseCandlesCsv } from "../../../src/sim/data/index.js";

const FIXTURES = new URL("../../fixtures/", import.meta.url).pathname;
const HEADER = "open_time,open,high,low,close,volume";
const KLINE_HEADER =
  "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
const t0 = Date.UTC(2024, 0, 1); // 1704067200000

/** A Binance kline row; `scale` 1000 writes µs. */
const kline = (minute: number, o: number, h: number, l: number, c: number, scale = 1) =>
  [
    (t0 + minute * 60_000) * scale,
    o,
    h,
    l,
    c,
    1.5,
    (t0 + minute * 60_000 + 59_999) * scale + (scale - 1),
    150,
    12,
    0.7,
    70,
    0,
  ].join(",");

const parse = (text: string, intervalMs?: number) =>
  parseCandlesCsv(
    text,
    intervalMs === undefined ? { file: "x.csv" } : { file: "x.csv", intervalMs },
  );

describe("candles CSV", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "crypy-candles-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("candles csv - the recorded BTC/USDT file loads end to end (gzipped fixture)", async () => {
    const series = await loadCandles(join(FIXTURES, "binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz"));
    expect(series.length).toBe(30_240);
    expect(series.intervalMs).toBe(60_000);
    expect(new Date(series.time[0]!).toISOString()).toBe("2023-03-01T00:00:00.000Z");
    expect(new Date(series.time[series.length - 1]!).toISOString()).toBe(
      "2023-03-21T23:59:00.000Z",
    );
    expect(series.at(0)).toEqual({
      timestamp: Date.UTC(2023, 2, 1),
      open: 23140.48,
      high: 23150.77,
      low: 23128.52,
      close: 23142.31,
      volume: 2.131777,
    });
    expect(series.at(-1)).toEqual({
      timestamp: Date.UTC(2023, 2, 21, 23, 59),
      open: 28122.53,
      high: 28123.37,
      low: 28094.85,
      close: 28110.26,
      volume: 0.82091,
    });
  });

  it("candles csv - the recorded BTC/USDC file (the depeg) loads too", async () => {
    const series = await loadCandles(join(FIXTURES, "binanceus-BTCUSDC-1m-2023-03-01_21.csv.gz"));
    expect(series.length).toBe(30_240);
    expect(series.endMs).toBe(Date.UTC(2023, 2, 22));
  });

  it("candles csv - gaps (missing minutes) are kept as gaps", () => {
    const series = parse(
      [
        HEADER,
        "2023-03-01 00:00:00+00:00,10,11,9,10.5,1",
        "2023-03-01 00:01:00+00:00,10.5,11,10,10.8,2",
        // 00:02 missing
        "2023-03-01 00:03:00+00:00,10.8,12,10.7,11.9,0",
        "2023-03-01 00:04:00+00:00,11.9,12,11,11.5,3",
      ].join("\n"),
    );
    expect(series.length).toBe(4);
    expect(series.intervalMs).toBe(60_000); // the most common step, not the gap
    expect([...series.time].map((t) => (t - Date.UTC(2023, 2, 1)) / 60_000)).toEqual([0, 1, 3, 4]);
  });

  it("candles csv - ISO times: T or space, Z or any offset, optional seconds and fractions", () => {
    const series = parse(
      [
        HEADER,
        "2023-03-01T00:00:00Z,1,1,1,1,0",
        "2023-03-01T02:01:00+02:00,1,1,1,1,0", // 00:01Z
        "2023-02-28 19:02:00-05:00,1,1,1,1,0", // 00:02Z, across a day and month
        "2023-03-01 00:03+0000,1,1,1,1,0",
        "2023-03-01T00:04:00.000+00,1,1,1,1,0",
      ].join("\n"),
    );
    expect([...series.time]).toEqual([0, 1, 2, 3, 4].map((m) => Date.UTC(2023, 2, 1, 0, m)));
    const leap = parse(`${HEADER}\n2024-02-29T12:00:00.250Z,1,1,1,1,0`, 1_000);
    expect(leap.time[0]).toBe(Date.parse("2024-02-29T12:00:00.250Z"));
  });

  it("candles csv - epoch ms in the 6-column format, CRLF endings, a BOM and blank lines", () => {
    const text = `\uFEFFtimestamp,open,high,low,close,volume\r\n${t0},1,2,0.5,1.5,3\r\n\r\n${t0 + 300_000},1.5,2,1,1.2,4\r\n\r\n`;
    const series = parse(text);
    expect(series.length).toBe(2);
    expect(series.intervalMs).toBe(300_000);
    expect(series.at(1)).toEqual({
      timestamp: t0 + 300_000,
      open: 1.5,
      high: 2,
      low: 1,
      close: 1.2,
      volume: 4,
    });
  });

  it("candles csv - a Binance kline dump without a header, in ms", () => {
    const series = parse(
      [kline(0, 10, 12, 9, 11), kline(1, 11, 11.5, 10, 10.2), kline(5, 10.2, 10.4, 10, 10.1)].join(
        "\n",
      ),
    );
    expect(series.length).toBe(3);
    expect(series.intervalMs).toBe(60_000); // from close_time, not from the gap
    expect([...series.time]).toEqual([t0, t0 + 60_000, t0 + 300_000]);
    expect(series.at(0)).toEqual({
      timestamp: t0,
      open: 10,
      high: 12,
      low: 9,
      close: 11,
      volume: 1.5,
    });
  });

  it("candles csv - a Binance kline dump with a header, in µs (2025+ spot dumps)", () => {
    const text = [
      KLINE_HEADER,
      kline(0, 10, 12, 9, 11, 1000),
      kline(1, 11, 11.5, 10, 10.2, 1000),
    ].join("\n");
    expect(text).toContain("1704067200000000,");
    const series = parse(text);
    expect(series.intervalMs).toBe(60_000);
    expect([...series.time]).toEqual([t0, t0 + 60_000]);
  });

  it("candles csv - a single kline row knows its interval from close_time", () => {
    const series = parse(kline(0, 10, 12, 9, 11));
    expect(series.length).toBe(1);
    expect(series.intervalMs).toBe(60_000);
  });

  it("candles csv - options.intervalMs wins over inference", () => {
    expect(parse(`${HEADER}\n${t0},1,2,0.5,1.5,3`, 3_600_000).intervalMs).toBe(3_600_000);
  });

  it.each([
    ["an empty file", "", "x.csv: no candles: the file is empty"],
    ["a file of blank lines", "\n\r\n\n", "x.csv: no candles: the file is empty"],
    ["only a header", `${HEADER}\n`, "x.csv: no candles after the header"],
    [
      "one 6-column row without intervalMs",
      `${HEADER}\n${t0},1,2,0.5,1.5,3`,
      "x.csv: cannot infer the candle interval from a single row; pass intervalMs",
    ],
    [
      "an unknown header",
      "open_time,open,hi,low,close,volume\n",
      "x.csv:1: unknown header: column 3 is 'hi', expected 'high'",
    ],
    [
      "a kline header with a wrong close_time",
      "open_time,open,high,low,close,volume,end,a,b,c,d,e\n",
      "x.csv:1: unknown header: column 7 is 'end', expected 'close_time'",
    ],
    [
      "a wrong first column count",
      "open_time,open,high,low,close\n",
      "x.csv:1: expected 6 columns (open_time,open,high,low,close,volume), 7 (Kraken OHLCVT) or 12 (Binance kline), or a header naming time, open, high, low, close and volume; got 5",
    ],
    [
      "a short row",
      `${HEADER}\n${t0},1,2,0.5,1.5,3\n${t0 + 60_000},1,2,0.5,1.5`,
      "x.csv:3: expected 6 columns, got 5",
    ],
    [
      "a long row",
      `${kline(0, 1, 1, 1, 1)}\n${kline(1, 1, 1, 1, 1)},7`,
      "x.csv:2: expected 12 columns, got 13",
    ],
    [
      "a non-number",
      `${HEADER}\n${t0},1,abc,0.5,1.5,3`,
      "x.csv:2: column 'high': expected a number, got 'abc'",
    ],
    [
      "an empty field",
      `${HEADER}\n${t0},1,2,0.5,1.5,`,
      "x.csv:2: column 'volume': expected a number, got ''",
    ],
    [
      "a number with spaces",
      `${HEADER}\n${t0},1, 2,0.5,1.5,3`,
      "x.csv:2: column 'high': expected a number, got ' 2'",
    ],
    [
      "hex",
      `${HEADER}\n${t0},0x10,20,1,1,3`,
      "x.csv:2: column 'open': expected a number, got '0x10'",
    ],
    [
      "Infinity",
      `${HEADER}\n${t0},1,Infinity,0.5,1.5,3`,
      "x.csv:2: column 'high': expected a number, got 'Infinity'",
    ],
    [
      "a bad time",
      `${HEADER}\n2023-13-01 00:00:00+00:00,1,2,0.5,1.5,3`,
      "x.csv:2: column 'open_time': expected an epoch time (s, ms, µs or ns) or an ISO 8601 time with a UTC offset, got '2023-13-01 00:00:00+00:00'",
    ],
    [
      "an ISO time without an offset",
      `${HEADER}\n2023-03-01 00:00:00,1,2,0.5,1.5,3`,
      "x.csv:2: column 'open_time': expected an epoch time (s, ms, µs or ns) or an ISO 8601 time with a UTC offset, got '2023-03-01 00:00:00'",
    ],
    [
      "February 30th",
      `${HEADER}\n2023-02-30T00:00Z,1,2,0.5,1.5,3`,
      "x.csv:2: column 'open_time': expected an epoch time",
    ],
    [
      "high below low",
      `${HEADER}\n${t0},1,0.4,0.5,0.45,3`,
      "x.csv:2: column 'high': 0.4 is below low 0.5",
    ],
    [
      "high below the close",
      `${HEADER}\n${t0},1,1.2,0.5,1.5,3`,
      "x.csv:2: column 'high': 1.2 is below max(open, close) 1.5",
    ],
    [
      "low above the open",
      `${HEADER}\n${t0},1,2,1.1,1.5,3`,
      "x.csv:2: column 'low': 1.1 is above min(open, close) 1",
    ],
    ["a zero low", `${HEADER}\n${t0},0,2,0,1.5,3`, "x.csv:2: column 'low': expected > 0, got 0"],
    [
      "a negative volume",
      `${HEADER}\n${t0},1,2,0.5,1.5,-3`,
      "x.csv:2: column 'volume': expected >= 0, got -3",
    ],
    [
      "times going back",
      `${HEADER}\n${t0},1,2,0.5,1.5,3\n${t0 + 60_000},1,2,0.5,1.5,3\n${t0},1,2,0.5,1.5,3`,
      "x.csv:4: column 'open_time': 2024-01-01T00:00:00.000Z is not after the previous row's 2024-01-01T00:01:00.000Z",
    ],
    [
      "a repeated time",
      `${HEADER}\n${t0},1,2,0.5,1.5,3\n\n${t0},1,2,0.5,1.5,3`,
      "x.csv:4: column 'open_time': 2024-01-01T00:00:00.000Z is not after the previous row's",
    ],
    [
      "overlapping candles",
      `${kline(0, 1, 1, 1, 1)}\n${kline(0.5, 1, 1, 1, 1)}`,
      "x.csv:2: column 'open_time': 2024-01-01T00:00:30.000Z is less than one interval (60000 ms) after the previous row's 2024-01-01T00:00:00.000Z",
    ],
    [
      "a close_time before open_time",
      `${kline(0, 1, 1, 1, 1).replace(/,1704067259999,/, ",5,")}`,
      "x.csv:1: column 'close_time': expected a time at or after open_time, got '5'",
    ],
  ])("candles csv - refuses %s with a one-line error naming where", (_name, text, message) => {
    let error: unknown;
    try {
      parse(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain("\n");
  });

  it("candles csv - refuses a non-positive intervalMs option", () => {
    expect(() => parse(`${HEADER}\n${t0},1,2,0.5,1.5,3`, 0)).toThrow(
      "x.csv: intervalMs must be > 0, got 0",
    );
  });

  it("candles csv - loads plain and gzipped files, naming the path in errors", async () => {
    const text = [KLINE_HEADER, kline(0, 10, 12, 9, 11), kline(1, 11, 11.5, 10, 10.2)].join("\n");
    await writeFile(join(dir, "k.csv"), text);
    await writeFile(join(dir, "k.csv.gz"), gzipSync(text));
    const plain = await loadCandles(join(dir, "k.csv"));
    const gz = await loadCandles(join(dir, "k.csv.gz"));
    expect(gz.toCandles()).toEqual(plain.toCandles());
    expect((await loadCandles(join(dir, "k.csv"), { intervalMs: 30_000 })).intervalMs).toBe(30_000);
    await expect(loadCandles(join(dir, "k.csv"), { intervalMs: 120_000 })).rejects.toThrow(
      "k.csv:3: column 'open_time': 2024-01-01T00:01:00.000Z is less than one interval (120000 ms)",
    );

    await writeFile(join(dir, "bad.csv.gz"), gzipSync(`${HEADER}\n${t0},1,2,0.5,x,3\n`));
    await expect(loadCandles(join(dir, "bad.csv.gz"))).rejects.toThrow(
      `${join(dir, "bad.csv.gz")}:2: column 'close': expected a number, got 'x'`,
    );
    await writeFile(join(dir, "notgz.csv.gz"), text);
    await expect(loadCandles(join(dir, "notgz.csv.gz"))).rejects.toThrow(InvalidInputError);
    await expect(loadCandles(join(dir, "notgz.csv.gz"))).rejects.toThrow("not a valid gzip file");
  });

  it("candles csv - numbers parse exactly as Number() does", () => {
    const values = [
      "0.1",
      "23140.48",
      "2.131777",
      "1e-7",
      "1.5E3",
      "123456789012345678",
      "0.30000000000000004",
      "7.",
    ];
    for (const v of values) {
      const series = parse(`${HEADER}\n${t0},${v},${v},${v},${v},${v}`, 60_000);
      expect(series.open[0]).toBe(Number(v));
    }
  });
});
