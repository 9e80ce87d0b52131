/**
 * What the venue file's `latency` and `faults` do on the wire, so a client of `crypy venue serve`
 * meets the same network the in-process simulator gives its Desk:
 *
 * - Latency: every request waits one network hop before it is handled and another before its reply
 *   leaves (the venue's seeded draws; wall-clock milliseconds, whatever `--speed` is). Each
 *   WebSocket message the server sends waits one hop too, drawn from a stream of its own (so
 *   stream clients do not change the HTTP side's draws), in the order it was sent.
 * - Disconnects: inside a `faults.disconnects` window (simulated time) a request's connection is
 *   dropped without an answer, as an unreachable venue does; open WebSocket connections are
 *   terminated when the simulated clock enters the window, and upgrades refused while it lasts.
 * - `faults.rejectProbability`: an order request is refused, not executed, with 503 (-1001).
 * - `faults.lostReplies`: an order request executes, then its reply is lost — the connection dropped
 *   (`drop`) or 500 (-1000) answered (`5xx`). The client cannot know the order exists: it must look
 *   it up by its client order id.
 * - `faults.streams`: a diff-depth event is not sent with `skipDepthProbability` (its U..u ids
 *   are missing from the stream, as a lost packet: a local book must see the gap and
 *   re-snapshot); a market stream message is sent twice with `duplicateProbability` (the same
 *   payload, back to back); a connection to the stream endpoints (/ws, /stream, and USDⓈ-M's
 *   /public and /market) is terminated after every `dropConnectionEvery` stream messages it was
 *   sent (0: never). The WebSocket API and /private/ws are left alone. The draws come from a
 *   Random fork of their own, so switching them on moves no other draw.
 */
import { Random } from "../sim/random.js";
import type { Simulation } from "../venues/sim/simulation.js";

export type LostReply = "drop" | "5xx";

export class WireFaults {
  private readonly rejects: Random;
  private readonly losses: Random;
  private readonly streamLatency: Random;
  private readonly skipDraws: Random;
  private readonly duplicateDraws: Random;

  constructor(private readonly simulation: Simulation) {
    const random = new Random(simulation.config.seed).fork("venue-server");
    this.rejects = random.fork("rejects");
    this.losses = random.fork("lost-replies");
    this.streamLatency = random.fork("stream-latency");
    const streams = random.fork("stream-faults");
    this.skipDraws = streams.fork("skip-depth");
    this.duplicateDraws = streams.fork("duplicates");
  }

  /** One network hop, in ms. */
  hopMs(): number {
    return this.simulation.gate.oneWay();
  }

  /** One network hop of a WebSocket message, in ms (the venue file's latency, its own draws). */
  streamHopMs(): number {
    const { fixedMs, jitterMs } = this.simulation.config.latency;
    return fixedMs + (jitterMs > 0 ? this.streamLatency.int(0, Math.floor(jitterMs)) : 0);
  }

  /** Whether the venue file declares any disconnect window. */
  get hasDisconnects(): boolean {
    return this.simulation.config.faults.disconnects.length > 0;
  }

  /** Inside a disconnect window (now, or at simulated time `at`): connections are dropped. */
  isDown(at = this.simulation.clock.now()): boolean {
    return this.simulation.gate.isDisconnected(at);
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

  /** Whether this diff-depth event is lost (never sent). */
  skipsDepth(): boolean {
    const p = this.simulation.config.faults.streams.skipDepthProbability;
    return p > 0 && this.skipDraws.chance(p);
  }

  /** Whether this market stream message is sent twice. */
  duplicates(): boolean {
    const p = this.simulation.config.faults.streams.duplicateProbability;
    return p > 0 && this.duplicateDraws.chance(p);
  }

  /** A market stream connection is cut after this many messages (0: never). */
  get dropConnectionEvery(): number {
    return this.simulation.config.faults.streams.dropConnectionEvery;
  }
}

/** Resolves after `ms` wall-clock milliseconds (at once for 0). */
export function hop(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
