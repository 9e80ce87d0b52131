/**
 * `crypy backtest`: one strategy on one market through the full simulator — or, with --sweep, the
 * best of many parameter sets (run in parallel), or, with --walk-forward, fitted in-sample and
 * measured out-of-sample. Every number printed comes from the full simulator.
 */
import { writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { renderReport } from "../control/report/index.js";
import { equityChart, Progress, summaryTable } from "../control/terminal/index.js";
import { InvalidInputError } from "../domain/errors.js";
import { DEFAULT_VENUE_FILE, loadVenueConfig } from "../sim/config/index.js";
import { runBacktest } from "../strategy/backtest/runner.js";
import type { BacktestResult } from "../strategy/backtest/types.js";
import { gridOf, parseParamList, randomOf, resolveParams } from "../strategy/params.js";
import { loadStrategy } from "../strategy/registry.js";
import { BacktestPool } from "../strategy/search/pool.js";
import { checkObjective, type SweepEntry, sweep } from "../strategy/search/sweep.js";
import { walkForward } from "../strategy/search/walk-forward.js";
import type { ParamValues, Strategy } from "../strategy/strategy.js";
import { loadBacktestData } from "./backtest-data.js";

export interface BacktestCommandOptions {
  strategy: string;
  params?: string | undefined;
  market: string;
  data?: string | undefined;
  /** The venue of the stored series to read (`crypy data import --venue`). */
  dataVenue?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  timeframe: string;
  venue?: string | undefined;
  capital: string;
  fraction: number;
  leverage?: number | undefined;
  marginMode?: "cross" | "isolated" | undefined;
  sweep?: boolean | undefined;
  candidates: number;
  walkForward?: number | undefined;
  objective: string;
  workers?: number | undefined;
  seed: number;
  json?: boolean | undefined;
  report?: string | undefined;
}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  /** Whether stdout is a terminal (tables and charts for people). */
  interactive: boolean;
}

/** Sweep candidates: the whole grid when small enough, else a seeded random sample of it. */
function candidatesFor(
  strategy: Strategy,
  fixed: Record<string, string>,
  count: number,
  seed: number,
): ParamValues[] {
  let all: ParamValues[];
  try {
    all = gridOf(strategy, { maxCombinations: count });
  } catch {
    all = randomOf(strategy, count, seed);
  }
  // Parameters given with --params stay fixed across the sweep.
  const seen = new Set<string>();
  const out: ParamValues[] = [];
  for (const c of all) {
    const params = resolveParams(strategy, { ...c, ...fixed });
    const key = JSON.stringify(params);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(params);
    }
  }
  return out;
}

function sweepTable(entries: SweepEntry[], objective: string): string {
  const rows = entries.slice(0, 10).map((e, i) => {
    const m = e.metrics;
    const params = Object.entries(e.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    return `${String(i + 1).padStart(3)}  ${e.score.toFixed(3).padStart(9)}  ${(m.totalReturn * 100).toFixed(2).padStart(8)}%  ${String(m.trades).padStart(6)}  ${params}`;
  });
  return [`rank  ${objective.padStart(9)}    return  trades  params`, ...rows].join("\n");
}

export async function backtestCommand(options: BacktestCommandOptions, io: Io): Promise<number> {
  if (options.sweep === true && options.walkForward !== undefined) {
    throw new InvalidInputError("--sweep and --walk-forward do not go together: choose one");
  }
  // A search's workers load their code while this thread reads the strategy, venue and data.
  const pool =
    options.sweep === true || options.walkForward !== undefined
      ? BacktestPool.spawn(options.strategy, options.workers)
      : undefined;
  try {
    return await backtestWith(options, io, pool);
  } finally {
    await pool?.close();
  }
}

async function backtestWith(
  options: BacktestCommandOptions,
  io: Io,
  pool: BacktestPool | undefined,
): Promise<number> {
  const strategy = await loadStrategy(options.strategy);
  const fixed = parseParamList(options.params ?? "");
  const params = resolveParams(strategy, fixed);
  const objective = checkObjective(options.objective);
  const venue = await loadVenueConfig(options.venue ?? DEFAULT_VENUE_FILE);
  const { candles, source } = await loadBacktestData({
    market: options.market,
    timeframe: options.timeframe,
    venue,
    data: options.data,
    storeVenue: options.dataVenue,
    from: options.from,
    to: options.to,
  });
  if (strategy.needs?.short === true && venue.markets[options.market]?.contract === undefined) {
    io.err.write(
      `note: ${strategy.name} shorts, and ${options.market} is spot: its short entries are ignored (a perpetual can short: --venue venues/sim-perp.yaml --market BTC/USDT:USDT)\n`,
    );
  }
  const common = {
    market: options.market,
    candles,
    venue,
    capital: options.capital,
    fraction: options.fraction,
    ...(options.leverage === undefined ? {} : { leverage: options.leverage }),
    ...(options.marginMode === undefined ? {} : { marginMode: options.marginMode }),
  };

  let chosen = params;
  let sweepEntries: SweepEntry[] | undefined;
  let folds: Awaited<ReturnType<typeof walkForward>> | undefined;
  if (pool !== undefined) {
    const candidates = candidatesFor(strategy, fixed, options.candidates, options.seed);
    const search = {
      ...common,
      strategy: options.strategy,
      strategyObject: strategy,
      candidates,
      objective,
      pool,
    };
    pool.load(search);
    if (options.walkForward !== undefined) {
      folds = await walkForward({ ...search, folds: options.walkForward });
      chosen = folds.params;
    } else {
      sweepEntries = await sweep(search);
      chosen = sweepEntries[0]!.params;
    }
  }

  const progress =
    io.err.isTTY === true && options.json !== true
      ? new Progress(io.err, candles.length)
      : undefined;
  const result: BacktestResult = runBacktest({
    ...common,
    strategy,
    params: chosen,
    timeframe: options.timeframe,
    ...(progress === undefined ? {} : { onProgress: (done: number) => progress.update(done) }),
  });
  progress?.finish();

  if (options.report !== undefined)
    await writeReport(options.report, renderReport(result, candles));
  if (options.json === true) {
    const doc = {
      source,
      ...result,
      ...(sweepEntries === undefined ? {} : { sweep: sweepEntries }),
      ...(folds === undefined
        ? {}
        : {
            walkForward: {
              outOfSample: folds.outOfSample,
              folds: folds.folds.map((f) => ({
                inSample: f.inSample,
                outOfSample: {
                  from: f.outOfSample.from,
                  to: f.outOfSample.to,
                  metrics: f.outOfSample.metrics,
                },
              })),
            },
          }),
    };
    io.out.write(`${JSON.stringify(doc, (_k, v) => (v === Infinity ? "Infinity" : v))}\n`);
    return 0;
  }
  const lines: string[] = [];
  if (sweepEntries !== undefined) {
    lines.push(
      `sweep: ${sweepEntries.length} parameter sets through the simulator, best by ${objective}:`,
      sweepTable(sweepEntries, objective),
      "",
    );
  }
  if (folds !== undefined) {
    lines.push(
      `walk-forward: ${folds.folds.length} folds, out-of-sample ${objective} ${folds.outOfSample[objective].toFixed(3)}, return ${(folds.outOfSample.totalReturn * 100).toFixed(2)}%`,
    );
    folds.folds.forEach((f, i) => {
      const p = Object.entries(f.inSample.best.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      lines.push(
        `  fold ${i + 1}: fit ${p} (in-sample ${f.inSample.best.score.toFixed(3)}), out-of-sample return ${(f.outOfSample.metrics.totalReturn * 100).toFixed(2)}%`,
      );
    });
    lines.push("", "the run below uses the last fold's parameters over the whole range:", "");
  }
  lines.push(`data: ${source}`, summaryTable(result));
  if (result.contract !== undefined) lines.push("", ...contractLines(result));
  if (io.interactive && result.equity.length > 1) {
    lines.push("", "equity", equityChart(result.equity, { width: 72, height: 12 }));
  }
  if (options.report !== undefined) lines.push("", `report written to ${options.report}`);
  io.out.write(`${lines.join("\n")}\n`);
  return 0;
}

/** What a perpetual adds to the summary: margin, funding and liquidations, exact where money. */
function contractLines(result: BacktestResult): string[] {
  const c = result.contract!;
  return [
    `perpetual ${result.market}: leverage ${c.leverage}x ${c.marginMode}, max used ${c.maxLeverageUsed.toFixed(2)}x`,
    `  funding paid      ${c.fundingPaid} ${c.settle}`,
    `  funding received  ${c.fundingReceived} ${c.settle} (${c.fundingPayments} payments)`,
    `  liquidations      ${c.liquidations}`,
    `  balance           ${c.initialBalance} → ${c.finalBalance} ${c.settle} (realised PnL ${c.realisedPnl}, fees ${c.fees})`,
  ];
}

/** --report names a file to write: a path that cannot be one is the user's mistake, named. */
async function writeReport(path: string, html: string): Promise<void> {
  try {
    await writeFile(path, html);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem =
      code === "ENOENT"
        ? `its folder ${dirname(resolve(path))} does not exist`
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : undefined;
    if (problem === undefined) throw err;
    throw new InvalidInputError(`--report ${path}: cannot write the report: ${problem}`, {
      cause: err,
    });
  }
}
