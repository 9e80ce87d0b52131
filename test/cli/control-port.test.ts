/**
 * `--control-port` as a user types it: a number that is no port, or a port already taken, stops
 * the session at once with one clear error, before any actor starts.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");

let dir: string;
let taken: Server | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-port-"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
});
afterEach(async () => {
  await new Promise<void>((resolve) => (taken ? taken.close(() => resolve()) : resolve()));
  taken = undefined;
  await rm(dir, { recursive: true, force: true });
});

function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, "sim", "--no-tui", "--speed", "max", "--exit-after", "1h", ...args],
      {
        env: {
          ...process.env,
          CRYPY_LOG_LEVEL: "error",
          CRYPY_TEMPLATES: join(dir, "templates"),
          CRYPY_STATE_DIR: join(dir, "state"),
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : Number(err.code ?? 1), stdout, stderr }),
    );
  });
}

describe("cli - crypy sim --control-port", () => {
  it("cli - a number that is no port is refused, naming the option", async () => {
    const { code, stderr, stdout } = await sim(["--control-port", "99999"]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--control-port <port>.*must be a port: a whole number from 1 to 65535/);
    expect(stdout).not.toContain("actor.started");
  });

  it("cli - a port already in use stops the session before any actor starts", async () => {
    taken = createServer();
    const port = await new Promise<number>((resolve) =>
      taken!.listen(0, "127.0.0.1", () => resolve((taken!.address() as { port: number }).port)),
    );
    const { code, stderr, stdout } = await sim(["--control-port", String(port)]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `crypy: invalid_input: control port 127.0.0.1:${port} is already in use`,
    );
    expect(stdout).not.toContain("actor.started");
  });
});
