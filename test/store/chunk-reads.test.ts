import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openStore } from "../../src/store/index.js";
import { cleanup, columnsOf, KEY, MIN, series, tempDir } from "./support.js";

// Count the files the store opens: chunk reads go through fs/promises' open.
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return { ...actual, open: vi.fn(actual.open) };
});
const { open } = await import("node:fs/promises");

const opened = () =>
  vi
    .mocked(open)
    .mock.calls.map(([path]) => basename(String(path)))
    .filter((name) => name.endsWith(".bin"));

describe("chunk reads", () => {
  const key = { ...KEY, timeframe: "15m" };
  const start = Date.UTC(2023, 0, 1);
  const data = series(start, 120 * 96, 15 * MIN); // January to April: four monthly chunks
  let dir = "";

  beforeEach(async () => {
    dir = await tempDir();
    openStore(join(dir, "store")).importCandles(data, key);
    vi.mocked(open).mockClear();
  });
  afterEach(async () => {
    await cleanup(dir);
  });

  it("chunk reads - a range read opens only the chunks overlapping the range, once each", async () => {
    const store = openStore(join(dir, "store"));
    await store.read(key, { from: Date.UTC(2023, 1, 10), to: Date.UTC(2023, 1, 12) });
    expect(opened()).toEqual(["2023-02.bin"]);

    vi.mocked(open).mockClear();
    const across = await store.read(key, {
      from: Date.UTC(2023, 1, 27),
      to: Date.UTC(2023, 2, 2),
    });
    expect(opened().sort()).toEqual(["2023-02.bin", "2023-03.bin"]);
    expect(across.startMs).toBe(Date.UTC(2023, 1, 27));
    expect(across.time.at(-1)).toBe(Date.UTC(2023, 2, 2));

    vi.mocked(open).mockClear();
    await store.read(key, { from: Date.UTC(2023, 3, 30, 23, 45) });
    expect(opened()).toEqual(["2023-04.bin"]);

    vi.mocked(open).mockClear();
    expect(columnsOf(await store.read(key))).toEqual(columnsOf(data));
    expect(opened().sort()).toEqual(["2023-01.bin", "2023-02.bin", "2023-03.bin", "2023-04.bin"]);
  });

  it("chunk reads - a resampled range widens to whole buckets, and no further", async () => {
    const store = openStore(join(dir, "store"));
    const daily = await store.read(
      key,
      { from: Date.UTC(2023, 1, 28), to: Date.UTC(2023, 1, 28, 12) },
      "1d",
    );
    expect([...daily.time]).toEqual([Date.UTC(2023, 1, 28)]);
    expect(opened()).toEqual(["2023-02.bin"]); // the day's last candle, 23:45, is still February
  });

  it("chunk reads - list reads the index only", async () => {
    await openStore(join(dir, "store")).list();
    expect(opened()).toEqual([]);
  });
});
