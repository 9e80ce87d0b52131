/**
 * `crypy data import postgres://HOST/DB --table T --columns field=column,…`: an existing table read
 * through a column mapping (src/store/postgres/table-import) into the local store or, with
 * --store postgres://…, into crypy's PostgreSQL tables; one summary line for a person.
 */

import { InvalidInputError } from "../domain/errors.js";
import { parseMapping } from "../store/postgres/table-import/mapping.js";
import { isPostgresUrl } from "../store/postgres/url.js";
import { formatCount, formatTime } from "../store/time-text.js";

export interface TableImportOptions {
  market: string;
  venue: string;
  table?: string | undefined;
  columns?: string | undefined;
  bookLevels?: string | undefined;
  midCandles?: boolean | undefined;
  kind?: string | undefined;
  timeframe?: string | undefined;
  store?: string | undefined;
  dataDir?: string | undefined;
}

export async function dataImportTable(
  url: string,
  options: TableImportOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  if (options.table === undefined || options.columns === undefined) {
    throw new InvalidInputError(
      "importing from PostgreSQL needs --table and --columns (e.g. --table binance_spot_trade_btcusdt " +
        "--columns time=receive_ts,price=price,amount=quantity,side=is_buyer_maker)",
    );
  }
  if (options.store !== undefined && !isPostgresUrl(options.store)) {
    throw new InvalidInputError(
      `--store takes a postgres:// URL (the local store is the default), got ${JSON.stringify(options.store)}`,
    );
  }
  const mapping = parseMapping({
    columns: options.columns,
    kind: options.kind,
    bookLevels: options.bookLevels,
  });
  const { importTable } = await import("../store/postgres/table-import/import-table.js");
  const r = await importTable({
    url,
    table: options.table,
    mapping,
    venue: options.venue,
    market: options.market,
    timeframe: options.timeframe,
    store: options.store,
    dataDir: options.dataDir,
    midCandles: options.midCandles,
  });
  const what = r.kind === "book" ? "book snapshots" : r.kind;
  const into = options.store === undefined ? "the local store" : "PostgreSQL";
  const range = r.rows === 0 ? "" : `, ${formatTime(r.first, 1000)} → ${formatTime(r.last, 1000)}`;
  const parts = [
    `read ${formatCount(r.rows)} ${what} of ${r.market} (${r.venue}) from table ${r.table} ` +
      `(times as ${r.timeReading || "none"}${range})`,
  ];
  if (r.written !== undefined) {
    parts.push(
      `into PostgreSQL: ${formatCount(r.written.inserted)} new, ` +
        `${formatCount(r.written.duplicates)} already stored`,
    );
  }
  if (r.candles !== undefined) {
    const c = r.candles;
    const built =
      r.kind === "trades"
        ? " built from them"
        : r.kind === "book"
          ? " of the mid price (volume 0) built from them"
          : "";
    parts.push(
      `${formatCount(c.candles)} ${c.timeframe} candles${built} into ${into}: ` +
        `${formatCount(c.added)} new, ${formatCount(c.existing)} already stored`,
    );
  }
  out.write(`${parts.join("; ")}\n`);
}
