/**
 * `crypy venue serve` as a user runs it: the real bin/crypy (compiled by `npm run build`, which
 * `npm test` runs first) in a child process.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../support/wait.js";

const BIN = fileURLToPath(new URL("../../bin/crypy", import.meta.url));

describe("cli - crypy venue serve", () => {
  it("cli - --port 0 prints the URL it listens on, answers /api/v3/ping, and stops on SIGINT", async () => {
    const child = spawn(process.execPath, [BIN, "venue", "serve", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CRYPY_LOG_LEVEL: "error" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await waitUntil(
        () => /http:\/\/127\.0\.0\.1:\d+\/api\/v3/.test(stdout),
        "the URL on stdout",
        30_000,
      );
      const api = /(http:\/\/127\.0\.0\.1:\d+\/api\/v3)/.exec(stdout)![1]!;
      const ping = await fetch(`${api}/ping`);
      expect(ping.status).toBe(200);
      expect(await ping.json()).toEqual({});
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);
});
