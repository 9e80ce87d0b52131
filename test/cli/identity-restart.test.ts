/**
 * Identities survive a restart: `crypy sim` keeps each actor's key in the state directory (0600,
 * in a 0700 folder), and a Holder's mandate nonces and a Trader's order sequence go on above every
 * value handed out before, so nothing signed before can be replayed as new.
 */
import { cp, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { simJson } from "../support/sim-json.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-identity-"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sim(): Promise<void> {
  await simJson(dir, "3h");
}

/** Every file of the keys folder with its text. */
async function keysFolder(): Promise<Map<string, string>> {
  const keys = join(dir, "state", "keys");
  const out = new Map<string, string>();
  for (const name of await readdir(keys)) {
    if (name.endsWith(".key") || name.endsWith(".counter"))
      out.set(name, await readFile(join(keys, name), "utf8"));
  }
  return out;
}

describe("cli - identities across restarts", () => {
  it("cli - the same keys after a restart, and nonces and sequences that go on above the last run's", async () => {
    await sim();
    const first = await keysFolder();
    const keys = join(dir, "state", "keys");
    expect((await stat(keys)).mode & 0o777).toBe(0o700);
    for (const name of ["sim-main.key", "sim-main_USDT.key", "sim-main_BTC-USDT.key"]) {
      expect(first.has(name), name).toBe(true);
      expect((await stat(join(keys, name))).mode & 0o777, name).toBe(0o600);
    }
    const nonce = "sim-main_USDT.mandate-nonce.counter";
    expect(first.has(nonce)).toBe(true);
    await sim();
    const second = await keysFolder();
    for (const [name, text] of first) {
      if (name.endsWith(".key")) expect(second.get(name), name).toBe(text);
      else expect(Number(second.get(name)), name).toBeGreaterThanOrEqual(Number(text));
    }
    // The second run signed mandates too, from a block above the first run's.
    expect(Number(second.get(nonce))).toBeGreaterThan(Number(first.get(nonce)));
  });
});
