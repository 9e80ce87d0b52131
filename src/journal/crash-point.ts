/**
 * Named points where a crash test kills this process with SIGKILL, to prove that nothing is lost
 * wherever a crash lands (issue 13). Inert unless the process was started with
 * `CRYPY_CRASH_AT=<name>` or `<name>@<n>` (the n-th time that point is reached; default the
 * first). Before dying it appends `<name>@<n>` to the file `CRYPY_CRASH_MARK` names (and fsyncs
 * it), so the test knows the point was reached and did not just time out.
 *
 * Every point is listed in CRASH_POINTS, so a test can check that it reaches each one.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

export const CRASH_POINTS = [
  /** The order is reserved; its intent is not yet journaled. */
  "desk.intent.before",
  /** The intent is durable; the venue has not been called. */
  "desk.intent.durable",
  /** The venue answered the order; the answer is not yet taken in. */
  "desk.order.answered",
  /** An order state is taken in (a fill accounted); its journal entry is not yet durable. */
  "desk.state.taken",
  /** An order state's entry is durable; the owner has not been told. */
  "desk.state.durable",
  /** A partial fill is taken in. */
  "desk.fill.partial",
  /** A halt is on record; its cancels have not been sent. */
  "desk.halt.before-cancel",
  /** A halt's cancels are answered. */
  "desk.halt.cancelled",
  /** Restart: the journal is replayed; the venue not yet asked. */
  "desk.recover.replayed",
  /** Restart: one order was looked up by client id. */
  "desk.recover.looked-up",
  /** A journal write is in the file, its fsync not yet done. */
  "journal.write.unsynced",
  /** A JetStream journal message went unacknowledged (server down, restarting): a retry is due. */
  "journal.publish.unacked",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

const wanted = parse(process.env.CRYPY_CRASH_AT);
const hits = new Map<string, number>();

function parse(text: string | undefined): { name: string; n: number } | undefined {
  if (text === undefined || text === "") return undefined;
  const [name = "", n] = text.split("@");
  return { name, n: n === undefined ? 1 : Number(n) };
}

/** Kills the process here if a crash test asked for this point (and this occurrence of it). */
export function crashPoint(name: CrashPoint): void {
  if (wanted === undefined || wanted.name !== name) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  if (n !== wanted.n) return;
  const mark = process.env.CRYPY_CRASH_MARK;
  if (mark !== undefined && mark !== "") {
    const fd = openSync(mark, "a");
    writeSync(fd, `${name}@${n}\n`);
    fsyncSync(fd);
    closeSync(fd);
  }
  process.kill(process.pid, "SIGKILL");
}
