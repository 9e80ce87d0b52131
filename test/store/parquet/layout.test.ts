/** Decimals into Parquet's DECIMAL(38,18): exact or refused, never rounded. */
import { describe, expect, test } from "vitest";
import { openDuck } from "../../../src/store/parquet/duckdb.js";
import { checkDecimal, decimalOf } from "../../../src/store/parquet/layout.js";

describe("parquet layout", () => {
  test("checkDecimal writes decimals in the plain form, or names what does not fit", () => {
    expect(checkDecimal("62000.12", "price", "x")).toBe("62000.12");
    expect(checkDecimal("007.50000000000000000000000", "price", "x")).toBe("7.5");
    expect(checkDecimal("1e-7", "amount", "x")).toBe("0.0000001");
    expect(checkDecimal(".5", "amount", "x")).toBe("0.5");
    expect(checkDecimal("-0.000000000000000001", "amount", "x")).toBe("-0.000000000000000001");
    expect(() => checkDecimal("0.0000000000000000001", "amount", "trades on 2026-11-30")).toThrow(
      "trades on 2026-11-30: column amount: 0.0000000000000000001 does not fit Parquet's DECIMAL(38,18) exactly",
    );
    expect(() => checkDecimal("1.2345678901234567e-7", "amount", "x")).toThrow("does not fit");
    expect(() => checkDecimal("123456789012345678901", "amount", "x")).toThrow("does not fit");
    expect(() => checkDecimal("NaN", "amount", "x")).toThrow("does not fit");
  });

  test("the staged text reads back as the same DECIMAL(38,18) as DuckDB's own cast", async () => {
    const duck = await openDuck();
    try {
      const values = [
        "62000.12",
        "0",
        "7",
        "-0.000000000000000001",
        "99999999999999999999.999999999999999999",
        "0.1",
      ];
      const rows = (
        await duck.connection.runAndReadAll(
          `SELECT ${decimalOf("price")}::VARCHAR AS ours, CAST(price AS DECIMAL(38,18))::VARCHAR AS theirs
           FROM (SELECT unnest([${values.map((v) => `'${v}'`).join(", ")}]) AS price)`,
        )
      ).getRowObjectsJS();
      expect(rows.length).toBe(values.length);
      for (const r of rows) expect(r.ours).toBe(r.theirs);
    } finally {
      duck.close();
    }
  });
});
