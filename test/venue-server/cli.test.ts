/**
 * `crypy venue serve` as a user runs it: the real bin/crypy (compiled by `npm run build`, which
 * `npm test` runs first) in a child process.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_VENUE_FILE } from "../../src/sim/config/load.js";
import { writeVenueFile } from "../support/venue-file.js";
import { waitUntil } from "../support/wait.js";

const BIN = fileURLToPath(new URL("../../bin/crypy", import.meta.url));
const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+)\/api\/v3/g;

interface Served {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function serve(args: string[]): Served {
  const child = spawn(process.execPath, [BIN, "venue", "serve", ...args], {
    env: { ...process.env, CRYPY_LOG_LEVEL: "error" },
  });
  child.stdin.end();
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-serve-cli-"));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("cli - crypy venue serve", () => {
  it("cli - --port 0 prints the URL it listens on, answers /api/v3/ping, and stops on SIGINT", async () => {
    const served = serve(["--port", "0"]);
    try {
      await waitUntil(() => /Ctrl-C stops/.test(served.stdout()), "the URL on stdout", 30_000);
      const [base] = [...served.stdout().matchAll(URL_LINE)].map((m) => m[1]!);
      const ping = await fetch(`${base}/api/v3/ping`);
      expect(ping.status).toBe(200);
      expect(await ping.json()).toEqual({});
      served.child.kill("SIGINT");
      expect(await served.exited).toBe(0);
      expect(served.stderr()).toBe("");
    } finally {
      if (served.child.exitCode === null) served.child.kill("SIGKILL");
    }
  }, 60_000);

  it("cli - serves two venue files on two ports: two exchanges in one process", async () => {
    const first = await writeVenueFile(dir, { name: "alpha" });
    const second = await writeVenueFile(dir, {
      name: "beta",
      seed: 7,
    });
    const served = serve([first, second, "--port", "0"]);
    try {
      await waitUntil(() => /Ctrl-C stops/.test(served.stdout()), "two URLs on stdout", 30_000);
      const bases = [...served.stdout().matchAll(URL_LINE)].map((m) => m[1]!);
      expect(bases).toHaveLength(2);
      expect(bases[0]).not.toBe(bases[1]);
      expect(served.stdout()).toMatch(/venue alpha .* at http/);
      expect(served.stdout()).toMatch(/venue beta .* at http/);
      // Each port is its own simulation: the same market on two seeds, two price paths.
      const prices = await Promise.all(
        bases.map(async (b) => {
          const r = await fetch(`${b}/api/v3/ticker/bookTicker?symbol=BTCUSDT`);
          expect(r.status).toBe(200);
          return ((await r.json()) as { bidPrice: string }).bidPrice;
        }),
      );
      expect(prices.every((p) => Number(p) > 0)).toBe(true);
      expect(prices[0]).not.toBe(prices[1]);
      served.child.kill("SIGTERM");
      expect(await served.exited).toBe(0);
    } finally {
      if (served.child.exitCode === null) served.child.kill("SIGKILL");
    }
  }, 60_000);

  it("cli - --help says where the USDⓈ-M Futures API is and which ccxt URL keys point at it", async () => {
    const served = spawn(process.execPath, [BIN, "venue", "serve", "--help"]);
    let out = "";
    served.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => served.once("exit", resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/USDⓈ-M Futures' REST API \(\/fapi/);
    expect(out).toMatch(/binanceusdm set urls\.api\.fapiPublic and fapiPrivate = <url>\/fapi\/v1/);
    expect(out).toMatch(/urls\.api\.ws\.future = <ws url>\/ws/);
    expect(out).toMatch(/Not served for futures: market streams over WebSocket/);
  }, 60_000);

  it("cli - a venue file with a perpetual prints its /fapi address, which lists the contract", async () => {
    const perp = join(dirname(DEFAULT_VENUE_FILE), "sim-perp.yaml");
    const served = serve([perp, "--port", "0", "--history", "1h"]);
    try {
      await waitUntil(() => /Ctrl-C stops/.test(served.stdout()), "the URL on stdout", 30_000);
      const [fapi] = [...served.stdout().matchAll(/USDⓈ-M Futures REST at (http:\S+\/fapi)/g)].map(
        (m) => m[1]!,
      );
      const info = await fetch(`${fapi}/v1/exchangeInfo`);
      expect(info.status).toBe(200);
      const body = (await info.json()) as {
        symbols: Array<{ symbol: string; contractType: string }>;
      };
      expect(body.symbols.map((s) => [s.symbol, s.contractType])).toEqual([
        ["BTCUSDT", "PERPETUAL"],
        ["BTCUSDT_240329", "CURRENT_QUARTER"], // the shipped file's quarterly future
      ]);
      served.child.kill("SIGINT");
      expect(await served.exited).toBe(0);
    } finally {
      if (served.child.exitCode === null) served.child.kill("SIGKILL");
    }
  }, 60_000);

  it("cli - a port in use: one line naming the file and the port, exit 1, nothing left running", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const served = serve(["--port", String(port)]);
      expect(await served.exited).toBe(1);
      expect(served.stderr()).toMatch(
        new RegExp(`venues/sim\\.yaml: cannot listen on 127\\.0\\.0\\.1:${port} \\(in use\\)`),
      );
      expect(served.stderr()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  }, 60_000);
});
