import { describe, expect, it } from "vitest";
import { parseInstant, parseTimeframe } from "../../src/config/time-text.js";

describe("config time text", () => {
  it("config - instants need a zone and a real calendar date", () => {
    expect(parseInstant("2024-01-01T00:00:00Z")).toBe(Date.UTC(2024, 0, 1));
    expect(parseInstant("2024-01-01")).toBe(Date.UTC(2024, 0, 1));
    expect(parseInstant("2024-02-29T12:30:15.5Z")).toBe(Date.UTC(2024, 1, 29, 12, 30, 15, 500));
    expect(parseInstant("2024-01-01T05:30-04:00")).toBe(Date.UTC(2024, 0, 1, 9, 30));
    for (const bad of [
      "2024-01-01T00:00:00",
      "2023-02-29T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:00:00+24:00",
      "1969-12-31T00:00:00Z",
      "2024-1-1",
    ]) {
      expect(parseInstant(bad), bad).toBeUndefined();
    }
  });

  it("config - timeframes are a count and a unit from seconds to weeks", () => {
    expect(parseTimeframe("1m")).toBe(60_000);
    expect(parseTimeframe("15m")).toBe(900_000);
    expect(parseTimeframe("4h")).toBe(14_400_000);
    expect(parseTimeframe("1w")).toBe(604_800_000);
    for (const bad of ["0m", "1M", "m", "1.5h", "01m"])
      expect(parseTimeframe(bad), bad).toBeUndefined();
  });
});
