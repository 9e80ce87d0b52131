/**
 * The column mapping of `crypy data import postgres://… --table T --columns …`: which column of an
 * existing table (never migrated, never written) holds each of crypy's fields.
 *
 * Syntax: `--columns field=column,field=column,…`, each field once.
 * - trades: `time`, `price`, `amount`, optional `side` and `id`. A boolean `side` column is read as
 *   Binance's `is_buyer_maker` (true: the resting order was the buy, so the taker sold); a text one
 *   holds `buy` or `sell`. Without `id`, a trade's id is its millisecond and its rank within it.
 * - candles: `time` (the open time), `open`, `high`, `low`, `close`, `volume`.
 * - book (level-N depth snapshots): `time`, `bid_price`, `bid_qty`, `ask_price`, `ask_qty`,
 *   optional `sequence`. A level field is a column pattern with `{i}` (`bid_price_{i}`) expanded
 *   for each level of `--book-levels` (`10`: levels 0…9; `1-10`: levels 1…10), or one array
 *   column (`bids_price`) holding every level, best first.
 * The kind follows from the fields (`bid_price`: book; `open`: candles; `price`: trades) unless
 * `--kind` names it.
 */

import { InvalidInputError } from "../../../domain/errors.js";

export type TableKind = "trades" | "candles" | "book";

const FIELDS: Record<TableKind, { required: readonly string[]; optional: readonly string[] }> = {
  trades: { required: ["time", "price", "amount"], optional: ["side", "id"] },
  candles: { required: ["time", "open", "high", "low", "close", "volume"], optional: [] },
  book: {
    required: ["time", "bid_price", "bid_qty", "ask_price", "ask_qty"],
    optional: ["sequence"],
  },
};

export const BOOK_LEVEL_FIELDS = ["bid_price", "bid_qty", "ask_price", "ask_qty"] as const;
export type BookLevelField = (typeof BOOK_LEVEL_FIELDS)[number];

export interface ColumnMapping {
  kind: TableKind;
  /** crypy field → the table's column (a `{i}` pattern for book levels). */
  columns: Readonly<Record<string, string>>;
  /** Book only, with `{i}` patterns: the level numbers the pattern is expanded for. */
  levels?: readonly number[];
}

export interface MappingRequest {
  /** `time=receive_ts,price=price,…` */
  columns: string;
  kind?: string | undefined;
  /** `10` or `1-10`. */
  bookLevels?: string | undefined;
}

/**
 * @example
 * parseMapping({ columns: "time=receive_ts,price=price,amount=quantity,side=is_buyer_maker" });
 * // { kind: "trades", columns: { time: "receive_ts", price: "price", amount: "quantity", side: … } }
 */
export function parseMapping(request: MappingRequest): ColumnMapping {
  const columns: Record<string, string> = {};
  for (const part of request.columns.split(",")) {
    const entry = part.trim();
    if (entry === "") continue;
    const eq = entry.indexOf("=");
    const field = eq < 0 ? "" : entry.slice(0, eq).trim();
    const column = eq < 0 ? "" : entry.slice(eq + 1).trim();
    if (field === "" || column === "") {
      throw new InvalidInputError(
        `--columns: ${JSON.stringify(entry)} is not field=column (e.g. time=receive_ts)`,
      );
    }
    if (columns[field] !== undefined) {
      throw new InvalidInputError(`--columns: field ${field} is mapped twice`);
    }
    columns[field] = column;
  }
  const kind = kindOf(columns, request.kind);
  const { required, optional } = FIELDS[kind];
  for (const field of Object.keys(columns)) {
    if (!required.includes(field) && !optional.includes(field)) {
      throw new InvalidInputError(
        `--columns: ${field} is no field of ${kind}; ${kind} takes ${describeFields(kind)}`,
      );
    }
  }
  const missing = required.filter((f) => columns[f] === undefined);
  if (missing.length > 0) {
    throw new InvalidInputError(
      `--columns: ${kind} need ${missing.join(", ")} (${kind} take ${describeFields(kind)})`,
    );
  }
  const mapping: ColumnMapping = { kind, columns };
  if (kind !== "book") {
    if (request.bookLevels !== undefined) {
      throw new InvalidInputError("--book-levels applies to book tables only");
    }
    return mapping;
  }
  const patterned = BOOK_LEVEL_FIELDS.filter((f) => columns[f]!.includes("{i}"));
  if (patterned.length > 0 && patterned.length < BOOK_LEVEL_FIELDS.length) {
    throw new InvalidInputError(
      "--columns: the book's level fields are either all {i} patterns or all array columns; " +
        `${BOOK_LEVEL_FIELDS.filter((f) => !patterned.includes(f)).join(", ")} have no {i}`,
    );
  }
  if (patterned.length > 0) {
    if (request.bookLevels === undefined) {
      throw new InvalidInputError(
        "--book-levels is needed with {i} column patterns (e.g. --book-levels 10 for levels 0…9)",
      );
    }
    mapping.levels = parseLevels(request.bookLevels);
  }
  return mapping;
}

function describeFields(kind: TableKind): string {
  const { required, optional } = FIELDS[kind];
  return [...required, ...optional.map((f) => `${f} (optional)`)].join(", ");
}

function kindOf(columns: Record<string, string>, given: string | undefined): TableKind {
  if (given !== undefined) {
    if (given === "trades" || given === "candles" || given === "book") return given;
    throw new InvalidInputError(
      `invalid kind ${JSON.stringify(given)} for a table: expected trades, candles or book`,
    );
  }
  if (columns.bid_price !== undefined || columns.ask_price !== undefined) return "book";
  if (columns.open !== undefined) return "candles";
  if (columns.price !== undefined) return "trades";
  throw new InvalidInputError(
    "--columns names no price, open or bid_price field, so the table's kind is unknown: " +
      "map the fields of trades, candles or book, or pass --kind",
  );
}

/** `10` → 0…9; `1-10` → 1…10. */
export function parseLevels(text: string): number[] {
  const range = /^(\d+)-(\d+)$/.exec(text.trim());
  const count = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  const [from, to] = range === null ? [0, count - 1] : [Number(range[1]), Number(range[2])];
  if (!(Number.isInteger(from) && Number.isInteger(to) && to >= from && to - from < 1000)) {
    throw new InvalidInputError(
      `--book-levels: expected a count (10: levels 0…9) or a range (1-10), got ${JSON.stringify(text)}`,
    );
  }
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}
