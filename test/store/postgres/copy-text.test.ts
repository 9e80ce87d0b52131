import { describe, expect, it } from "vitest";
import { copyLine, isoTime } from "../../../src/store/postgres/copy-text.js";

describe("isoTime", () => {
  it("writes exactly what Date's toISOString writes, in and out of order", () => {
    const day = 86_400_000;
    const samples = [
      0,
      -1,
      -59_999,
      -60_000,
      999,
      1_000,
      59_999,
      60_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1),
      Date.UTC(1969, 11, 31, 23, 59, 59, 5),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10_000, 0, 1, 0, 0, 7, 70),
      Date.UTC(-1, 5, 6, 7, 8, 9, 10),
    ];
    let seed = 12345;
    for (let i = 0; i < 2_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      samples.push(Date.UTC(2020, 0, 1) + (seed % (400 * day)) - 200 * day);
    }
    for (const ms of samples) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it("refuses what is not a time, as Date does", () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});

describe("copyLine", () => {
  it("escapes backslash, tab, newline and carriage return, and writes null as \\N", () => {
    expect(copyLine(["a\tb", "c\nd\\e\r", null, 5, 7n, ""])).toBe(
      "a\\tb\tc\\nd\\\\e\\r\t\\N\t5\t7\t\n",
    );
  });
});
