/**
 * `crypy binance` as a user runs it, against `crypy venue serve` as the exchange: two processes,
 * the real bin/crypy (built by `npm test`), ccxt over HTTP and WebSocket on loopback. The desk
 * template points ccxt's URLs at the server and names a 0600 key file; the holder and trader
 * templates are quick ones (a fast average cross warmed on 60 candles, approved automatically).
 *
 * - `--mode live` trades the server's account: an order placed and filled, the fill the server's.
 * - `mode: live` in the template without `--mode live` starts nothing.
 * - `--mode paper` takes the server's market data and fills on crypy's own engine: the server's
 *   account never sees an order.
 * - An exchange that cannot be reached is one line naming it and the network error.
 * - `--journal jetstream --nats URL` journals to a JetStream stream: killed with SIGKILL, the
 *   session comes back from it; without a NATS server it is one line saying what is missing.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { startNatsServer } from "../harness/nats-server.js";
import { waitUntil } from "../support/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
// The shipped venue's made-up key for its simulated account: not a secret.
const KEY = "sim-main-key-not-a-secret";
const SECRET = "sim-main-secret-not-a-secret";

interface Child {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function crypy(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, CRYPY_LOG_LEVEL: "error", ...env },
  });
  child.stdin.end();
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => {
    if (out.length < 10_000_000) out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    // Bounded: a runaway child must fail its test, not the test runner.
    if (err.length < 1_000_000) err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, out: () => out, err: () => err, exited };
}

interface Event {
  actor: string;
  event: string;
  [field: string]: unknown;
}

const events = (c: Child): Event[] =>
  c
    .out()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Event);

let dir: string;
let server: Child;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-cli-binance-"));
  server = crypy(["venue", "serve", "--port", "0", "--speed", "120"]);
  await waitUntil(() => server.out().includes("Ctrl-C stops"), "the server's URL", 30_000);
  base = /(http:\/\/127\.0\.0\.1:\d+)\/api\/v3/.exec(server.out())![1]!;
}, 60_000);
afterAll(async () => {
  server?.child.kill("SIGINT");
  await server?.exited;
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The shipped templates, with binance.yaml pointed at `api` in `mode`, and quick Traders. */
async function templates(name: string, mode: string, api = base): Promise<string> {
  const root = join(dir, name);
  await cp(join(ROOT, "templates"), root, { recursive: true });
  const keys = join(root, "binance-keys.yaml");
  await writeFile(keys, stringify({ apiKey: KEY, secret: SECRET }));
  await chmod(keys, 0o600);
  const deskFile = join(root, "desk", "binance.yaml");
  const desk = parse(await readFile(deskFile, "utf8"));
  const ws = api.replace(/^http/, "ws");
  desk.exchange = {
    ...desk.exchange,
    mode,
    credentials: keys,
    urls: {
      api: {
        public: `${api}/api/v3`,
        private: `${api}/api/v3`,
        sapi: `${api}/sapi/v1`,
        ws: { spot: `${ws}/ws`, "ws-api": { spot: `${ws}/ws-api/v3` } },
      },
    },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  };
  desk.watch = ["BTC/USDT"];
  await writeFile(deskFile, stringify(desk));
  const holder = parse(await readFile(join(root, "holder", "default.yaml"), "utf8"));
  holder.criteria = {
    minSharpe: -1_000_000,
    maxDrawdown: 1,
    minTrades: 0,
    minReturnOverBuyAndHold: -1,
  };
  holder.approval = "auto";
  holder.traderTemplates = ["../trader/quick.yaml"];
  await writeFile(join(root, "holder", "default.yaml"), stringify(holder));
  await writeFile(
    join(root, "trader", "quick.yaml"),
    stringify({
      strategies: [{ name: "sma-cross", params: { fast: 2, slow: 5 } }],
      warmup: { candles: 60, timeframe: "1m" },
      evaluation: { inSampleFraction: 0.7, folds: 1, candidates: 1, objective: "sharpe" },
      exits: { stopLossPct: 0, takeProfitPct: 0 },
    }),
  );
  return root;
}

/**
 * Waits for an order of the restarted session. A Trader that resumed a position places none
 * until it exits, so the session is then stopped: the stop sells the position (an order).
 */
async function orderAfterRestart(second: Child): Promise<void> {
  await waitUntil(
    () =>
      second.out().includes('"order.placed"') ||
      second.out().includes('"trader.resumed"') ||
      second.child.exitCode !== null,
    "an order after the restart, or a Trader resuming",
    90_000,
  );
  if (second.out().includes('"order.placed"') || second.child.exitCode !== null) return;
  second.child.kill("SIGINT");
  await second.exited;
}

function session(root: string, args: string[], exitAfter = "60s"): Child {
  return crypy(["binance", "--templates", root, "--json", "--exit-after", exitAfter, ...args], {
    CRYPY_STATE_DIR: join(root, "state"),
  });
}

/** Orders of the account that traded at the server, asked through its signed REST API. */
async function serverOrders(): Promise<number> {
  const query = `symbol=BTCUSDT&timestamp=${Date.now()}`;
  const signature = createHmac("sha256", SECRET).update(query).digest("hex");
  const res = await fetch(`${base}/api/v3/myTrades?${query}&signature=${signature}`, {
    headers: { "X-MBX-APIKEY": KEY },
  });
  const trades = (await res.json()) as { orderId: number }[];
  return new Set(trades.map((t) => t.orderId)).size;
}

describe("cli - crypy binance against crypy venue serve", () => {
  it("cli - --mode live: the session shows its mode, places an order at the server and gets its fill", async () => {
    const root = await templates("live", "live");
    const before = await serverOrders();
    const s = session(root, ["--mode", "live"]);
    try {
      await waitUntil(
        () => events(s).some((e) => e.event === "order.filled") || s.child.exitCode !== null,
        "a fill from the server",
        90_000,
      );
      expect(s.child.exitCode).toBeNull();
      expect(s.err()).toMatch(/binance-main trades binance in live mode \(REAL MONEY\)/);
      const placed = events(s).find((e) => e.event === "order.placed")!;
      expect(placed.clientOrderId).toMatch(/^binance-main/);
      expect(await serverOrders()).toBeGreaterThan(before);
    } finally {
      s.child.kill("SIGINT");
      await s.exited;
    }
  }, 120_000);

  it("cli - killed with SIGKILL mid-session, crypy binance comes back: the Desk replays its journal, reconciles, and never reuses a client id", async () => {
    const root = await templates("killed", "live");
    const first = session(root, ["--mode", "live"]);
    await waitUntil(
      () => first.out().includes('"order.filled"') || first.child.exitCode !== null,
      "a fill before the kill",
      90_000,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const before = events(first)
      .filter((e) => e.event === "order.placed")
      .map((e) => e.clientOrderId);
    expect(before.length).toBeGreaterThan(0);

    const second = session(root, ["--mode", "live"]);
    try {
      await orderAfterRestart(second);
      const recovered = events(second).find((e) => e.event === "desk.recovered");
      expect(recovered, second.err().slice(0, 2000)).toBeDefined();
      expect(recovered!.entries).toBeGreaterThanOrEqual(before.length);
      expect(events(second).some((e) => e.event === "desk.halted")).toBe(false);
      const after = events(second)
        .filter((e) => e.event === "order.placed")
        .map((e) => e.clientOrderId);
      for (const id of after) expect(before).not.toContain(id);
    } finally {
      second.child.kill("SIGINT");
      await second.exited;
    }
    const verify = crypy(["journal", "verify", "binance-main"], {
      CRYPY_STATE_DIR: join(root, "state"),
    });
    expect(await verify.exited, verify.err()).toBe(0);
  }, 240_000);

  it("cli - killed with SIGKILL while its Trader holds BTC, the restarted session's Trader takes the position up again and closes it", async () => {
    const root = await templates("killed-in-position", "live");
    // Long enough for an entry on a loaded machine: the kill, not the clock, ends this session.
    const first = session(root, ["--mode", "live"], "170s");
    await waitUntil(
      () => first.out().includes('"trader.entered"') || first.child.exitCode !== null,
      "an entry before the kill",
      170_000,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const entered = events(first).find((e) => e.event === "trader.entered");
    expect(entered, first.err().slice(0, 2000)).toBeDefined();

    const second = session(root, ["--mode", "live"], "170s");
    try {
      // Resumed at start; a stop then sells the position and reports it, signal or not.
      await waitUntil(
        () => second.out().includes('"trader.resumed"') || second.child.exitCode !== null,
        "the Trader resumed",
        90_000,
      );
      second.child.kill("SIGINT");
      await second.exited;
      const seen = events(second);
      const resumed = seen.find((e) => e.event === "trader.resumed");
      expect(resumed, second.err().slice(0, 2000)).toBeDefined();
      expect(["inPosition", "exiting"]).toContain(resumed!.state);
      expect(resumed!.holding).toBe(entered!.amount);
      // It took the attempt up: no new proposal came before its report.
      const reported = seen.findIndex((e) => e.event === "holder.recorded");
      expect(seen.slice(0, reported).some((e) => e.event === "trader.proposed")).toBe(false);
      expect(seen[reported]).toMatchObject({ trader: entered!.actor });
    } finally {
      second.child.kill("SIGINT");
      await second.exited;
    }
  }, 420_000);

  it("cli - --journal jetstream: killed with SIGKILL, the session comes back from its JetStream stream", async () => {
    const nats = await startNatsServer();
    const root = await templates("jetstream", "live");
    const args = ["--mode", "live", "--nats", nats.url, "--journal", "jetstream"];
    try {
      const first = session(root, args);
      await waitUntil(
        () => first.out().includes('"order.placed"') || first.child.exitCode !== null,
        "an order before the kill",
        90_000,
      );
      expect(first.err()).toMatch(
        /binance-main journals to the JetStream stream CRYPY_JOURNAL_binance-main/,
      );
      first.child.kill("SIGKILL");
      await first.exited;
      const before = events(first)
        .filter((e) => e.event === "order.placed")
        .map((e) => e.clientOrderId);

      const second = session(root, args);
      try {
        await waitUntil(
          () => second.out().includes('"desk.recovered"') || second.child.exitCode !== null,
          "the Desk's recovery",
          90_000,
        );
        const recovered = events(second).find((e) => e.event === "desk.recovered");
        expect(recovered, second.err().slice(0, 2000)).toBeDefined();
        expect(recovered!.entries).toBeGreaterThanOrEqual(before.length);
        await orderAfterRestart(second);
        const after = events(second)
          .filter((e) => e.event === "order.placed")
          .map((e) => e.clientOrderId);
        for (const id of after) expect(before).not.toContain(id);
      } finally {
        second.child.kill("SIGINT");
        await second.exited;
      }
      // Nothing in the file journal: the stream was the journal.
      const verify = crypy(["journal", "list"], { CRYPY_STATE_DIR: join(root, "state") });
      await verify.exited;
      expect(verify.out()).not.toMatch(/binance-main/);
    } finally {
      await nats.cleanup();
    }
  }, 240_000);

  it("cli - --journal jetstream without a NATS server: one line saying what is missing", async () => {
    const root = await templates("jetstream-no-nats", "live");
    const s = session(root, ["--mode", "live", "--journal", "jetstream"]);
    expect(await s.exited).toBe(1);
    expect(s.err().trim()).toMatch(
      /^crypy: invalid_input: --journal jetstream needs a NATS server: pass --nats URL/,
    );
    expect(events(s)).toEqual([]);
  }, 60_000);

  it("cli - mode: live in the template without --mode live starts nothing and says what to do", async () => {
    const root = await templates("unconfirmed", "live");
    const s = session(root, []);
    expect(await s.exited).toBe(1);
    expect(s.err()).toMatch(/trades real money \(exchange\.mode live\): start it with --mode live/);
    expect(events(s)).toEqual([]);
  }, 60_000);

  it("cli - --mode paper: the server's live data, crypy's fills, and no order at the server", async () => {
    const root = await templates("paper", "paper");
    const before = await serverOrders();
    const s = session(root, ["--mode", "paper"]);
    try {
      await waitUntil(
        () => events(s).some((e) => e.event === "order.filled") || s.child.exitCode !== null,
        "a paper fill",
        90_000,
      );
      expect(s.child.exitCode).toBeNull();
      expect(s.err()).toMatch(/binance-main trades binance in paper mode/);
      expect(await serverOrders()).toBe(before);
    } finally {
      s.child.kill("SIGINT");
      await s.exited;
    }
  }, 120_000);

  it("cli - an exchange that cannot be reached: one line naming it and the network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const root = await templates("unreachable", "live", `http://127.0.0.1:${port}`);
    const s = session(root, ["--mode", "live"]);
    expect(await s.exited).toBe(1);
    const lines = s.err().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^crypy: .*binance unreachable: .*ECONNREFUSED/);
    expect(s.err()).not.toMatch(/signature=|\n\s+at /);
  }, 60_000);
});
