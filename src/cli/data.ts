/** `crypy data import|ls`: the local market-data store. */
import type { Command } from "commander";
import { action } from "./program.js";

export function registerData(program: Command): void {
  const data = program
    .command("data")
    .description("the local market-data store: import candle or trade files, list what is stored");

  data
    .command("import")
    .description(
      "import a candle file (Binance kline dump, Kraken OHLCVT, a headed OHLCV CSV such as Bitstamp's) or a Binance trade/aggTrades dump, times in s, ms, µs, ns or ISO 8601 (detected and shown); the same loader as backtest --data; re-importing is idempotent",
    )
    .argument(
      "<source>",
      "a .csv or .csv.gz file, a .parquet file or a directory of them (crypy data export's archive), or postgres://HOST/DB with --table and --columns (an existing table, read as it is)",
    )
    .requiredOption("--market <symbol>", "market symbol, e.g. BTC/USDT")
    .option(
      "--timeframe <tf>",
      "candle timeframe to store (default: the file's own; trades are aggregated to 1m)",
    )
    .option(
      "--venue <name>",
      "which venue the data is from (a backtest reads it with --data-venue)",
      "binance",
    )
    .option("--kind <kind>", "candles or trades, or book for a table (default: detected)")
    .option("--table <name>", "postgres:// source: the table (or schema.table) to read")
    .option(
      "--columns <mapping>",
      "postgres:// source: field=column pairs; trades time,price,amount[,side,id] (a boolean side is is_buyer_maker); candles time,open,high,low,close,volume; book time,bid_price,bid_qty,ask_price,ask_qty[,sequence] as {i} patterns (bid_price=bid_price_{i}) or array columns",
    )
    .option("--book-levels <n>", "book columns with {i}: 10 for levels 0…9, 1-10 for 1…10")
    .option(
      "--mid-candles",
      "book tables: also store candles of the mid price (volume 0) for backtests; they replace the series' candles",
    )
    .option(
      "--store <url>",
      "write into PostgreSQL (postgres://HOST/DB) instead of the local store; re-importing writes nothing twice",
    )
    .action(
      action(
        async (
          file: string,
          options: {
            market: string;
            timeframe?: string;
            venue: string;
            kind?: string;
            store?: string;
            table?: string;
            columns?: string;
            bookLevels?: string;
            midCandles?: boolean;
          },
        ) => {
          const { dataImport } = await import("./data-commands.js");
          await dataImport(file, options, process.stdout);
          return 0;
        },
      ),
    );

  data
    .command("export")
    .description(
      "write recorded data older than an age to Parquet files by venue, market, kind and day (venue=…/market=…/kind=…/day=…/part-0.parquet); exporting a day again replaces its file with the union",
    )
    .requiredOption("--older-than <age>", "export whole UTC days older than this, e.g. 30d")
    .requiredOption("--to <dir>", "the Parquet archive's root directory")
    .option(
      "--store <url>",
      "export from PostgreSQL (postgres://HOST/DB) instead of the local store",
    )
    .option(
      "--kinds <list>",
      "candles, trades, book_snapshots, book_diffs (default: all the store holds)",
      (text: string) =>
        text
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
    )
    .option(
      "--prune",
      "PostgreSQL: delete the exported rows once each file is written and read back with matching counts",
    )
    .action(
      action(
        async (options: {
          olderThan: string;
          to: string;
          store?: string;
          kinds?: string[];
          prune?: boolean;
        }) => {
          const { dataExport } = await import("./data-export.js");
          await dataExport(options, process.stdout);
          return 0;
        },
      ),
    );

  data
    .command("ls")
    .description("list stored series with their ranges and gaps")
    .option("--json", "print JSON")
    .action(
      action(async (options: { json?: boolean }) => {
        const { dataList } = await import("./data-commands.js");
        await dataList(options, process.stdout);
        return 0;
      }),
    );
}
