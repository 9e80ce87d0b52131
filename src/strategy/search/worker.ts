/**
 * A backtest worker: loads the strategy as soon as it starts, takes the run's market, venue and
 * shared candles from its first message, then runs tasks. Tasks that arrive before both are ready
 * wait their turn in order; if the strategy cannot be loaded, every task is answered with why.
 */
import { parentPort, workerData } from "node:worker_threads";
import { errorToWire } from "../../domain/errors.js";
import { CandleSeries } from "../../sim/data/index.js";
import { runBacktest } from "../backtest/runner.js";
import { loadOneStrategy } from "../load-one.js";
import type { Strategy } from "../strategy.js";
import type { WorkerReply, WorkerSetup, WorkerStart, WorkerTask } from "./pool.js";

const start = workerData as WorkerStart;
const strategy = loadOneStrategy(start.strategy);
// Settled with the tasks; not an unhandled rejection while the setup has not come yet.
strategy.catch(() => undefined);

interface Context {
  strategy: Strategy;
  setup: WorkerSetup;
  candles: CandleSeries;
}

let ready: Promise<Context> | undefined;

function run(context: Context, task: WorkerTask): WorkerReply {
  const { setup, candles } = context;
  const result = runBacktest({
    strategy: context.strategy,
    params: task.params,
    market: setup.market,
    candles: candles.slice(task.from ?? 0, task.to ?? candles.length),
    venue: setup.venue,
    ...(setup.capital === undefined ? {} : { capital: setup.capital }),
    ...(setup.fraction === undefined ? {} : { fraction: setup.fraction }),
    ...(setup.leverage === undefined ? {} : { leverage: setup.leverage }),
    ...(setup.marginMode === undefined ? {} : { marginMode: setup.marginMode }),
    metricsOnly: true,
  });
  return { run: task.run, id: task.id, metrics: result.metrics };
}

parentPort?.on("message", (message: WorkerSetup | WorkerTask) => {
  if ("type" in message) {
    const setup = message;
    ready = strategy.then((loaded) => ({
      strategy: loaded,
      setup,
      candles: new CandleSeries(setup.columns, setup.intervalMs),
    }));
    ready.catch(() => undefined);
    return;
  }
  const task = message;
  // The pool sends its setup before any task; `then` callbacks run in the order they were added,
  // so replies keep the order the tasks came in.
  (ready ?? Promise.reject(new Error("a task came before the worker's setup"))).then(
    (context) => {
      let reply: WorkerReply;
      try {
        reply = run(context, task);
      } catch (err) {
        reply = { run: task.run, id: task.id, error: errorToWire(err) };
      }
      parentPort?.postMessage(reply);
    },
    (err: unknown) => {
      parentPort?.postMessage({ run: task.run, id: task.id, error: errorToWire(err) });
    },
  );
});
