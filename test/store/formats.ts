/**
 * Files in the real formats of other venues, written by tests: Kraken's OHLCVT export, Bitstamp's
 * minute data, Binance aggTrades dumps, headed candle CSVs. Prices wander around 23,000 like the
 * fixture's BTC; every candle is valid (low ≤ open, close ≤ high).
 */

export const T0 = Date.UTC(2024, 0, 1);
export const MINUTE = 60_000;

export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** n one-minute (or `stepMs`) bars from T0, a deterministic wander. */
export function bars(n: number, stepMs = MINUTE, start = T0): Bar[] {
  const out: Bar[] = [];
  let price = 23_000;
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = Math.round((price + Math.sin(i / 7) * 40 + (i % 5) - 2) * 100) / 100;
    const high = Math.max(open, close) + 5.5;
    const low = Math.min(open, close) - 4.25;
    out.push({ time: start + i * stepMs, open, high, low, close, volume: 1 + (i % 9) / 4 });
    price = close;
  }
  return out;
}

/** Kraken's OHLCVT export: no header, `time,open,high,low,close,volume,trades`, Unix seconds. */
export function krakenCsv(rows: readonly Bar[]): string {
  return rows
    .map((b, i) => `${b.time / 1000},${b.open},${b.high},${b.low},${b.close},${b.volume},${i + 3}`)
    .join("\n");
}

/** Bitstamp's minute data: a header, Unix seconds, newest first. */
export function bitstampCsv(rows: readonly Bar[]): string {
  const lines = rows.map((b) => {
    const date = new Date(b.time).toISOString().replace("T", " ").slice(0, 19);
    return `${b.time / 1000},${date},BTC/USD,${b.open},${b.high},${b.low},${b.close},${b.volume},${b.volume * b.close}`;
  });
  return `unix,date,symbol,open,high,low,close,Volume BTC,Volume USD\n${lines.reverse().join("\n")}\n`;
}

/** A headed candle CSV: `Date` (ISO 8601 Z) and the prices in another order and case. */
export function headedCsv(rows: readonly Bar[], time: (ms: number) => string = iso): string {
  const lines = rows.map(
    (b) => `${b.volume},${b.close},${time(b.time)},${b.low},${b.high},${b.open}`,
  );
  return `Volume,Close,Date,Low,High,Open\n${lines.join("\n")}\n`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The 6-column `open_time,…` file with epoch times in `unit` (1000 per ms for µs, …). */
export function epochCsv(rows: readonly Bar[], perMs: number): string {
  const lines = rows.map(
    (b) => `${BigInt(b.time) * BigInt(perMs)},${b.open},${b.high},${b.low},${b.close},${b.volume}`,
  );
  return `open_time,open,high,low,close,volume\n${lines.join("\n")}\n`;
}

export const AGG_HEADER =
  "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker";

/**
 * A Binance aggTrades dump: 4 trades a minute for `minutes` minutes. `spot` adds is_best_match;
 * `perMs` 1000 writes µs (Binance's 2025+ spot files).
 */
export function aggTradesCsv(
  minutes: number,
  options: { header?: boolean; spot?: boolean; perMs?: number; firstId?: number } = {},
): string {
  const perMs = options.perMs ?? 1;
  const lines: string[] = [];
  let id = options.firstId ?? 1000;
  for (const b of bars(minutes)) {
    for (const [k, price] of [b.open, b.high, b.low, b.close].entries()) {
      const time = BigInt(b.time + k * 10_000) * BigInt(perMs);
      const row = `${id},${price},0.25,${id * 3},${id * 3 + 2},${time},${k % 2 === 0 ? "true" : "false"}`;
      lines.push(options.spot === true ? `${row},true` : row);
      id++;
    }
  }
  const header =
    options.header === true
      ? `${AGG_HEADER}${options.spot === true ? ",is_best_match" : ""}\n`
      : "";
  return `${header}${lines.join("\n")}\n`;
}
