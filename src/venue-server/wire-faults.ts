/**
 * What the venue file's `latency` and `faults` do on the wire, so a client of `crypy venue serve`
 * meets the same network the in-process simulator gives its Desk:
 *
 * - Latency: every request waits one network hop before it is handled and another before its reply
 *   leaves (the venue's seeded draws; wall-clock milliseconds, whatever `--speed` is).
 * - Disconnects: inside a `faults.disconnects` window (simulated time) a request's connection is
 *   dropped without an answer, as an unreachable venue does.
 * - `faults.rejectProbability`: an order request is refused, not executed, with 503 (-1001).
 * - `faults.lostReplies`: an order request executes, then its reply is lost — the connection dropped
 *   (`drop`) or 500 (-1000) answered (`5xx`). The client cannot know the order exists: it must look
 *   it up by its client order id.
 */
import { Random } from "../sim/random.js";
import type { Simulation } from "../venues/sim/simulation.js";

export type LostReply = "drop" | "5xx";

export class WireFaults {
  private readonly rejects: Random;
  private readonly losses: Random;

  constructor(private readonly simulation: Simulation) {
    const random = new Random(simulation.config.seed).fork("venue-server");
    this.rejects = random.fork("rejects");
    this.losses = random.fork("lost-replies");
  }

  /** One network hop, in ms. */
  hopMs(): number {
    return this.simulation.gate.oneWay();
  }

  /** Inside a disconnect window: connections are dropped. */
  isDown(): boolean {
    return this.simulation.gate.isDisconnected(this.simulation.clock.now());
  }

  /** Whether this order request is refused before it executes. */
  rejectsOrder(): boolean {
    const p = this.simulation.config.faults.rejectProbability;
    return p > 0 && this.rejects.chance(p);
  }

  /** How this executed order's reply is lost, if it is. */
  lostReply(): LostReply | undefined {
    const { probability, as } = this.simulation.config.faults.lostReplies;
    return probability > 0 && this.losses.chance(probability) ? as : undefined;
  }
}

/** Resolves after `ms` wall-clock milliseconds (at once for 0). */
export function hop(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
