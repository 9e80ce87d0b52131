/**
 * Reading a Desk's journal stream back at open: every message up to the stream's last sequence as
 * the open found it, through an ordered consumer (one pass, in stream order, no acks to track).
 */
import type { JetStreamClient, StreamInfo } from "@nats-io/jetstream";
import { journalSubject } from "../../../bus/subjects.js";
import { JournalError } from "../../../journal/errors.js";
import { type Recovered, RecoveryFold } from "./jetstream-wire.js";

/** Messages asked for per pull: enough to read a long tail in few round trips. */
const PULL = 512;
/** How long one pull may wait for messages the stream already holds (ms). */
const PULL_EXPIRES_MS = 5_000;

/** Folds the stream `info` describes, from its first message to `info.state.last_seq`. */
export async function readJournal(
  js: JetStreamClient,
  info: StreamInfo,
  desk: string,
): Promise<Recovered> {
  const stream = info.config.name;
  const fold = new RecoveryFold(stream);
  const last = info.state.last_seq;
  if (info.state.messages === 0) return fold.result();
  const books = journalSubject(desk, "books");
  const consumer = await js.consumers.get(stream);
  let seen = 0;
  while (seen < last) {
    const batch = await consumer.fetch({ max_messages: PULL, expires: PULL_EXPIRES_MS });
    let got = 0;
    for await (const m of batch) {
      got++;
      seen = m.seq;
      fold.add({
        seq: m.seq,
        subject: m.subject === books ? "books" : "entries",
        data: m.data,
        header: (name) => (m.headers?.has(name) ? m.headers.get(name) : undefined),
      });
      if (seen >= last) break;
    }
    if (got === 0) {
      throw new JournalError(
        `stream ${stream}: no message after sequence ${seen} though it held messages up to ${last}`,
      );
    }
  }
  return fold.result();
}
