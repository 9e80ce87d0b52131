/** `crypy backtest`: a strategy on a market through the full exchange simulator. */
import { type Command, InvalidArgumentError } from "commander";
import { action, positiveInt } from "./program.js";

function marginMode(value: string): string {
  if (value !== "cross" && value !== "isolated") {
    throw new InvalidArgumentError("must be cross or isolated");
  }
  return value;
}

export function registerBacktest(program: Command): void {
  program
    .command("backtest")
    .description("backtest a strategy on a market through the full exchange simulator")
    .requiredOption(
      "--strategy <name|file>",
      "a built-in (sma-cross, ema-cross, rsi-reversion, bollinger-breakout, donchian-breakout, macd; sma-long-short, which shorts, on a perpetual) or a strategy file (.ts, .js)",
    )
    .option("--params <list>", "parameters, e.g. fast=10,slow=30 (others take their defaults)")
    .requiredOption(
      "--market <symbol>",
      "market symbol, e.g. BTC/USDT, or a perpetual of the venue file, e.g. BTC/USDT:USDT with --venue venues/sim-perp.yaml (it can short; its report adds funding, liquidations and leverage)",
    )
    .option(
      "--data <file|url>",
      "candles or trades from this CSV (.csv/.csv.gz), or candles from PostgreSQL (postgres://HOST/DB?venue=binance&market=BTC/USDT[&timeframe=1m]; default venue binance, market --market, the finest timeframe stored), instead of the store or the venue's own data",
    )
    .option(
      "--data-venue <name>",
      "read the market's series stored under this venue by 'crypy data import --venue' (default: binance's if stored; refused, listing what is stored, if there is none)",
    )
    .option(
      "--from <date>",
      "first candle, e.g. 2023-03-05 or 2023-03-05T12:00Z (UTC when no zone)",
    )
    .option("--to <date>", "end of the range (exclusive)")
    .option("--timeframe <tf>", "candle timeframe (resampled from finer data)", "1m")
    .option("--venue <file>", "venue file with the market's rules (default: venues/sim.yaml)")
    .option(
      "--capital <amount>",
      "starting capital in the quote currency (a perpetual: its settle asset)",
      "10000",
    )
    .option(
      "--fraction <f>",
      "fraction of capital per position (a perpetual: of the free equity, times the leverage)",
      (v) => Number(v),
      1,
    )
    .option(
      "--leverage <n>",
      "a perpetual's leverage, at most its first bracket's maximum (default 1)",
      positiveInt,
    )
    .option(
      "--margin-mode <mode>",
      "a perpetual's margin mode: cross or isolated (default cross)",
      marginMode,
    )
    .option("--sweep", "search the strategy's parameter ranges and report the best")
    .option(
      "--candidates <n>",
      "parameter sets in a sweep (grid if it fits, else seeded random)",
      positiveInt,
      100,
    )
    .option(
      "--walk-forward <folds>",
      "fit in-sample and measure out-of-sample over this many folds",
      positiveInt,
    )
    .option(
      "--objective <name>",
      "what a sweep maximises: sharpe, sortino, calmar, totalReturn, cagr, profitFactor, expectancy",
      "sharpe",
    )
    .option("--workers <n>", "parallel workers for sweeps (default: CPU count)", positiveInt)
    .option("--seed <n>", "seed for random sweeps", (v) => Number.parseInt(v, 10), 42)
    .option(
      "--json",
      "print one JSON document (metrics, trades, equity curve; a perpetual's adds contract: funding, liquidations, leverage)",
    )
    .option("--report <file>", "write a standalone HTML report")
    .action(
      action(async (options: Record<string, unknown>) => {
        const { backtestCommand } = await import("./backtest-command.js");
        return backtestCommand(options as never, {
          out: process.stdout,
          err: process.stderr,
          interactive: process.stdout.isTTY === true,
        });
      }),
    );
}
