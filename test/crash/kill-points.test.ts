/**
 * Crash tests (issue 13): `crypy venue serve` lives in one process; a Desk with its file journal
 * (test/crash/driver.ts) lives in another and is killed with SIGKILL at named crash points
 * (src/actors/runtime/crash-point.ts) — between intent and send, between send and answer, between
 * a state and its journal entry, at a partial fill, during a halt, during recovery itself — then
 * restarted until its seeded order flow is done. Each case has its own account at the server and
 * its own state directory. Each kill must have happened at its point (the point writes a mark before
 * dying; a case whose point was never reached fails). Then, from the journal and the server:
 *
 * - no order lost: every intent the journal holds is at the server, or journaled as never received
 *   (and the server does not know it);
 * - nothing sent unjournaled, nothing duplicated: every order that traded at the server is one of
 *   the journal's intents, each client order id once;
 * - every fill journaled exactly once: an order's journaled states fill strictly more each time, and
 *   the last is what the server filled; the journal's bought and sold base equal the server's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeskEntry } from "../../src/actors/desk/journal/entries.js";
import { FileDeskJournal } from "../../src/actors/desk/journal/file.js";
import { writeVenueFile } from "../support/venue-file.js";
import { waitUntil } from "../support/wait.js";

/** The driver's Desk (test/crash/driver.ts). */
const DESK = "crash-main";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
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

/** A case's point, and whether its Desk snapshots every 5 entries (`snap:`). */
function parsePoint(point: string): { point: string; snapshots: boolean } {
  return point.startsWith("snap:")
    ? { point: point.slice(5), snapshots: true }
    : { point, snapshots: false };
}

let dir: string;
let server: ChildProcess;
let base = "";

// Made up for the simulated accounts of this test: not secrets.
const key = (i: number) => `crash-key-${i}-not-a-secret`;
const secret = (i: number) => `crash-secret-${i}-not-a-secret`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-crash-"));
  const accounts = Object.fromEntries(
    CASES.map((_, i) => [
      `crash${i}`,
      { USDT: "100000", apiKeys: [{ key: key(i), secret: secret(i) }] },
    ]),
  );
  const file = await writeVenueFile(dir, {
    accounts,
    latency: { fixedMs: 0, jitterMs: 0 },
    // Every driver comes from one address: no request-weight limit to speak of.
    rateLimit: { requests: 100_000_000, windowMs: 60_000 },
    // A thin best level, so a bigger limit order fills in part and rests.
    liquidity: {
      spreadBps: 2,
      levels: 20,
      levelSpacingBps: 1,
      levelNotional: "500",
      depthGrowth: 1.15,
      refreshMs: 1000,
      fillRule: "through",
      queuePosition: false,
      inventory: { BTC: "10000", ETH: "100000", USDT: "500000000", USDC: "200000000" },
    },
  });
  server = spawn(
    process.execPath,
    [join(ROOT, "bin/crypy"), "venue", "serve", file, "--port", "0", "--speed", "60"],
    {
      env: { ...process.env, CRYPY_LOG_LEVEL: "error" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  server.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  await waitUntil(() => out.includes("Ctrl-C stops"), "the venue server", 30_000);
  base = /(http:\/\/127\.0\.0\.1:\d+)\/api\/v3/.exec(out)![1]!;
}, 60_000);

afterAll(async () => {
  server?.kill("SIGINT");
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function drive(i: number, state: string, crashAt?: string, snapshots = false): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/crash/driver.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      CRYPY_LOG_LEVEL: "error",
      CRASH_STATE: state,
      CRASH_SERVER: base,
      CRASH_KEY: key(i),
      CRASH_SECRET: secret(i),
      CRASH_SEED: `case-${i}`,
      CRASH_OPS: String(OPS),
      CRYPY_CRASH_AT: crashAt ?? "",
      CRASH_SNAPSHOT_EVERY: snapshots ? "5" : "",
      CRYPY_CRASH_MARK: join(state, "crash-marks"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, out, err })),
  );
}

/** A signed GET of the server's API as account `i` (the test's own view of the exchange). */
async function signedGet(
  i: number,
  path: string,
  params: Record<string, string>,
): Promise<unknown> {
  const query = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  const signature = createHmac("sha256", secret(i)).update(query).digest("hex");
  const res = await fetch(`${base}${path}?${query}&signature=${signature}`, {
    headers: { "X-MBX-APIKEY": key(i) },
  });
  return res.json();
}

interface ServerOrder {
  orderId?: number;
  executedQty?: string;
  side?: string;
  code?: number;
}
interface ServerTrade {
  orderId: number;
  qty: string;
  isBuyer: boolean;
}

const units = (text: string) => BigInt(Math.round(Number(text) * 1e8));

/**
 * `snapshots`: the journal starts from a snapshot of the books, so the orders before it are
 * compacted away: their intents are checked where they still are (open ones, in the books), and
 * the whole-history sums (every traded order an intent, bought and sold equal) are not.
 */
async function check(i: number, state: string, snapshots: boolean): Promise<void> {
  const journal = await FileDeskJournal.open(state, DESK);
  const entries: readonly DeskEntry[] = journal.recovered;
  await journal.close();
  if (snapshots) expect(entries[0]?.kind, "a restart from a snapshot").toBe("desk.books");
  const books = entries[0]?.kind === "desk.books" ? entries[0] : undefined;
  const intents = [
    ...(books?.open.map((o) => o.intent) ?? []),
    ...entries.filter((e) => e.kind === "desk.intent"),
  ];
  const ids = intents.map((e) => e.clientOrderId);
  expect(new Set(ids).size).toBe(ids.length);
  const lost = new Set(entries.flatMap((e) => (e.kind === "desk.lost" ? [e.clientOrderId] : [])));

  const serverIds = new Map<number, string>();
  const bought = { journal: 0n, server: 0n };
  const sold = { journal: 0n, server: 0n };
  for (const intent of intents) {
    const at = (await signedGet(i, "/api/v3/order", {
      symbol: "BTCUSDT",
      origClientOrderId: intent.clientOrderId,
    })) as ServerOrder;
    if (lost.has(intent.clientOrderId)) {
      expect(at.code, `${intent.clientOrderId} journaled lost but at the server`).toBe(-2013);
      continue;
    }
    expect(at.orderId, `${intent.clientOrderId} in the journal, not at the server`).toBeDefined();
    serverIds.set(at.orderId!, intent.clientOrderId);
    // An order open at the snapshot starts from the state the books kept.
    const kept = books?.open.find((o) => o.intent.clientOrderId === intent.clientOrderId)?.last;
    const states = [
      ...(kept === undefined ? [] : [kept]),
      ...entries.flatMap((e) =>
        e.kind === "desk.order" && e.order.clientOrderId === intent.clientOrderId ? [e.order] : [],
      ),
    ];
    const fills = states.map((s) => units(s.filled));
    for (let k = 1; k < fills.length; k++) {
      expect(fills[k]! >= fills[k - 1]!, `${intent.clientOrderId}: a fill journaled twice`).toBe(
        true,
      );
    }
    const last = fills.at(-1) ?? 0n;
    expect(last, `${intent.clientOrderId}: journaled fill vs the server's`).toBe(
      units(at.executedQty!),
    );
    if (intent.side === "buy") bought.journal += last;
    else sold.journal += last;
  }
  if (books !== undefined) return;
  const trades = (await signedGet(i, "/api/v3/myTrades", {
    symbol: "BTCUSDT",
    limit: "1000",
  })) as ServerTrade[];
  for (const t of trades) {
    expect(serverIds.has(t.orderId), `order ${t.orderId} traded at the server, unjournaled`).toBe(
      true,
    );
    if (t.isBuyer) bought.server += units(t.qty);
    else sold.server += units(t.qty);
  }
  expect(bought.journal).toBe(bought.server);
  expect(sold.journal).toBe(sold.server);
}

describe("crash tests - SIGKILL at named points, restart, nothing lost or doubled", () => {
  CASES.forEach((points, i) => {
    it(`crash - killed at ${points.join(", then ")}`, async () => {
      const state = await mkdtemp(join(dir, `case-${i}-`));
      const snapshots = points.some((p) => parsePoint(p).snapshots);
      for (const at of points) {
        const { point } = parsePoint(at);
        const run = await drive(i, state, point, snapshots);
        expect(run.signal, `${point} was never reached: ${run.err || run.out}`).toBe("SIGKILL");
        const marks = await readFile(join(state, "crash-marks"), "utf8");
        expect(marks.trim().split("\n").at(-1)).toBe(point);
      }
      const last = await drive(i, state, undefined, snapshots);
      expect(last.code, last.err).toBe(0);
      expect(last.out).toContain('"done":true');
      await check(i, state, snapshots);
    }, 120_000);
  });
});
