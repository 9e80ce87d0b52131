/** Every series in a store, found by walking its directories and read from their indexes alone. */

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { parseTimeframe } from "../domain/timeframe.js";
import { loadIndex, type StoredSeries, storedSeries } from "./series-index.js";
import { checkVenue, type ResolvedKey, resolveKey, seriesDir } from "./series-key.js";

export async function listSeries(root: string): Promise<StoredSeries[]> {
  const out: StoredSeries[] = [];
  for (const venue of await subdirs(root)) {
    try {
      checkVenue(venue);
    } catch {
      continue;
    }
    for (const token of await subdirs(join(root, venue))) {
      for (const timeframe of await subdirs(join(root, venue, token))) {
        let key: ResolvedKey;
        try {
          key = resolveKey({ venue, market: token, timeframe });
        } catch {
          continue; // not a series directory
        }
        if (key.token !== token || key.timeframe !== timeframe) continue;
        const index = await loadIndex(seriesDir(root, key), key);
        const stored = index === undefined ? undefined : storedSeries(index);
        if (stored !== undefined) out.push(stored);
      }
    }
  }
  return out.sort(
    (a, b) =>
      compare(a.venue, b.venue) ||
      compare(a.market, b.market) ||
      parseTimeframe(a.timeframe) - parseTimeframe(b.timeframe),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}
