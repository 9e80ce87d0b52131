/** The main thread's handle on the Trader thread: start it, await each tick's report, close it. */
import { Worker } from "node:worker_threads";
import type { TraderCommand, TraderReport, TraderSetup } from "./protocol.js";

export type TickReport = Extract<TraderReport, { type: "tick" }>;

export interface TraderThread {
  /** Resolves with the report of the next tick the Trader handles (call before publishing it). */
  nextTick(): Promise<TickReport>;
  close(): Promise<void>;
}

export async function startTraderThread(setup: TraderSetup): Promise<TraderThread> {
  const worker = new Worker(new URL("./trader-side-entry.mjs", import.meta.url), {
    workerData: setup,
  });
  let waiting: { resolve: (r: TickReport) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  const failed = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
    waiting = undefined;
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (report: TraderReport) => {
      if (report.type === "ready") resolve();
      else if (report.type === "error") {
        const error = new Error(`the ${setup.kind} Trader thread failed: ${report.message}`);
        reject(error);
        failed(error);
      } else {
        waiting?.resolve(report);
        waiting = undefined;
      }
    });
    worker.on("error", (err) => {
      reject(err);
      failed(err);
    });
  });
  await ready;
  return {
    nextTick() {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise<TickReport>((resolve, reject) => {
        waiting = { resolve, reject };
      });
    },
    async close() {
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage({ type: "close" } satisfies TraderCommand);
      // A thread that does not wind down in time is stopped: the bench must not hang on exit.
      const stuck = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(stuck);
    },
  };
}
