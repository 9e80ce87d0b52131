import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import type { Candle } from "../../src/domain/market-data.js";
import { CandleSeries } from "../../src/sim/data/index.js";

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const FIXTURE = "test/fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz";
export const KEY = { venue: "binance", market: "BTC/USDT", timeframe: "1m" } as const;
export const COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/** A temporary directory, removed by `cleanup`. */
export async function tempDir(prefix = "crypy-store-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A deterministic candle opening at `time`, its values derived from `seed`. */
export function candle(time: number, seed: number): Candle {
  const base = 100 + (seed % 97);
  return {
    timestamp: time,
    open: base,
    high: base + 2,
    low: base - 1,
    close: base + 1,
    volume: 1 + (seed % 5),
  };
}

/** Candles every `intervalMs` from `start` (count of them), leaving out the indices in `skip`. */
export function series(
  start: number,
  count: number,
  intervalMs: number,
  skip: ReadonlySet<number> = new Set(),
): CandleSeries {
  const candles: Candle[] = [];
  for (let i = 0; i < count; i++) {
    if (!skip.has(i)) candles.push(candle(start + i * intervalMs, i));
  }
  return CandleSeries.from(candles, intervalMs);
}

/** A 6-column candle CSV (ISO times, header) of the candles. */
export function candlesCsv(candles: readonly Candle[]): string {
  const rows = candles.map((c) => {
    const iso = new Date(c.timestamp).toISOString().replace("T", " ").replace(".000Z", "+00:00");
    return [iso, c.open, c.high, c.low, c.close, c.volume].join(",");
  });
  return `open_time,open,high,low,close,volume\n${rows.join("\n")}\n`;
}

/** A Binance 12-column kline dump (no header, ms) of the candles. */
export function klineCsv(candles: readonly Candle[], intervalMs: number): string {
  return candles
    .map((c) =>
      [
        c.timestamp,
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        c.timestamp + intervalMs - 1,
        0,
        1,
        0,
        0,
        0,
      ].join(","),
    )
    .map((line) => `${line}\n`)
    .join("");
}

export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, name.endsWith(".gz") ? gzipSync(text) : text);
  return path;
}

/** A digest of every file under `dir`: relative paths and bytes. */
export async function hashDir(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files) {
    hash.update(file.slice(dir.length));
    hash.update(await readFile(file));
  }
  return `${files.length}:${hash.digest("hex")}`;
}

/** The columns of a series as plain arrays, for whole-series comparisons. */
export function columnsOf(s: CandleSeries): Record<string, number[]> {
  return Object.fromEntries(COLUMNS.map((name) => [name, [...s[name]]]));
}

/** A writable stream collecting what is written to it. */
export function sink(): { out: NodeJS.WritableStream; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { out, text: () => chunks.join("") };
}
