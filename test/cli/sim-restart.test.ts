/**
 * `crypy sim` killed with SIGKILL mid-session comes back where it was (issue 13): the real
 * bin/crypy (built), its state in the test's own directory. The first run trades until the Desk
 * has reported fills, and is killed; the second resumes its simulator from the journal — at the
 * time of the last durable entry, with that entry's balances, not the venue file's starting
 * ones — and stops cleanly. Over both runs the simulator's final balances are the starting ones
 * plus exactly the fills the journal holds.
 */
import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeskEntry } from "../../src/actors/desk/journal/entries.js";
import { lastVenueState } from "../../src/actors/desk/journal/venue-state.js";
import { parseDecimal } from "../../src/domain/fixed.js";
import type { Order } from "../../src/domain/order.js";
import { nodeFiles, scanJournal } from "../../src/journal/index.js";
import type { SavedExchange } from "../../src/sim/saved-state.js";
import { parseSavedExchange } from "../../src/sim/saved-state-parse.js";
import { waitUntil } from "../support/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const run = promisify(execFile);
/** The shipped venue file's account: all it starts with (minor units, 8 decimals). */
const STARTING = { USDT: 10_000n * 10n ** 8n };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-sim-restart-"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({
  ...process.env,
  CRYPY_LOG_LEVEL: "error",
  CRYPY_STATE_DIR: join(dir, "state"),
});
const args = ["sim", "--templates", "templates", "--speed", "max", "--json"];

/** What the journal holds now, as a restart reads it. */
async function journal(): Promise<{ entries: DeskEntry[]; saved: SavedExchange }> {
  const scan = await scanJournal(nodeFiles, join(dir, "state", "journal", "sim-main"));
  const covered = scan.snapshot?.seq ?? 0;
  const entries = [
    ...((scan.snapshot?.state as DeskEntry[] | undefined) ?? []),
    ...scan.entries.filter((e) => e.seq > covered).map((e) => e.record as DeskEntry),
  ];
  return { entries, saved: parseSavedExchange(lastVenueState(entries)) };
}

/** main's total of each asset, minor units. */
const totals = (saved: SavedExchange) =>
  Object.fromEntries(
    Object.entries(saved.ledger.main ?? {})
      .map(([asset, [free, locked]]) => [asset, BigInt(free) + BigInt(locked)] as const)
      .filter(([, units]) => units !== 0n),
  );

/** The starting balances plus what every fill in the journal moved, per asset. */
function explained(entries: readonly DeskEntry[]): Record<string, bigint> {
  const out: Record<string, bigint> = { ...STARTING };
  const add = (asset: string, units: bigint) => {
    out[asset] = (out[asset] ?? 0n) + units;
  };
  const last = new Map<string, Order>();
  for (const e of entries) {
    expect(e.kind, "no snapshot in a run this short").not.toBe("desk.books");
    if (e.kind !== "desk.order") continue;
    const before = last.get(e.order.clientOrderId);
    last.set(e.order.clientOrderId, e.order);
    const [base, quote] = e.order.symbol.split("/") as [string, string];
    const sign = e.order.side === "buy" ? 1n : -1n;
    const delta = (now: string | undefined, then: string | undefined) =>
      parseDecimal(now ?? "0", 8) - parseDecimal(then ?? "0", 8);
    add(base, sign * delta(e.order.filled, before?.filled));
    add(quote, -sign * delta(e.order.cost, before?.cost));
    if (e.order.fee !== undefined)
      add(e.order.fee.currency, -delta(e.order.fee.cost, before?.fee?.cost));
  }
  return Object.fromEntries(Object.entries(out).filter(([, units]) => units !== 0n));
}

describe("cli - crypy sim survives SIGKILL", () => {
  it("cli - killed mid-session, crypy sim resumes its simulator from the journal: its time, balances and orders go on", async () => {
    const first = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: env() });
    let out = "";
    first.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.on("exit", (_code, signal) => resolve(signal)),
    );
    await waitUntil(
      () => (out.match(/"event":"order\.filled"/g) ?? []).length >= 2,
      "the Desk to report fills",
      90_000,
    );
    first.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const killed = await journal();
    const startedAt = (JSON.parse(out.split("\n")[0]!) as { ts: number }).ts;
    expect(killed.saved.time).toBeGreaterThan(startedAt);
    // Traded: the journal's last venue state is not the venue file's starting account.
    expect(totals(killed.saved)).not.toEqual(STARTING);

    const second = await run(process.execPath, [BIN, ...args, "--exit-after", "20m"], {
      cwd: dir,
      env: env(),
      timeout: 150_000,
      maxBuffer: 64 << 20,
    });
    expect(second.stderr).toContain(
      `sim-main resumes its simulator from its journal, at ${new Date(killed.saved.time).toISOString()}`,
    );
    const events = second.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { ts: number; actor: string; event: string });
    expect(events[0]!.ts).toBeGreaterThanOrEqual(killed.saved.time);
    expect(events.find((e) => e.event === "desk.recovered")).toMatchObject({
      actor: "sim-main",
      entries: killed.entries.length,
      lookedUp: expect.any(Number),
      lost: expect.any(Number),
    });
    expect(events).toContainEqual(
      expect.objectContaining({ actor: "sim-main", event: "actor.stopped" }),
    );

    const after = await journal();
    // Stopped cleanly: its last venue state is 20 simulated minutes on, and its balances are the
    // starting ones plus every fill on record, from both runs.
    expect(after.saved.time).toBeGreaterThanOrEqual(killed.saved.time + 20 * 60_000);
    expect(after.saved.nextOrder).toBeGreaterThanOrEqual(killed.saved.nextOrder);
    expect(totals(after.saved)).toEqual(explained(after.entries));
    // Orders open at the kill are at the venue still, or ended with an entry saying so.
    for (const o of killed.saved.orders.filter((s) => s.status === "open")) {
      const now = after.saved.orders.find((s) => s.num === o.num);
      const ended = after.entries.some(
        (e) =>
          e.kind === "desk.order" &&
          e.order.clientOrderId === o.clientOrderId &&
          e.order.status !== "open",
      );
      expect(now !== undefined || ended, `order ${o.num}`).toBe(true);
    }
  }, 300_000);
});
