/**
 * `crypy sim` on a terminal: the real process in a real tmux pane, read with capture-pane and
 * driven with send-keys, as a user sees and types.
 */
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRegistry } from "../../../src/control/registry/registry.js";
import { waitUntil } from "../../support/wait.js";
import { BIN, ROOT } from "./crypy-process.js";

const SESSION = `crypy-dash-${process.pid}`;
let dir: string;

const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", SESSION);

async function see(pattern: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
  let last = "";
  try {
    await waitUntil(
      () => {
        last = screen();
        return pattern.test(last);
      },
      what,
      timeoutMs,
    );
  } catch {
    throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
  }
  return last;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-dash-"));
  const templates = join(dir, "templates");
  await cp(join(ROOT, "templates"), templates, { recursive: true });
  const desk = join(templates, "desk/sim.yaml");
  await writeFile(
    desk,
    (await readFile(desk, "utf8")).replace(
      /^venue: .*$/m,
      `venue: ${join(ROOT, "venues/sim.yaml")}`,
    ),
  );
  const env = [
    `CRYPY_STATE_DIR=${join(dir, "state")}`,
    `CRYPY_TEMPLATES=${templates}`,
    "CRYPY_LOG_LEVEL=error",
  ].join(" ");
  tmux(
    "new-session",
    "-d",
    "-s",
    SESSION,
    "-x",
    "120",
    "-y",
    "40",
    `env ${env} ${process.execPath} ${BIN} sim --speed 60; echo "crypy exited $?"; sleep 60`,
  );
}, 30_000);

afterAll(async () => {
  try {
    tmux("kill-session", "-t", SESSION);
  } catch {
    // Already gone.
  }
  await rm(dir, { recursive: true, force: true });
});

describe("control - the dashboard in tmux", () => {
  it("control - shows the desk, moving prices, the holder and the traders; i opens the invest REPL; q exits cleanly", async () => {
    const first = await see(
      /sim-main.*ACTIVE[\s\S]*BTC\/USDT\s+[\d,]+\.\d+/,
      "the desk and a price",
    );
    await see(/USDT\s+[\d,]+\.\d+\s+[\d,]+\.\d+\s+\d+\s+running/, "the holder's row");
    await see(
      /BTC\/USDT\s+\S+\s+(warming|evaluating|proposing|entering|inPosition)/,
      "a trader's row",
    );
    const price = (s: string) => /^BTC\/USDT\s+([\d,]+\.\d+)/m.exec(s)?.[1];
    const before = price(first);
    await see(
      new RegExp(`^BTC\\/USDT\\s+(?!${before?.replace(/[.,]/g, "\\$&")}\\s)[\\d,]+\\.\\d+`, "m"),
      "the BTC/USDT price to move",
    );

    tmux("send-keys", "-t", SESSION, "i");
    await see(/invest USDT> /, "the invest REPL prompt");
    tmux("send-keys", "-t", SESSION, "capital", "Enter");
    await see(/free:\s+10000/, "the invest REPL's answer");
    tmux("send-keys", "-t", SESSION, "Escape");
    await waitUntil(() => !/invest USDT> /.test(screen()), "the REPL to close", 10_000);

    const pid = readRegistry(join(dir, "state", "run")).find((a) => a.id === "sim-main")?.pid;
    expect(pid).toBeGreaterThan(0);
    tmux("send-keys", "-t", SESSION, "q");
    await see(/crypy exited 0/, "crypy to exit with status 0", 30_000);
    // No orphan: the process is gone, and so is its registry file.
    expect(() => process.kill(pid!, 0)).toThrow();
    expect(readRegistry(join(dir, "state", "run"))).toEqual([]);
  });
});
