import { describe, expect, it } from "vitest";
import { computeLayout, type Rect } from "../../../src/control/dashboard/layout.js";

const overlaps = (a: Rect, b: Rect) =>
  a.left < b.left + b.width &&
  b.left < a.left + a.width &&
  a.top < b.top + b.height &&
  b.top < a.top + a.height;

describe("dashboard layout", () => {
  for (const [w, h] of [
    [80, 24],
    [120, 40],
    [200, 60],
  ] as const) {
    it(`dashboard - at ${w}x${h} the panels tile the screen without overlapping`, () => {
      const layout = computeLayout(w, h);
      const rects = Object.values(layout);
      for (const r of rects) {
        expect(r.left).toBeGreaterThanOrEqual(0);
        expect(r.top).toBeGreaterThanOrEqual(0);
        expect(r.left + r.width).toBeLessThanOrEqual(w);
        expect(r.top + r.height).toBeLessThanOrEqual(h);
      }
      for (const a of rects) for (const b of rects) if (a !== b) expect(overlaps(a, b)).toBe(false);
      expect(layout.header).toEqual({ left: 0, top: 0, width: w, height: 1 });
      expect(layout.command).toEqual({ left: 0, top: h - 1, width: w, height: 1 });
      // Title, column header and at least a row for every table.
      for (const name of ["markets", "holders", "traders", "orders"] as const) {
        expect(layout[name].height).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it("dashboard - a wider terminal gives the extra width to the chart", () => {
    expect(computeLayout(200, 40).markets.width).toBe(computeLayout(160, 40).markets.width);
    expect(computeLayout(200, 40).chart.width).toBeGreaterThan(computeLayout(160, 40).chart.width);
  });

  it("dashboard - a tiny terminal still gets positive sizes", () => {
    for (const r of Object.values(computeLayout(10, 3))) {
      expect(r.width).toBeGreaterThan(0);
      expect(r.height).toBeGreaterThan(0);
    }
  });
});
