/**
 * What the crash tests share: one `crypy venue serve` with an account per case, the driver process
 * (test/crash/driver.ts) run until it dies or finishes, and the check of a Desk's journal against
 * what the server says happened:
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
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { DeskEntry } from "../../src/actors/desk/journal/entries.js";
import { writeVenueFile } from "../support/venue-file.js";
import { waitUntil } from "../support/wait.js";

/** The driver's Desk (test/crash/driver.ts). */
export const DESK = "crash-main";
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// Made up for the simulated accounts of these tests: not secrets.
const key = (i: number) => `crash-key-${i}-not-a-secret`;
const secret = (i: number) => `crash-secret-${i}-not-a-secret`;

export interface CrashVenue {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  stop(): void;
}

/** `crypy venue serve` in its own process, with accounts `crash0` … `crash<accounts-1>`. */
export async function startCrashVenue(dir: string, accounts: number): Promise<CrashVenue> {
  const file = await writeVenueFile(dir, {
    accounts: Object.fromEntries(
      Array.from({ length: accounts }, (_, i) => [
        `crash${i}`,
        { USDT: "100000", apiKeys: [{ key: key(i), secret: secret(i) }] },
      ]),
    ),
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
  const server: ChildProcess = spawn(
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
  const base = /(http:\/\/127\.0\.0\.1:\d+)\/api\/v3/.exec(out)![1]!;
  return { base, stop: () => server.kill("SIGINT") };
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export interface DriveOptions {
  /** The case's account at the server, and its seed. */
  i: number;
  state: string;
  ops: number;
  crashAt?: string | undefined;
  snapshots?: boolean;
  /** More environment for the driver (its journal choice). */
  env?: Record<string, string>;
}

/** Runs the driver until it exits; `started` gets the child, e.g. to act while it runs. */
export function drive(
  venue: CrashVenue,
  o: DriveOptions,
  started?: (child: ChildProcess) => void,
): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/crash/driver.ts")], {
    cwd: ROOT,
    env: {
      ...process.env,
      CRYPY_LOG_LEVEL: "error",
      CRASH_STATE: o.state,
      CRASH_SERVER: venue.base,
      CRASH_KEY: key(o.i),
      CRASH_SECRET: secret(o.i),
      CRASH_SEED: `case-${o.i}`,
      CRASH_OPS: String(o.ops),
      CRYPY_CRASH_AT: o.crashAt ?? "",
      CRASH_SNAPSHOT_EVERY: o.snapshots === true ? "5" : "",
      CRYPY_CRASH_MARK: join(o.state, "crash-marks"),
      ...o.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started?.(child);
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
  venue: CrashVenue,
  i: number,
  path: string,
  params: Record<string, string>,
): Promise<unknown> {
  const query = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  const signature = createHmac("sha256", secret(i)).update(query).digest("hex");
  const res = await fetch(`${venue.base}${path}?${query}&signature=${signature}`, {
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
 * Checks the journal's `entries` (what a restart would replay) against account `i` at the server.
 * `snapshots`: the journal starts from a snapshot of the books, so the orders before it are
 * compacted away: their intents are checked where they still are (open ones, in the books), and
 * the whole-history sums (every traded order an intent, bought and sold equal) are not.
 */
export async function checkJournal(
  venue: CrashVenue,
  i: number,
  entries: readonly DeskEntry[],
  snapshots: boolean,
): Promise<void> {
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
    const at = (await signedGet(venue, i, "/api/v3/order", {
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
  const trades = (await signedGet(venue, i, "/api/v3/myTrades", {
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

/** A case's point, and whether its Desk snapshots every 5 entries (`snap:`). */
export function parsePoint(point: string): { point: string; snapshots: boolean } {
  return point.startsWith("snap:")
    ? { point: point.slice(5), snapshots: true }
    : { point, snapshots: false };
}
