/** A backtest worker: loads the strategy and the shared candles once, then runs tasks. */
import { parentPort, workerData } from "node:worker_threads";
import { errorToWire } from "../../domain/errors.js";
import { CandleSeries } from "../../sim/data/index.js";
import { runBacktest } from "../backtest/runner.js";
import { loadOneStrategy } from "../load-one.js";
import type { WorkerReply, WorkerSetup, WorkerTask } from "./pool.js";

const setup = workerData as WorkerSetup;
const candles = new CandleSeries(setup.columns, setup.intervalMs);
const strategy = await loadOneStrategy(setup.strategy);

parentPort?.on("message", (task: WorkerTask) => {
  try {
    const result = runBacktest({
      strategy,
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
    const reply: WorkerReply = { run: task.run, id: task.id, metrics: result.metrics };
    parentPort?.postMessage(reply);
  } catch (err) {
    const reply: WorkerReply = { run: task.run, id: task.id, error: errorToWire(err) };
    parentPort?.postMessage(reply);
  }
});
