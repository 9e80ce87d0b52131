/**
 * Replay of several recorded streams at once (candles, trades, book events of a market), merged
 * into one time order and published on the bus as a live source would publish them.
 *
 * Rules:
 * - Each stream yields messages in time order; the merge takes the earliest head next, and on a
 *   tie the stream listed first (candles, then trades, then the book): one total order, the same
 *   on every run.
 * - Each message goes out when the replay's clock reaches its time. The clock starts at `start`
 *   (default: the first message's time) and runs `speed` times the wall clock; `max` waits for
 *   nothing (the bus is flushed every 1000 messages so a backlog stays bounded).
 * - Each subject's messages are numbered from 1 (`seq`), as a Desk or a Recorder numbers them.
 */
import type { Bus } from "../bus/bus.js";
import { InvalidInputError } from "../domain/errors.js";

export interface ReplayMessage {
  /** Epoch ms: when it goes out on the replay's clock. */
  time: number;
  subject: string;
  /** The message without its `seq`, which the replay adds. */
  body: Record<string, unknown>;
}

export interface ReplayStreamsOptions {
  /** Simulated seconds per real second, or "max". */
  speed: number | "max";
  /** Epoch ms where the replay's clock starts (default: the first message's time). */
  start?: number;
  /** Stops the replay early (SIGINT). */
  signal?: AbortSignal;
  /** Waits `ms` of wall time (injected in tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** How many messages went out, in all and per subject. */
export interface ReplayCounts {
  sent: number;
  bySubject: Map<string, number>;
}

export async function replayStreams(
  bus: Bus,
  streams: readonly AsyncIterable<ReplayMessage>[],
  options: ReplayStreamsOptions,
): Promise<ReplayCounts> {
  const { speed } = options;
  if (speed !== "max" && !(speed > 0))
    throw new InvalidInputError(`--speed must be a positive number or max, got ${speed}`);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: (ReplayMessage | undefined)[] = await Promise.all(
    iterators.map(async (it) => (await it.next()).value ?? undefined),
  );
  const counts: ReplayCounts = { sent: 0, bySubject: new Map() };
  let start = options.start;
  const wallStart = Date.now();
  try {
    for (;;) {
      if (options.signal?.aborted === true) break;
      let pick = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head !== undefined && (pick < 0 || head.time < heads[pick]!.time)) pick = i;
      }
      if (pick < 0) break;
      const message = heads[pick]!;
      start ??= message.time;
      if (speed !== "max") {
        const wait = wallStart + (message.time - start) / speed - Date.now();
        if (wait > 0) await sleep(wait);
      } else if (counts.sent % 1_000 === 999) {
        await bus.flush();
      }
      const seq = (counts.bySubject.get(message.subject) ?? 0) + 1;
      counts.bySubject.set(message.subject, seq);
      counts.sent++;
      bus.publish(message.subject, { ...message.body, seq });
      heads[pick] = (await iterators[pick]!.next()).value ?? undefined;
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
  await bus.flush();
  return counts;
}
