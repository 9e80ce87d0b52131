/**
 * `crypy sim-perp` as a user runs it: the shipped perpetual desk (templates/desk/sim-perp.yaml on
 * venues/sim-perp.yaml) with the real bin/crypy, on the embedded bus, on a copy of the templates.
 * Its Traders propose a long-and-short strategy on BTC/USDT:USDT, trade it, and each trade is
 * exited, reported and learned from.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const PERP = "BTC/USDT:USDT";
const TRADER = "sim-perp-main_BTC-USDT-PERP";
const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-sim-perp-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("cli - crypy sim-perp", () => {
  it("cli - the shipped perpetual desk trades BTC/USDT:USDT long and short at a mandate's leverage, and learns from each trade", async () => {
    const templates = join(dir, "templates");
    const { stdout } = await run(
      process.execPath,
      [BIN, "sim-perp", "--speed", "max", "--exit-after", "30h", "--json"],
      {
        env: {
          ...process.env,
          CRYPY_LOG_LEVEL: "error",
          CRYPY_STATE_DIR: join(dir, "state"),
          CRYPY_TEMPLATES: templates,
        },
        timeout: 240_000,
        maxBuffer: 64 << 20,
      },
    );
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const of = (event: string) => events.filter((e) => e.event === event);
    expect(of("actor.started").map((e) => e.actor)).toEqual(
      expect.arrayContaining(["sim-perp-main", "sim-perp-main_USDT", TRADER]),
    );
    // The Holder may short: the long-and-short strategy is proposed, not dropped.
    expect(of("trader.candidate_dropped")).toEqual([]);
    expect(of("trader.proposed")[0]).toMatchObject({ market: PERP, strategy: "sma-long-short" });
    // Every entry was exited and reported; each order went through the Desk on the perpetual.
    const entered = of("trader.entered");
    expect(entered.length).toBeGreaterThan(0);
    for (const e of entered) expect(["long", "short"]).toContain(e.side);
    const reported = of("holder.recorded").filter((e) => e.pnl !== "0");
    expect(reported.length).toBeGreaterThanOrEqual(entered.length - 1); // the last may be open at the end
    for (const o of of("order.placed")) expect(o.market).toBe(PERP);
    // What it learned is written into its templates, keyed by the perpetual.
    expect(await readFile(join(templates, "trader/long-short.yaml"), "utf8")).toContain(PERP);
  }, 300_000);
});
