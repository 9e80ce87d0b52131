/**
 * One journal message to JetStream, retried through a disconnect or a server restart until it is
 * acknowledged or a deadline passes.
 *
 * A retry is safe because every attempt carries the same `msgID`: if an earlier attempt was stored
 * and only its acknowledgement was lost, the server answers the retry as a duplicate with the
 * sequence it stored the message at, and stores nothing. That holds while the retries stay inside
 * the stream's duplicate window, so the deadline must be shorter than that window (jetstream.ts).
 *
 * `expect.lastSequence` fences the stream: the server stores the message only if the stream's last
 * sequence is the one this writer last saw. A second writer, or a killed process's last write
 * delivered late, fails the next append with StreamFencedError instead of interleaving entries.
 * (The server checks the msgID before the expectation, so a retried duplicate is still answered.)
 */
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { type MsgHdrs, RequestError, TimeoutError } from "@nats-io/transport-node";
import { crashPoint } from "../../../journal/crash-point.js";
import { JournalError } from "../../../journal/errors.js";
import type { Clock } from "../../../time/clock.js";

export interface PublishRetry {
  /** Whose time the deadline is in: the wall clock live, a test's own otherwise. */
  clock: Clock;
  /** Give up this long after the first attempt (ms). */
  retryForMs: number;
  /** Wait this long for one attempt's acknowledgement (ms). */
  attemptTimeoutMs: number;
  /** Told of each failed attempt that will be retried: for a log line. */
  onRetry?: (attempt: number, err: unknown) => void;
}

export interface JournalMessage {
  subject: string;
  data: Uint8Array;
  msgID: string;
  /** The stream's last sequence this message must follow. */
  after: number;
  headers?: MsgHdrs;
}

/** Another writer, or a late write of a killed one, changed the stream under this journal. */
export class StreamFencedError extends JournalError {
  static override readonly code: string = "journal_fenced";
}

/**
 * Publishes `msg`, retrying transient failures. Resolves with the acknowledgement; rejects with a
 * JournalError naming the stream and why (never with a bare client error).
 */
export async function publishDurably(
  js: JetStreamClient,
  stream: string,
  msg: JournalMessage,
  retry: PublishRetry,
): Promise<PubAck> {
  const now = () => retry.clock.now();
  const deadline = now() + retry.retryForMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await js.publish(msg.subject, msg.data, {
        msgID: msg.msgID,
        expect: { lastSequence: msg.after, streamName: stream },
        timeout: retry.attemptTimeoutMs,
        ...(msg.headers === undefined ? {} : { headers: msg.headers }),
      });
    } catch (err) {
      if (isFenced(err)) {
        throw new StreamFencedError(
          `journal stream ${stream} changed under this writer (message ${msg.msgID} expected last sequence ${msg.after}): another process writes this Desk's journal, or a killed one's last write arrived late; restart to replay it`,
          { cause: err },
        );
      }
      const waitMs = Math.min(100 * 2 ** (attempt - 1), 1_000);
      if (!isTransient(err) || now() + waitMs > deadline) {
        const reason = err instanceof Error ? err.message : String(err);
        const gaveUp = isTransient(err) ? ` (gave up after ${attempt} attempts)` : "";
        throw new JournalError(
          `journal stream ${stream}: message ${msg.msgID} not acknowledged: ${reason}${gaveUp}`,
          { cause: err },
        );
      }
      retry.onRetry?.(attempt, err);
      crashPoint("journal.publish.unacked");
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

function isFenced(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/**
 * Worth another attempt: no answer in time (server down, restarting, or the ack lost), nobody
 * answering yet (JetStream still recovering its streams after a restart), or the server saying it
 * is temporarily unavailable (503). A closed connection or a permission refused is not.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof TimeoutError) return true;
  // How the client reports no responders to a publish (its class is not exported).
  if (err instanceof Error && err.name === "JetStreamNotEnabled") return true;
  if (err instanceof RequestError) {
    return (
      err.isNoResponders() ||
      err.cause instanceof TimeoutError ||
      err.message === "connection disconnected"
    );
  }
  return err instanceof JetStreamApiError && err.status === 503;
}
