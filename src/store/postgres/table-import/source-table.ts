/**
 * Reads an existing table through a column mapping (mapping.ts), streamed with a cursor in
 * batches (never the whole table in memory), ordered by its time column, each row checked and
 * converted to crypy's fields. The table is only read: nothing is created or migrated.
 *
 * Rules:
 * - Identifiers are always double-quoted (a `"` doubled), never spliced raw into SQL; `schema.table`
 *   names a table in a schema. A table or column that does not exist is named in the error.
 * - Times: timestamptz as is; timestamp without time zone as UTC; epoch numbers (integer, numeric,
 *   float or text) in the one unit (s, ms, µs, ns) in which the first row is a time in 2009–2100,
 *   as the file loader detects it (csv.ts), every later row checked against it; text may also be
 *   ISO 8601 with a UTC offset.
 * - Prices, amounts and quantities are read as text, so a table storing them as text or numeric
 *   keeps them exact; anything but a decimal > 0 (or >= 0 for a volume) is refused, naming the
 *   row and the column.
 * - Without an `id` column, trades are ordered by time, price, amount and side, and a trade's id is
 *   `<epoch ms>-<rank within that ms>`: the same table gives the same ids, so importing it again
 *   writes nothing twice.
 */

import { InvalidInputError } from "../../../domain/errors.js";
import {
  epochToMs,
  epochUnit,
  PLAUSIBLE_FROM,
  PLAUSIBLE_TO,
  parseIsoTime,
  type TimeUnit,
  unitProblem,
} from "../../csv/csv.js";
import { formatCount } from "../../time-text.js";
import type { Sql } from "../connect.js";
import type { Levels } from "../tables.js";
import { BOOK_LEVEL_FIELDS, type ColumnMapping } from "./mapping.js";
import { quoteIdent, quoteTable } from "./quote.js";

export interface SourceTrade {
  /** Epoch ms. */
  time: number;
  id: string;
  price: string;
  amount: string;
  side?: "buy" | "sell";
}

export interface SourceCandle {
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export interface SourceBook {
  time: number;
  sequence: number;
  bids: Levels;
  asks: Levels;
}

export type SourceRow = SourceTrade | SourceCandle | SourceBook;

const BATCH = 10_000;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export class SourceTable {
  /** How the time column's values were read: `timestamptz`, or an epoch unit, or `ISO 8601`. */
  timeReading = "";
  /** Rows read so far. */
  rows = 0;
  private unit: TimeUnit | undefined;

  private constructor(
    private readonly sql: Sql,
    readonly table: string,
    private readonly mapping: ColumnMapping,
    private readonly types: ReadonlyMap<string, string>,
    private readonly batchRows: number,
  ) {}

  /** Checks that the table and every mapped column exist. */
  static async open(
    sql: Sql,
    table: string,
    mapping: ColumnMapping,
    batchRows = BATCH,
  ): Promise<SourceTable> {
    const relation = quoteTable(table);
    const [found] = await sql<
      { oid: string | null }[]
    >`SELECT to_regclass(${relation})::text AS oid`;
    if (found?.oid === null || found?.oid === undefined) {
      throw new InvalidInputError(`no table ${table} in the database`);
    }
    const columns = await sql<{ name: string; type: string }[]>`
      SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
      FROM pg_attribute a
      WHERE a.attrelid = to_regclass(${relation}) AND a.attnum > 0 AND NOT a.attisdropped`;
    const types = new Map(columns.map((c) => [c.name, c.type]));
    const source = new SourceTable(sql, table, mapping, types, batchRows);
    for (const column of source.mappedColumns()) {
      if (!types.has(column)) {
        throw new InvalidInputError(
          `table ${table} has no column ${column} (its columns: ${[...types.keys()].join(", ")})`,
        );
      }
    }
    return source;
  }

  /** The table's rows in time order, converted, in batches. */
  async *batches(): AsyncGenerator<SourceRow[]> {
    const query = this.query();
    let lastMs = Number.NaN;
    let rank = 0;
    for await (const raw of this.sql.unsafe(query).cursor(this.batchRows)) {
      const out: SourceRow[] = new Array(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const r = raw[i] as Record<string, unknown>;
        this.rows++;
        const time = this.timeOf(r.t);
        if (this.mapping.kind === "trades") {
          // Ranked within the whole millisecond: a table's microseconds do not reach the id.
          const ms = Math.floor(time);
          rank = ms === lastMs ? rank + 1 : 0;
          lastMs = ms;
          out[i] = this.trade(r, time, `${ms}-${rank}`);
        } else if (this.mapping.kind === "candles") {
          out[i] = {
            time,
            open: this.decimal(r.open, "open"),
            high: this.decimal(r.high, "high"),
            low: this.decimal(r.low, "low"),
            close: this.decimal(r.close, "close"),
            volume: this.decimal(r.volume, "volume", true),
          };
        } else {
          out[i] = this.book(r, time);
        }
      }
      yield out;
    }
  }

  private mappedColumns(): string[] {
    const { columns, levels } = this.mapping;
    return Object.entries(columns).flatMap(([field, column]) =>
      levels !== undefined && (BOOK_LEVEL_FIELDS as readonly string[]).includes(field)
        ? levels.map((i) => column.replaceAll("{i}", String(i)))
        : [column],
    );
  }

  private query(): string {
    const { kind, columns, levels } = this.mapping;
    const col = (field: string) => quoteIdent(columns[field]!);
    const timeType = this.types.get(columns.time!)!;
    const select = [
      timeType.startsWith("timestamp")
        ? `(extract(epoch FROM ${col("time")}) * 1000)::float8 AS t`
        : `${col("time")}::text AS t`,
    ];
    this.timeReading = timeType.startsWith("timestamp with")
      ? "timestamptz"
      : timeType.startsWith("timestamp")
        ? "timestamp (read as UTC)"
        : "";
    const order = [col("time")];
    if (kind === "trades") {
      select.push(`${col("price")}::text AS price`, `${col("amount")}::text AS amount`);
      if (columns.side !== undefined) {
        const boolean = this.types.get(columns.side) === "boolean";
        select.push(
          boolean ? `${col("side")} AS buyer_maker` : `lower(${col("side")}::text) AS side`,
        );
      }
      if (columns.id !== undefined) {
        select.push(`${col("id")}::text AS id`);
        order.push(col("id"));
      } else {
        order.push(col("price"), col("amount"));
        if (columns.side !== undefined) order.push(col("side"));
      }
    } else if (kind === "candles") {
      for (const f of ["open", "high", "low", "close", "volume"])
        select.push(`${col(f)}::text AS ${f}`);
    } else {
      if (columns.sequence !== undefined) {
        select.push(`${col("sequence")}::text AS sequence`);
        order.push(col("sequence"));
      }
      for (const field of BOOK_LEVEL_FIELDS) {
        const pattern = columns[field]!;
        // As JSON text: the client's array parser would read a NULL element as the text 'NULL'.
        const array =
          levels === undefined
            ? `${quoteIdent(pattern)}::text[]`
            : `ARRAY[${levels.map((i) => `${quoteIdent(pattern.replaceAll("{i}", String(i)))}::text`).join(", ")}]`;
        select.push(`to_json(${array})::text AS ${field}`);
      }
    }
    return `SELECT ${select.join(", ")} FROM ${quoteTable(this.table)} ORDER BY ${order.join(", ")}`;
  }

  private where(): string {
    return `table ${this.table}, row ${formatCount(this.rows)} (in time order)`;
  }

  private problem(column: string, text: string): InvalidInputError {
    return new InvalidInputError(`${this.where()}: column ${column}: ${text}`);
  }

  private timeOf(value: unknown): number {
    const column = this.mapping.columns.time!;
    if (value === null || value === undefined) throw this.problem(column, "no time (NULL)");
    if (typeof value === "number") return value;
    const text = String(value);
    if (text.length >= 5 && text.charCodeAt(4) === 45) {
      const ms = parseIsoTime(text, 0, text.length);
      if (!Number.isFinite(ms)) {
        throw this.problem(column, `'${text}' is no ISO 8601 time with a UTC offset`);
      }
      this.timeReading ||= "ISO 8601";
      return ms;
    }
    const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n)) throw this.problem(column, `expected a time, got '${text}'`);
    if (this.unit === undefined) {
      const unit = epochUnit(n);
      if (unit === undefined) throw this.problem(column, unitProblem(column, text, n));
      this.unit = unit;
      this.timeReading = `epoch ${unit}`;
    }
    const ms = epochToMs(n, this.unit);
    if (!(ms >= PLAUSIBLE_FROM && ms < PLAUSIBLE_TO)) {
      throw this.problem(
        column,
        `'${text}' read in ${this.unit} (the unit of the first row) is outside 2009–2100: ` +
          "the table mixes time units or this row is wrong",
      );
    }
    return ms;
  }

  private decimal(value: unknown, field: string, zeroAllowed = false): string {
    const column = this.mapping.columns[field]!;
    const text = value === null || value === undefined ? "" : String(value).trim();
    const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
    if (!(Number.isFinite(n) && (n > 0 || (zeroAllowed && n === 0)))) {
      const shown = value === null ? "NULL" : `'${text}'`;
      throw this.problem(
        column,
        `expected a decimal ${zeroAllowed ? ">= 0" : "> 0"}, got ${shown}`,
      );
    }
    return text;
  }

  private trade(r: Record<string, unknown>, time: number, ownId: string): SourceTrade {
    const trade: SourceTrade = {
      time,
      id: r.id === undefined ? ownId : String(r.id),
      price: this.decimal(r.price, "price"),
      amount: this.decimal(r.amount, "amount"),
    };
    if (r.id === null) throw this.problem(this.mapping.columns.id!, "no trade id (NULL)");
    if (r.buyer_maker !== undefined) {
      if (typeof r.buyer_maker !== "boolean") {
        throw this.problem(this.mapping.columns.side!, "expected true or false, got NULL");
      }
      // The buyer was the resting order: the taker sold.
      trade.side = r.buyer_maker ? "sell" : "buy";
    } else if (r.side !== undefined) {
      if (r.side !== "buy" && r.side !== "sell") {
        throw this.problem(
          this.mapping.columns.side!,
          `expected buy or sell, got '${String(r.side)}'`,
        );
      }
      trade.side = r.side;
    }
    return trade;
  }

  private book(r: Record<string, unknown>, time: number): SourceBook {
    const sequence = r.sequence === undefined ? 0 : Number(r.sequence);
    if (!Number.isSafeInteger(sequence)) {
      throw this.problem(
        this.mapping.columns.sequence!,
        `expected an integer, got '${String(r.sequence)}'`,
      );
    }
    return {
      time,
      sequence,
      bids: this.levels(r.bid_price, r.bid_qty, "bid"),
      asks: this.levels(r.ask_price, r.ask_qty, "ask"),
    };
  }

  /** Levels whose price and quantity are both present; a NULL pair is a shallower book. */
  private levels(prices: unknown, qtys: unknown, side: "bid" | "ask"): Levels {
    const p = JSON.parse(String(prices ?? "[]")) as (string | null)[];
    const q = JSON.parse(String(qtys ?? "[]")) as (string | null)[];
    if (p.length !== q.length) {
      throw this.problem(
        this.mapping.columns[`${side}_qty`]!,
        `${q.length} quantities for ${p.length} prices`,
      );
    }
    const out: [string, string][] = [];
    for (let k = 0; k < p.length; k++) {
      if (p[k] === null && q[k] === null) continue;
      out.push([this.decimal(p[k], `${side}_price`), this.decimal(q[k], `${side}_qty`, true)]);
    }
    return out;
  }
}
