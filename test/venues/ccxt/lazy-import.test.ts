/**
 * ccxt is loaded only when a CcxtVenue opens: `crypy --version` and a `crypy sim` run never load
 * it. Each runs the real bin/crypy (compiled by `npm run build`, which `npm test` runs first) under
 * a module-resolution hook that makes any import of ccxt fail at once; the hook is checked to
 * catch CcxtVenue.open's own import, so a pass means ccxt was really never asked for.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const FORBID = join(ROOT, "test/fixtures/forbid-ccxt/register.mjs");
const run = promisify(execFile);
const env = { ...process.env, CRYPY_LOG_LEVEL: "error" };
let dir: string;

beforeAll(async () => {
  // learning writes to the templates: a copy, as a user's would be.
  dir = await mkdtemp(join(tmpdir(), "crypy-lazy-ccxt-"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ccxt venue - ccxt loads lazily", () => {
  it("ccxt venue - the hook catches CcxtVenue.open's import of ccxt", async () => {
    const script = `const { CcxtVenue } = await import(${JSON.stringify(
      join(ROOT, "dist/src/venues/ccxt/ccxt-venue.js"),
    )}); await CcxtVenue.open({ exchange: "binance" });`;
    const err = await run(
      process.execPath,
      ["--import", FORBID, "--input-type=module", "-e", script],
      { env, cwd: ROOT, timeout: 60_000 },
    ).then(
      () => undefined,
      (e: { stderr: string }) => e,
    );
    expect(err?.stderr).toContain("ccxt was loaded: ccxt from");
  });

  it("ccxt venue - crypy --version never loads ccxt", async () => {
    const { stdout, stderr } = await run(process.execPath, ["--import", FORBID, BIN, "--version"], {
      env,
      timeout: 60_000,
    });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(stderr).not.toContain("ccxt was loaded");
  });

  it("ccxt venue - a crypy sim run never loads ccxt", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        "--import",
        FORBID,
        BIN,
        "sim",
        "--templates",
        join(dir, "templates"),
        "--speed",
        "max",
        "--exit-after",
        "1m",
        "--json",
      ],
      { env, timeout: 120_000, maxBuffer: 64 << 20 },
    );
    expect(stderr).not.toContain("ccxt was loaded");
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { actor: string; event: string });
    expect(events).toContainEqual(
      expect.objectContaining({ actor: "sim-main", event: "actor.stopped" }),
    );
  }, 150_000);
});
