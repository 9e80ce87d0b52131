/**
 * Crash tests (issue 13): `crypy venue serve` lives in one process; a Desk with its file journal
 * (test/crash/driver.ts) lives in another and is killed with SIGKILL at named crash points
 * (src/actors/runtime/crash-point.ts) — between intent and send, between send and answer, between
 * a state and its journal entry, at a partial fill, during a halt, during recovery itself — then
 * restarted until its seeded order flow is done. Each case has its own account at the server and
 * its own state directory. Each kill must have happened at its point (the point writes a mark before
 * dying; a case whose point was never reached fails). Then the journal is checked against the
 * server: nothing lost, sent unjournaled or doubled, every fill once (./harness.ts).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileDeskJournal } from "../../src/actors/desk/journal/file.js";
import {
  type CrashVenue,
  checkJournal,
  DESK,
  drive,
  parsePoint,
  startCrashVenue,
} from "./harness.js";

const OPS = 14;

/** Each case: the crash points its runs die at, in order, then a run that finishes. */
const CASES: readonly (readonly string[])[] = [
  ["desk.intent.before@1"],
  ["desk.intent.before@5"],
  ["desk.intent.durable@1"],
  ["desk.intent.durable@4"],
  ["desk.intent.durable@9"],
  ["desk.order.answered@2"],
  ["desk.order.answered@6"],
  ["desk.state.taken@1"],
  ["desk.state.taken@3"],
  ["desk.state.taken@7"],
  ["desk.state.durable@2"],
  ["desk.state.durable@8"],
  ["desk.fill.partial@1"],
  ["desk.fill.partial@2"],
  ["desk.halt.before-cancel@1"],
  ["desk.halt.cancelled@1"],
  ["journal.write.unsynced@3"],
  ["journal.write.unsynced@10"],
  ["desk.state.taken@2", "desk.recover.replayed@1"],
  ["desk.order.answered@3", "desk.recover.looked-up@1"],
  ["desk.intent.durable@2", "desk.state.taken@4", "desk.intent.durable@3"],
  // These three snapshot the books every 5 entries: kills land around snapshots, and restarts
  // replay a snapshot and its tail.
  ["snap:desk.state.durable@6"],
  ["snap:journal.write.unsynced@12", "snap:desk.intent.durable@3"],
  ["snap:desk.fill.partial@1", "snap:desk.recover.looked-up@1"],
];

let dir: string;
let venue: CrashVenue | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-crash-"));
  venue = await startCrashVenue(dir, CASES.length);
}, 60_000);

afterAll(async () => {
  venue?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("crash tests - SIGKILL at named points, restart, nothing lost or doubled", () => {
  CASES.forEach((points, i) => {
    it(`crash - killed at ${points.join(", then ")}`, async () => {
      const state = await mkdtemp(join(dir, `case-${i}-`));
      const snapshots = points.some((p) => parsePoint(p).snapshots);
      const run = { i, state, ops: OPS, snapshots };
      for (const at of points) {
        const { point } = parsePoint(at);
        const killed = await drive(venue!, { ...run, crashAt: point });
        expect(killed.signal, `${point} was never reached: ${killed.err || killed.out}`).toBe(
          "SIGKILL",
        );
        const marks = await readFile(join(state, "crash-marks"), "utf8");
        expect(marks.trim().split("\n").at(-1)).toBe(point);
      }
      const last = await drive(venue!, run);
      expect(last.code, last.err).toBe(0);
      expect(last.out).toContain('"done":true');
      const journal = await FileDeskJournal.open(state, DESK);
      const entries = journal.recovered;
      await journal.close();
      await checkJournal(venue!, i, entries, snapshots);
    }, 120_000);
  });
});
