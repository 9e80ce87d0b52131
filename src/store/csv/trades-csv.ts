/**
 * Public trades (the tape) from Binance's trade dumps (data.binance.vision), stored by column.
 *
 * Formats, with or without a header: trades `id, price, qty, quote_qty, time, is_buyer_maker,
 * is_best_match` (spot), or the same without `is_best_match` (USDⓈ-M futures); aggTrades
 * `agg_trade_id, price, quantity, first_trade_id, last_trade_id, transact_time, is_buyer_maker
 * [, is_best_match]` (a headerless 7-column file is aggTrades when its field 6 is not a boolean).
 * Times are epoch numbers whose unit (s, ms, µs, ns) is detected from the first row (ms, or µs in
 * Binance's spot dumps from 2025). `is_buyer_maker = true` means the resting order was the buy, so the taker
 * sold.
 *
 * Invariants (checked on construction): times are finite and never decrease (many trades share a
 * millisecond); price > 0, qty > 0, finite; takerSide is 0 (buy) or 1 (sell).
 */

import { InvalidInputError } from "../../domain/errors.js";
import { CandleSeries, emptyColumns, truncateColumns } from "../candle-series.js";
import { CsvLines, lineError, readDataFile, shown, type TimeUnit } from "./csv.js";

export const TAKER_BUY = 0;
export const TAKER_SELL = 1;

export interface TradeColumns {
  /** The venue's trade id (exact up to 2^53). */
  id: Float64Array;
  /** Epoch ms. */
  time: Float64Array;
  price: Float64Array;
  qty: Float64Array;
  /** TAKER_BUY (0) or TAKER_SELL (1). */
  takerSide: Uint8Array;
}

/** Set only while `slice` builds a view of an already validated series. */
let trusted = false;

export class TradeSeries {
  readonly length: number;
  readonly id: Float64Array;
  readonly time: Float64Array;
  readonly price: Float64Array;
  readonly qty: Float64Array;
  readonly takerSide: Uint8Array;

  constructor(columns: TradeColumns) {
    this.length = columns.time.length;
    this.id = columns.id;
    this.time = columns.time;
    this.price = columns.price;
    this.qty = columns.qty;
    this.takerSide = columns.takerSide;
    if (!trusted) this.validate();
  }

  /** Rows [from, to) as a view sharing this series' memory (indices as in Array.prototype.slice). */
  slice(from?: number, to?: number): TradeSeries {
    trusted = true;
    try {
      return new TradeSeries({
        id: this.id.subarray(from, to),
        time: this.time.subarray(from, to),
        price: this.price.subarray(from, to),
        qty: this.qty.subarray(from, to),
        takerSide: this.takerSide.subarray(from, to),
      });
    } finally {
      trusted = false;
    }
  }

  private validate(): void {
    for (const name of ["id", "price", "qty", "takerSide"] as const) {
      if (this[name].length !== this.length) {
        throw new InvalidInputError(
          `trades: column '${name}' has ${this[name].length} rows, 'time' has ${this.length}`,
        );
      }
    }
    let previous = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.length; i++) {
      const problem = tradeProblem(
        previous,
        this.time[i]!,
        this.price[i]!,
        this.qty[i]!,
        this.takerSide[i]!,
      );
      if (problem !== undefined) throw new InvalidInputError(`trades: row ${i}: ${problem}`);
      previous = this.time[i]!;
    }
  }
}

function tradeProblem(
  previous: number,
  time: number,
  price: number,
  qty: number,
  side: number,
): string | undefined {
  if (
    time >= previous &&
    time < Number.POSITIVE_INFINITY &&
    price > 0 &&
    price < Number.POSITIVE_INFINITY &&
    qty > 0 &&
    qty < Number.POSITIVE_INFINITY &&
    side <= 1
  ) {
    return undefined;
  }
  if (!(price > 0 && price < Number.POSITIVE_INFINITY)) {
    return `column 'price': expected a finite number > 0, got ${price}`;
  }
  if (!(qty > 0 && qty < Number.POSITIVE_INFINITY)) {
    return `column 'qty': expected a finite number > 0, got ${qty}`;
  }
  if (side > 1) return `column 'is_buyer_maker': takerSide must be 0 or 1, got ${side}`;
  if (!Number.isFinite(time)) return `column 'time': expected a finite time, got ${time}`;
  return (
    `column 'time': ${new Date(time).toISOString()} is before the previous row's ` +
    `${new Date(previous).toISOString()}`
  );
}

export interface TradesCsvOptions {
  /** Used in error messages. */
  file: string;
}

const COLUMNS = [
  "id",
  "price",
  "qty",
  "quote_qty",
  "time",
  "is_buyer_maker",
  "is_best_match",
] as const;
const ALIASES: readonly (readonly string[])[] = [
  ["id", "trade_id"],
  ["price"],
  ["qty", "quantity"],
  ["quote_qty", "quote_quantity"],
  ["time", "timestamp", "transact_time"],
  ["is_buyer_maker"],
  ["is_best_match"],
];

/** text[a, b) equals `word` ignoring ASCII case (`word` lower-case). */
function equalsWord(text: string, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let k = 0; k < word.length; k++) {
    if ((text.charCodeAt(a + k) | 32) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** Where a trade file keeps its columns. */
export interface TradeLayout {
  /** "Binance trades" or "Binance aggTrades". */
  name: string;
  width: number;
  /** Field indexes of id, price, qty, time, is_buyer_maker. */
  fields: readonly [number, number, number, number, number];
}

const AGG_NAMES = [
  "agg_trade_id",
  "price",
  "quantity",
  "first_trade_id",
  "last_trade_id",
  "transact_time",
  "is_buyer_maker",
  "is_best_match",
] as const;

function tradesLayout(width: number): TradeLayout {
  return { name: "Binance trades", width, fields: [0, 1, 2, 4, 5] };
}

function aggLayout(width: number): TradeLayout {
  return { name: "Binance aggTrades", width, fields: [0, 1, 2, 5, 6] };
}

/**
 * Parses a Binance trade or aggTrades dump (see the module header).
 * @example
 * parseTradesCsv("1,100.5,0.2,20.1,1700000000000,True,True\n", { file: "t.csv" });
 */
export function parseTradesCsv(text: string, options: TradesCsvOptions): TradeSeries {
  return parseTradeRows(text, options).trades;
}

/** Parses a trade dump and says which layout and time unit it had. */
export function parseTradeRows(
  text: string,
  options: TradesCsvOptions,
): { trades: TradeSeries; layout: TradeLayout; unit: TimeUnit | "iso" } {
  const { file } = options;
  const lines = new CsvLines(text, 8);
  if (!lines.next()) throw new InvalidInputError(`${file}: no trades: the file is empty`);
  let columns = lines.split();
  const columnsError = () =>
    lineError(
      file,
      lines.lineNo,
      `expected 7 columns (id,price,qty,quote_qty,time,is_buyer_maker,is_best_match) or 6 ` +
        `(without is_best_match), or Binance aggTrades' 8 (agg_trade_id,price,quantity,` +
        `first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match) or 7; got ${columns}`,
    );
  if (columns < 6 || columns > 8) throw columnsError();
  const first = text.charCodeAt(lines.bounds[0]!);
  let layout: TradeLayout;
  if (!(first >= 48 && first <= 57)) {
    const names = lines.headerNames(columns);
    if (names[0] === "agg_trade_id" || names[0] === "a") {
      names.forEach((name, k) => {
        if (name !== AGG_NAMES[k]) {
          throw lineError(
            file,
            lines.lineNo,
            `unknown header: column ${k + 1} is ${shown(name)}, expected '${AGG_NAMES[k]}'`,
          );
        }
      });
      layout = aggLayout(columns);
    } else {
      if (columns === 8) throw columnsError();
      names.forEach((name, k) => {
        if (!ALIASES[k]!.includes(name)) {
          throw lineError(
            file,
            lines.lineNo,
            `unknown header: column ${k + 1} is ${shown(name)}, expected '${COLUMNS[k]}'`,
          );
        }
      });
      layout = tradesLayout(columns);
    }
    if (!lines.next()) throw new InvalidInputError(`${file}: no trades after the header`);
    columns = lines.split();
  } else if (columns === 8) {
    layout = aggLayout(8);
  } else if (columns === 7) {
    // Spot trades have is_buyer_maker in field 5, futures aggTrades a transact_time there.
    const a = lines.bounds[12]!;
    const b = lines.bounds[13]!;
    const sixth = equalsWord(text, a, b, "true") || equalsWord(text, a, b, "false");
    layout = sixth && !Number.isNaN(lines.number(5)) ? aggLayout(7) : tradesLayout(7);
  } else {
    layout = tradesLayout(columns);
  }
  const { width } = layout;
  const [fId, fPrice, fQty, fTime, fSide] = layout.fields;
  if (columns !== width) {
    throw lineError(file, lines.lineNo, `expected ${width} columns, got ${columns}`);
  }
  const unit = lines.detectUnit(fTime, file, "time");
  const unitLine = lines.lineNo;

  const capacity = CsvLines.countLines(text);
  const id = new Float64Array(capacity);
  const time = new Float64Array(capacity);
  const price = new Float64Array(capacity);
  const qty = new Float64Array(capacity);
  const takerSide = new Uint8Array(capacity);
  let previous = Number.NEGATIVE_INFINITY;
  let n = 0;
  for (;;) {
    if (columns !== width) {
      throw lineError(file, lines.lineNo, `expected ${width} columns, got ${columns}`);
    }
    const tradeId = numberAt(lines, file, fId, 0);
    const p = numberAt(lines, file, fPrice, 1);
    const q = numberAt(lines, file, fQty, 2);
    const t = lines.time(fTime);
    if (!Number.isFinite(t)) {
      throw lineError(
        file,
        lines.lineNo,
        `column 'time': expected an epoch time (s, ms, µs or ns), got ${shown(lines.field(fTime))}`,
      );
    }
    const range = lines.timeRangeProblem(t, fTime, "time", unitLine);
    if (range !== undefined) throw lineError(file, lines.lineNo, range);
    const a = lines.bounds[2 * fSide]!;
    const b = lines.bounds[2 * fSide + 1]!;
    let side: number;
    if (equalsWord(text, a, b, "true")) side = TAKER_SELL;
    else if (equalsWord(text, a, b, "false")) side = TAKER_BUY;
    else {
      throw lineError(
        file,
        lines.lineNo,
        `column 'is_buyer_maker': expected true or false, got ${shown(lines.field(fSide))}`,
      );
    }
    const problem = tradeProblem(previous, t, p, q, side);
    if (problem !== undefined) throw lineError(file, lines.lineNo, problem);
    id[n] = tradeId;
    time[n] = t;
    price[n] = p;
    qty[n] = q;
    takerSide[n] = side;
    previous = t;
    n++;
    if (!lines.next()) break;
    columns = lines.split();
  }
  trusted = true;
  try {
    const trades = new TradeSeries({
      id: id.subarray(0, n),
      time: time.subarray(0, n),
      price: price.subarray(0, n),
      qty: qty.subarray(0, n),
      takerSide: takerSide.subarray(0, n),
    });
    return { trades, layout, unit };
  } finally {
    trusted = false;
  }
}

function numberAt(lines: CsvLines, file: string, k: number, name: number): number {
  const v = lines.number(k);
  if (!Number.isNaN(v)) return v;
  throw lineError(
    file,
    lines.lineNo,
    `column '${COLUMNS[name]}': expected a number, got ${shown(lines.field(k))}`,
  );
}

/** Reads and parses a trade dump (gunzipped first if its name ends in `.gz`). */
export async function loadTrades(path: string): Promise<TradeSeries> {
  return parseTradesCsv(await readDataFile(path), { file: path });
}

/**
 * Aggregates trades into candles aligned to multiples of `intervalMs` since the epoch: O = first
 * trade's price, H/L the extremes, C the last, volume the summed qty. Intervals without a trade
 * produce no candle (a gap), as on a venue.
 */
export function tradesToCandles(trades: TradeSeries, intervalMs: number): CandleSeries {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new InvalidInputError(`tradesToCandles: intervalMs must be > 0, got ${intervalMs}`);
  }
  const out = emptyColumns(trades.length);
  const { time, price, qty } = trades;
  let n = -1;
  let bucket = Number.NaN;
  for (let i = 0; i < trades.length; i++) {
    const p = price[i]!;
    const start = Math.floor(time[i]! / intervalMs) * intervalMs;
    if (start !== bucket) {
      bucket = start;
      n++;
      out.time[n] = start;
      out.open[n] = p;
      out.high[n] = p;
      out.low[n] = p;
      out.volume[n] = 0;
    } else {
      if (p > out.high[n]!) out.high[n] = p;
      if (p < out.low[n]!) out.low[n] = p;
    }
    out.close[n] = p;
    out.volume[n] = out.volume[n]! + qty[i]!;
  }
  return new CandleSeries(truncateColumns(out, n + 1), intervalMs);
}
