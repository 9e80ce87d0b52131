/**
 * Crash tests on the JetStream journal (issue 13): as kill-points.test.ts, with the Desk's journal
 * on a real nats-server, and that server killed with SIGKILL and restarted on its store while the
 * driver runs. Each case has its own nats-server (so its own stream) and its own account at one
 * shared `crypy venue serve`. The driver dies at named crash points — one of them only reachable
 * while the NATS server is down (a journal publish left unacknowledged) — and is restarted until
 * its flow is done; then what the stream replays is checked against the venue (./harness.ts):
 * nothing lost, nothing sent unjournaled, nothing doubled, every fill once.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamDeskJournal } from "../../src/actors/desk/journal/jetstream.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";
import {
  type CrashVenue,
  checkJournal,
  DESK,
  drive,
  parsePoint,
  startCrashVenue,
} from "./harness.js";

const OPS = 10;

/** What happens to the NATS server during one driver run. */
type Outage =
  /** SIGKILL and restart once the flow has done `at` operations. */
  | { restartAt: number }
  /** SIGKILL once the flow has done `at` operations; restarted only after the driver died. */
  | { downAt: number };

interface Case {
  /** Each run: where it dies (undefined: it finishes), and what the NATS server goes through. */
  runs: { crashAt?: string; outage?: Outage }[];
}

const CASES: readonly Case[] = [
  // The server restarted under a Desk that then carries on to the end; an earlier kill after an
  // intent was acknowledged by JetStream.
  { runs: [{ crashAt: "desk.intent.durable@3" }, { outage: { restartAt: 3 } }] },
  // Killed while the server is down and a journal message waits for its acknowledgement.
  { runs: [{ crashAt: "journal.publish.unacked@1", outage: { downAt: 2 } }, {}] },
  // Snapshots every 5 entries: the server restarted mid-run, then kills around a snapshot and
  // during the recovery that replays it.
  {
    runs: [
      { crashAt: "snap:desk.state.durable@6", outage: { restartAt: 2 } },
      { crashAt: "snap:desk.recover.replayed@1" },
      { outage: { restartAt: 4 } },
    ],
  },
];

let dir: string;
let venue: CrashVenue | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-crash-js-"));
  venue = await startCrashVenue(dir, CASES.length);
}, 60_000);

afterAll(async () => {
  venue?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Operations the driver has recorded as done (its `progress` file). */
function progress(state: string): number {
  const file = join(state, "progress");
  return existsSync(file) ? Number(readFileSync(file, "utf8")) : 0;
}

/**
 * Runs `outage` against `nats` while `child` runs; resolves with whether the server went down
 * while the driver was still alive (a case whose driver finished first proves nothing).
 */
async function during(
  child: ChildProcess,
  state: string,
  nats: NatsServer,
  outage: Outage,
): Promise<boolean> {
  const at = "restartAt" in outage ? outage.restartAt : outage.downAt;
  const alive = () => child.exitCode === null && child.signalCode === null;
  while (alive() && progress(state) < at) await new Promise((r) => setTimeout(r, 10));
  if (!alive()) return false;
  if ("restartAt" in outage) await nats.restart({ kill: true });
  else await nats.kill();
  return true;
}

describe("crash tests on the JetStream journal - nats-server restarted mid-run, SIGKILL at named points", () => {
  CASES.forEach((c, i) => {
    const name = c.runs.map((r) => r.crashAt ?? "finish").join(", then ");
    it(`jetstream crash - ${name}`, async () => {
      const state = await mkdtemp(join(dir, `case-${i}-`));
      const nats = await startNatsServer();
      try {
        const snapshots = c.runs.some(
          (r) => r.crashAt !== undefined && parsePoint(r.crashAt).snapshots,
        );
        const env = { CRASH_JOURNAL: "jetstream", CRASH_NATS: nats.url };
        for (const r of c.runs) {
          const point = r.crashAt === undefined ? undefined : parsePoint(r.crashAt).point;
          let outage: Promise<boolean> | undefined;
          const run = await drive(
            venue!,
            { i, state, ops: OPS, crashAt: point, snapshots, env },
            (child) => {
              if (r.outage !== undefined) outage = during(child, state, nats, r.outage);
            },
          );
          if (outage !== undefined) {
            expect(await outage, "the NATS server went down while the driver ran").toBe(true);
          }
          // A server left down for the kill comes back for the next run.
          if (r.outage !== undefined && "downAt" in r.outage) await nats.restart();
          if (point === undefined) {
            expect(run.code, run.err).toBe(0);
            expect(run.out).toContain('"done":true');
            continue;
          }
          expect(run.signal, `${point} was never reached: ${run.err || run.out}`).toBe("SIGKILL");
          const marks = await readFile(join(state, "crash-marks"), "utf8");
          expect(marks.trim().split("\n").at(-1)).toBe(point);
        }
        const nc = await connect({ servers: nats.url });
        try {
          const journal = await JetStreamDeskJournal.open(nc, DESK);
          await checkJournal(venue!, i, journal.recovered, snapshots);
        } finally {
          await nc.close();
        }
      } finally {
        await nats.cleanup();
      }
    }, 90_000);
  });
});
