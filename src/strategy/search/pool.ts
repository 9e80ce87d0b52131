/**
 * A pool of worker threads running full-simulator backtests in parallel. The candles are copied
 * once into SharedArrayBuffers that every worker reads; a task is just a parameter set and an index
 * range, so walk-forward folds and sweeps reuse the same pool. Results come back in the order the
 * tasks were given, whatever the scheduling: a sweep is deterministic.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import {
  errorFromWire,
  InternalError,
  InvalidInputError,
  type WireError,
} from "../../domain/errors.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { CandleSeries } from "../../sim/data/index.js";
import type { Metrics } from "../backtest/types.js";
import type { ParamValues } from "../strategy.js";

export interface PoolSetup {
  /** A built-in strategy's name or a strategy file's path (workers load it themselves). */
  strategy: string;
  market: string;
  candles: CandleSeries;
  venue: VenueConfig;
  capital?: string;
  fraction?: number;
  /** Contract markets: the runner's leverage and margin mode (runner.ts's options). */
  leverage?: number;
  marginMode?: "cross" | "isolated";
}

export interface PoolTask {
  params: ParamValues;
  /** Candle index range [from, to) of the series; default all. */
  from?: number;
  to?: number;
}

/** What a worker is started with: it begins loading the code and the strategy at once. */
export interface WorkerStart {
  strategy: string;
}

/** What a worker receives once, before its first task: the run's market, venue and candles. */
export interface WorkerSetup {
  type: "setup";
  market: string;
  venue: VenueConfig;
  capital: string | undefined;
  fraction: number | undefined;
  leverage: number | undefined;
  marginMode: "cross" | "isolated" | undefined;
  intervalMs: number;
  columns: Record<"time" | "open" | "high" | "low" | "close" | "volume", Float64Array>;
}

/** `run` echoes the task's: a reply to a run that failed early is not taken for the next run's. */
export type WorkerReply =
  | { run: number; id: number; metrics: Metrics }
  | { run: number; id: number; error: WireError };

/** What a worker receives per task. */
export type WorkerTask = PoolTask & { run: number; id: number };

function shared(column: Float64Array): Float64Array {
  const copy = new Float64Array(new SharedArrayBuffer(column.byteLength));
  copy.set(column);
  return copy;
}

/** Workers run from compiled JS (dist) or, in development and tests, from TypeScript via tsx. */
function workerEntry(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./worker-from-source.mjs" : "./worker.js", import.meta.url);
}

export class BacktestPool {
  private readonly workers: Worker[] = [];
  private closed = false;
  private loaded = false;
  private runs = 0;

  private constructor(
    readonly size: number,
    private readonly strategy: string,
  ) {}

  /** Starts `size` workers (default: the machine's parallelism) on `setup`. */
  static start(setup: PoolSetup, size = availableParallelism()): BacktestPool {
    const pool = BacktestPool.spawn(setup.strategy, size);
    pool.load(setup);
    return pool;
  }

  /**
   * Starts `size` workers that load the code and `strategy` while the caller is still reading its
   * data (what a sweep's user waits for first); `load` gives them the rest before the first run.
   */
  static spawn(strategy: string, size = availableParallelism()): BacktestPool {
    if (!Number.isInteger(size) || size < 1) {
      throw new InvalidInputError(`workers must be a whole number of at least 1, got ${size}`);
    }
    const pool = new BacktestPool(size, strategy);
    const url = workerEntry();
    const workerData: WorkerStart = { strategy };
    for (let i = 0; i < size; i++) pool.workers.push(new Worker(url, { workerData }));
    return pool;
  }

  /** Gives the workers the market, venue and candles every task of this pool runs on; once. */
  load(setup: PoolSetup): void {
    if (this.loaded) throw new InternalError("the backtest pool is already loaded");
    if (setup.strategy !== this.strategy) {
      throw new InternalError(
        `the backtest pool runs ${this.strategy}, not ${setup.strategy}: start one for it`,
      );
    }
    this.loaded = true;
    const c = setup.candles;
    const message: WorkerSetup = {
      type: "setup",
      market: setup.market,
      venue: setup.venue,
      capital: setup.capital,
      fraction: setup.fraction,
      leverage: setup.leverage,
      marginMode: setup.marginMode,
      intervalMs: c.intervalMs,
      columns: {
        time: shared(c.time),
        open: shared(c.open),
        high: shared(c.high),
        low: shared(c.low),
        close: shared(c.close),
        volume: shared(c.volume),
      },
    };
    for (const worker of this.workers) worker.postMessage(message);
  }

  /** Runs every task; resolves with their metrics in task order, or rejects with the first error. */
  run(tasks: readonly PoolTask[]): Promise<Metrics[]> {
    if (this.closed) return Promise.reject(new InvalidInputError("the backtest pool is closed"));
    if (!this.loaded) return Promise.reject(new InternalError("the backtest pool has no data yet"));
    const results = new Array<Metrics>(tasks.length);
    const run = ++this.runs;
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      if (tasks.length === 0) {
        resolve(results);
        return;
      }
      let failed = false;
      const cleanups: Array<() => void> = [];
      const finish = (err?: unknown) => {
        for (const cleanup of cleanups) cleanup();
        if (err !== undefined) reject(err);
        else resolve(results);
      };
      const inFlight = new Map<Worker, number>(this.workers.map((w) => [w, 0]));
      const feed = (worker: Worker) => {
        if (next >= tasks.length) return;
        const id = next++;
        inFlight.set(worker, inFlight.get(worker)! + 1);
        const task: WorkerTask = { run, id, ...tasks[id]! };
        worker.postMessage(task);
      };
      // A worker holds its next task while it runs one, so it never waits for its reply to cross
      // to this thread and a task to come back (on a busy machine this thread may not run for
      // milliseconds); only while enough tasks are left that no worker ends idle behind another's.
      const topUp = (worker: Worker) => {
        if (inFlight.get(worker) === 0) feed(worker);
        if (inFlight.get(worker) === 1 && tasks.length - next >= 2 * this.workers.length) {
          feed(worker);
        }
      };
      for (const worker of this.workers) {
        const onMessage = (reply: WorkerReply) => {
          if (failed || reply.run !== run) return;
          if ("error" in reply) {
            failed = true;
            finish(errorFromWire(reply.error));
            return;
          }
          results[reply.id] = reply.metrics;
          inFlight.set(worker, inFlight.get(worker)! - 1);
          if (++done === tasks.length) finish();
          else topUp(worker);
        };
        const onError = (err: Error) => {
          if (failed) return;
          failed = true;
          finish(err);
        };
        worker.on("message", onMessage);
        worker.on("error", onError);
        cleanups.push(() => {
          worker.off("message", onMessage);
          worker.off("error", onError);
        });
        topUp(worker);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
