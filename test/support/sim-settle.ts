/**
 * Driving a simulated venue's virtual clock from a test: `flush` lets the bus and the turn's
 * callbacks run; `settle` runs the clock until a promise settles (a venue request waits for
 * latency timers) and returns its value or throws its error; `advance` runs it for `ms`.
 */
import type { Bus } from "../../src/bus/bus.js";
import type { Simulation } from "../../src/venues/sim/simulation.js";

export interface SimSettling {
  flush(): Promise<void>;
  settle<T>(promise: Promise<T>): Promise<T>;
  advance(ms: number): Promise<void>;
}

export function simSettling(simulation: Simulation, bus: Bus): SimSettling {
  const clock = simulation.clock;
  const flush = async () => {
    for (let i = 0; i < 3; i++) {
      await bus.flush();
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  const settle = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    const outcome = promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    void outcome.then(() => {
      done = true;
    });
    await simulation.runSettled(flush, { until: clock.now() + 3_600_000, shouldStop: () => done });
    const result = await outcome;
    await flush();
    if (!result.ok) throw result.error;
    return result.value;
  };
  const advance = async (ms: number) => {
    await simulation.runSettled(flush, { until: clock.now() + ms, shouldStop: () => false });
    await flush();
  };
  return { flush, settle, advance };
}
