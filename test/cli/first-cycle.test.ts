/**
 * A new user's first session: `crypy sim` with the shipped templates and the shipped venue (its
 * seed included), nothing edited, shows a whole Trader cycle — proposed, accepted, a buy placed and
 * filled, a sell placed and filled, exited — within 10 simulated hours: ten minutes of wall time
 * at the default speed (a simulated minute per second). Run here at --speed max on the virtual
 * clock, which starts with the same market history as a live session.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const run = promisify(execFile);
const HOURS = 10;

interface Event {
  ts: number;
  actor: string;
  event: string;
  [field: string]: unknown;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-first-cycle-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The Trader an event belongs to: its own events, or the one the Holder or the Desk names. */
function traderOf(e: Event): string | undefined {
  if (e.event.startsWith("trader.")) return e.actor;
  return typeof e.trader === "string" ? e.trader : undefined;
}

/**
 * The events of the first Trader attempt that went the whole way, in order. A Trader's id is its
 * pair's, so a fresh Trader on the same pair reuses it: an attempt runs from its trader.proposed
 * to the next one. The Desk's events of its orders come in too, also after trader.ended: the
 * Desk says a fill once it is journaled, the Trader has it from the reply before that.
 */
function firstCycle(events: readonly Event[]): Event[] | undefined {
  const attempts = new Map<string, Event[]>();
  const whole: Event[][] = [];
  for (const e of events) {
    const trader = traderOf(e);
    if (trader === undefined) continue;
    if (e.event === "trader.proposed") attempts.set(trader, []);
    const attempt = attempts.get(trader);
    if (attempt === undefined) continue;
    attempt.push(e);
    if (e.event === "trader.exited" && e.reason !== "system stopping") {
      const seen = attempt.map((a) => a.event);
      if (seen.includes("holder.accepted") && seen.includes("order.filled")) whole.push(attempt);
    }
  }
  return whole[0];
}

describe("cli - a new user's first cycle", () => {
  it(`cli - with the shipped templates and venue, a Trader proposes, is accepted, buys, sells and exits within ${HOURS} simulated hours`, async () => {
    const venue = parse(await readFile(join(ROOT, "venues/sim.yaml"), "utf8")) as { seed: unknown };
    const { stdout } = await run(
      process.execPath,
      [BIN, "sim", "--speed", "max", "--exit-after", `${HOURS}h`, "--json"],
      {
        env: {
          ...process.env,
          CRYPY_LOG_LEVEL: "error",
          // First run: crypy copies the shipped templates here, as for a new user.
          CRYPY_TEMPLATES: join(dir, "templates"),
          CRYPY_STATE_DIR: join(dir, "state"),
        },
        timeout: 150_000,
        maxBuffer: 64 << 20,
      },
    );
    const events = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Event);
    const start = events[0]!.ts;
    const cycle = firstCycle(events);
    const told = events
      .filter((e) => /^(trader\.(proposed|exited|ended)|holder\.|order\.)/.test(e.event))
      .slice(0, 40)
      .map((e) => `${Math.round((e.ts - start) / 60_000)}m ${e.actor} ${e.event}`)
      .join("\n");
    expect(
      cycle,
      `no whole cycle in ${HOURS}h on seed ${venue.seed}; the events:\n${told}`,
    ).toBeDefined();

    const trader = cycle![0]!.actor;
    const market = cycle![0]!.market;
    const at = (event: string, side?: string) =>
      cycle!.findIndex((e) => e.event === event && (side === undefined || e.side === side));
    const steps = [
      at("trader.proposed"),
      at("holder.accepted"),
      at("order.placed", "buy"),
      at("order.filled", "buy"),
      at("order.placed", "sell"), // its stop loss at the venue, or the exit's sell
      at("trader.exited"),
    ];
    for (const step of steps) expect(step, told).toBeGreaterThanOrEqual(0);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // The exit sold: the Desk told the sell's fill, after the first sell was placed.
    expect(at("order.filled", "sell"), told).toBeGreaterThan(steps[4]!);
    for (const i of steps) {
      expect(traderOf(cycle![i]!)).toBe(trader);
      expect(cycle![i]!.market).toBe(market);
    }
    // The Holder accepted this very proposal, by its criteria.
    expect(cycle![steps[1]!]).toMatchObject({ by: "criteria", strategy: cycle![0]!.strategy });
    const exited = cycle![steps[5]!]!;
    expect(exited.ts - start).toBeLessThanOrEqual(HOURS * 3_600_000);
  }, 180_000);
});
