import { describe, expect, it } from "vitest";
import { aggregateCandles } from "../../src/sim/ohlcv.js";
import { chunkSpan, decodeChunk, encodeChunk } from "../../src/store/chunk-file.js";
import { resample } from "../../src/store/resample.js";
import { gridFloor, timeframeName } from "../../src/store/series-key.js";
import { columnsOf, HOUR, MIN, series } from "./support.js";

describe("chunk file", () => {
  it("chunk file - encodes a header and six aligned columns, and decodes back without copying", () => {
    const data = series(Date.UTC(2023, 2, 1), 10, MIN);
    const bytes = encodeChunk(data, 2, 5, MIN);
    expect(bytes.length).toBe(64 + 5 * 48);
    expect(Buffer.from(bytes.subarray(0, 8)).toString("latin1")).toBe("CRYPYCDL");
    const chunk = decodeChunk(bytes, "x.bin", MIN);
    expect(chunk.rows).toBe(5);
    expect(chunk.columns.time.buffer).toBe(bytes.buffer);
    expect(columnsOf({ ...chunk.columns } as never)).toEqual(columnsOf(data.slice(2, 7)));
    // same content, same bytes
    expect(Buffer.compare(Buffer.from(bytes), Buffer.from(encodeChunk(data, 2, 5, MIN)))).toBe(0);
  });

  it("chunk file - decodes from an unaligned buffer by copying it", () => {
    const bytes = encodeChunk(series(0, 3, MIN), 0, 3, MIN);
    const shifted = new Uint8Array(bytes.length + 4);
    shifted.set(bytes, 4);
    const chunk = decodeChunk(shifted.subarray(4), "x.bin", MIN);
    expect([...chunk.columns.time]).toEqual([0, MIN, 2 * MIN]);
  });

  it("chunk file - a period per file: a UTC day for seconds, a month for minutes, a year above", () => {
    const t = Date.UTC(2024, 1, 29, 13, 7);
    expect(chunkSpan(t, 1_000)).toEqual({
      file: "2024-02-29.bin",
      start: Date.UTC(2024, 1, 29),
      end: Date.UTC(2024, 2, 1),
    });
    expect(chunkSpan(t, 15 * MIN)).toEqual({
      file: "2024-02.bin",
      start: Date.UTC(2024, 1, 1),
      end: Date.UTC(2024, 2, 1),
    });
    expect(chunkSpan(t, HOUR)).toEqual({
      file: "2024.bin",
      start: Date.UTC(2024, 0, 1),
      end: Date.UTC(2025, 0, 1),
    });
    expect(chunkSpan(Date.UTC(2023, 11, 31, 23, 59), MIN).end).toBe(Date.UTC(2024, 0, 1));
  });
});

describe("grid and resampling", () => {
  it("grid - timeframes have one name, weeks open on Mondays", () => {
    expect(
      [60_000, 3_600_000, 5_400_000, 86_400_000, 604_800_000, 30_000].map(timeframeName),
    ).toEqual(["1m", "1h", "90m", "1d", "1w", "30s"]);
    const week = 604_800_000;
    expect(new Date(gridFloor(Date.UTC(2024, 0, 7, 12), week)).toISOString()).toBe(
      "2024-01-01T00:00:00.000Z",
    );
    expect(gridFloor(Date.UTC(2024, 0, 7, 12, 34), HOUR)).toBe(Date.UTC(2024, 0, 7, 12));
  });

  it("resample - equals aggregateCandles on data with gaps, bucket by bucket", () => {
    const skip = new Set([0, 1, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 40, 59, 60]);
    const data = series(Date.UTC(2023, 2, 1), 200, MIN, skip);
    for (const ms of [5 * MIN, 15 * MIN, HOUR]) {
      const out = resample(data, ms);
      expect(
        out.toCandles().map((c) => [c.timestamp, c.open, c.high, c.low, c.close, c.volume]),
      ).toEqual(aggregateCandles(data, 0, data.length, ms));
    }
  });
});
