/**
 * Template write-backs under SIGKILL (issue 13): a process writing a Trader's outcome into its
 * template over and over is killed at seeded moments. After every kill the template still loads —
 * never half written — and holds every write-back the process saw return.
 */
import { spawn } from "node:child_process";
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTraderTemplate } from "../../src/actors/templates/index.js";
import { Random } from "../../src/sim/random.js";
import { waitUntil } from "../support/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const KILLS = 10;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-write-back-"));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("crash - template write-back under SIGKILL", () => {
  it(`crash - killed ${KILLS} times mid write-back, the template always loads with every acknowledged outcome`, async () => {
    const file = join(dir, "moving-average.yaml");
    await copyFile(join(ROOT, "templates/trader/moving-average.yaml"), file);
    const random = new Random("write-back");
    for (let k = 0; k < KILLS; k++) {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(ROOT, "test/crash/write-back-loop.ts"), file],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        err += c.toString();
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // Running: at least one write-back done, then a seeded moment later, the kill.
      await waitUntil(() => out.includes("\n") || child.exitCode !== null, "a write-back", 30_000);
      expect(child.exitCode, err).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, random.int(5, 120)));
      child.kill("SIGKILL");
      await exited;
      const acknowledged = Number(out.trim().split("\n").at(-1));
      const template = await loadTraderTemplate(file);
      const trades = template.learned.outcomes["BTC/USDT"]!.map((o) => o.trades);
      // The last write-back the process saw return is there (or one after it, cut off after the
      // rename but before it could print).
      expect(trades.at(-1)! >= acknowledged).toBe(true);
    }
    // A kill between a temp file's write and its rename may leave that temp file; nothing else.
    const leftovers = (await readdir(dir)).filter((f) => f !== "moving-average.yaml");
    expect(leftovers.length).toBeLessThanOrEqual(KILLS);
    expect(leftovers.every((f) => f.endsWith(".tmp"))).toBe(true);
  }, 120_000);
});
