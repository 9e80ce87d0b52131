import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import { childLogger, createLogger, LOG_LEVEL_ENV, type Logger } from "../../src/log/logger.js";
import { runScript } from "../support/run-script.js";

/** Collects what a logger writes; `records()` parses the lines without time/pid/hostname. */
class Sink extends Writable {
  raw = "";

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.raw += chunk.toString();
    done();
  }

  records(): Record<string, unknown>[] {
    return this.raw
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const { time: _time, pid: _pid, hostname: _hostname, ...rest } = JSON.parse(line);
        return rest;
      });
  }
}

/** A logger at "info" (or the given level) whatever the environment says. */
function capture(options: { level?: string } = {}): { log: Logger; sink: Sink } {
  const sink = new Sink();
  return { log: createLogger({ level: "info", ...options, destination: sink }), sink };
}

/** A logger whose level comes from CRYPY_LOG_LEVEL. */
function captureFromEnv(): { log: Logger; sink: Sink } {
  const sink = new Sink();
  return { log: createLogger({ destination: sink }), sink };
}

const SIGNED_URL =
  "https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1700000000000&signature=9f3ad1c0ffee";
const SCRUBBED_URL =
  "https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1700000000000&signature=[redacted]";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("log - secrets", () => {
  it("log - a nested api key never reaches the output", () => {
    const { log, sink } = capture();
    const secret = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    const order = {
      desk: "binance-main",
      legs: [
        {
          venue: {
            accounts: [{ auth: { headers: [{ "X-MBX-APIKEY": secret, seen: "level-8" }] } }],
          },
        },
      ],
    };
    log.info({ order }, "placing");

    expect(sink.raw).not.toContain(secret);
    expect(sink.records()).toEqual([
      {
        level: 30,
        msg: "placing",
        order: {
          desk: "binance-main",
          legs: [
            {
              venue: {
                accounts: [
                  { auth: { headers: [{ "X-MBX-APIKEY": "[redacted]", seen: "level-8" }] } },
                ],
              },
            },
          ],
        },
      },
    ]);
  });

  it("log - the caller's object is unchanged after logging", () => {
    const { log } = capture();
    const err = new Error(`failed: ${SIGNED_URL}`);
    const payload = {
      creds: { apiSecret: "S", passphrase: "P" },
      tokens: [{ accessToken: "A" }],
      err,
    };
    const before = structuredClone(payload);
    const beforeKeys = Object.getOwnPropertyNames(err);

    log.warn(payload, "check");
    log.error(err);

    expect(payload).toEqual(before);
    expect(payload.creds.apiSecret).toBe("S");
    expect(err.message).toBe(`failed: ${SIGNED_URL}`);
    expect(Object.getOwnPropertyNames(err)).toEqual(beforeKeys);
  });

  it("log - child bindings are scrubbed, at every generation", () => {
    const { log, sink } = capture();
    const child = log.child({ component: "desk", apiKey: "K1" });
    const grandchild = child.child({ session: { token: "T2" } });
    grandchild.setBindings({ password: "P3" });
    grandchild.info("hello");

    expect(sink.raw).not.toMatch(/K1|T2|P3/);
    expect(sink.records()).toEqual([
      {
        level: 30,
        component: "desk",
        apiKey: "[redacted]",
        session: { token: "[redacted]" },
        password: "[redacted]",
        msg: "hello",
      },
    ]);
  });

  it("log - childLogger scrubs its bindings too", () => {
    expect(childLogger("desk", { desk: "sim-main", secretKey: "K" }).bindings()).toEqual({
      component: "desk",
      desk: "sim-main",
      secretKey: "[redacted]",
    });
  });

  it("log - an error whose message holds a signed URL is scrubbed", () => {
    const { log, sink } = capture();
    const cause = new Error("upstream said: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x");
    const err = new Error(`POST ${SIGNED_URL} failed with 400`, { cause });

    log.error(err);
    log.error({ err }, "order rejected");

    expect(sink.raw).not.toMatch(/9f3ad1c0ffee|eyJhbGciOiJIUzI1NiJ9/);
    const [first, second] = sink.records() as [Record<string, unknown>, Record<string, unknown>];
    expect(first).toMatchObject({
      level: 50,
      msg: `POST ${SCRUBBED_URL} failed with 400`,
      err: {
        type: "Error",
        message: `POST ${SCRUBBED_URL} failed with 400: upstream said: Authorization: [redacted]`,
      },
    });
    expect(second).toMatchObject({ msg: "order rejected", err: { type: "Error" } });
    expect((first.err as { stack: string }).stack).toContain("caused by: Error: upstream said");
  });

  it("log - an error's own props and a function cause are scrubbed by the err serializer", () => {
    const { log, sink } = capture();
    const err = Object.assign(new Error("venue error"), {
      config: { headers: { Authorization: "Basic dXNlcjpwYXNz" } },
      // VError style: pino's err serializer calls a function cause.
      cause: () => new Error(`retry of ${SIGNED_URL}`),
    });
    log.error({ err }, "venue call failed");

    expect(sink.raw).not.toMatch(/9f3ad1c0ffee|dXNlcjpwYXNz/);
    const record = sink.records()[0] as { err: { stack: string } };
    expect(record).toMatchObject({
      err: { message: "venue error", config: { headers: { Authorization: "[redacted]" } } },
    });
    expect(record.err.stack).toContain(`caused by: Error: retry of ${SCRUBBED_URL}`);
  });

  it("log - a message string, printf arguments and a msgPrefix are scrubbed", () => {
    const { log, sink } = capture();
    log.info(`calling ${SIGNED_URL}`);
    log.info("config %j", { passphrase: "hunter2" });
    log.child({}, { msgPrefix: "token=abc " }).info("prefixed");

    expect(sink.raw).not.toMatch(/9f3ad1c0ffee|hunter2|abc /);
    expect(sink.records().map((r) => r.msg)).toEqual([
      `calling ${SCRUBBED_URL}`,
      'config {"passphrase":"[redacted]"}',
      "token=[redacted] prefixed",
    ]);
  });

  it("log - a cycle does not throw", () => {
    const { log, sink } = capture();
    const actor: Record<string, unknown> = { name: "BTC/USDT", token: "T" };
    actor.parent = { children: [actor] };
    expect(() => log.info({ actor }, "spawned")).not.toThrow();
    expect(sink.records()).toEqual([
      {
        level: 30,
        msg: "spawned",
        actor: { name: "BTC/USDT", token: "[redacted]", parent: { children: ["[Circular]"] } },
      },
    ]);
  });

  it("log - a value that cannot be walked drops the record's fields instead of throwing", () => {
    const { log, sink } = capture();
    const hostile = {
      toJSON() {
        throw new TypeError("no");
      },
    };
    expect(() => log.info({ hostile }, "still logged")).not.toThrow();
    expect(sink.records()).toEqual([
      { level: 30, msg: "still logged", logScrubFailed: "TypeError" },
    ]);
  });

  it("log - pretty output is scrubbed too", async () => {
    const sink = new Sink();
    const log = createLogger({ level: "info", destination: sink, pretty: true });
    log.child({ component: "desk" }).info({ apiKey: "K9" }, `GET ${SIGNED_URL}`);
    await vi.waitFor(() => expect(sink.raw).toContain("[desk]"));
    expect(sink.raw).not.toMatch(/K9|9f3ad1c0ffee/);
    expect(sink.raw).toContain(`[desk] GET ${SCRUBBED_URL}`);
    expect(sink.raw).toContain('apiKey: "[redacted]"');
  });
});

describe("log - levels and components", () => {
  it("log - the level defaults to info", () => {
    vi.stubEnv(LOG_LEVEL_ENV, undefined);
    const { log, sink } = capture();
    log.debug("hidden");
    log.info("shown");
    expect(log.level).toBe("info");
    expect(sink.records()).toEqual([{ level: 30, msg: "shown" }]);
  });

  it("log - CRYPY_LOG_LEVEL is respected", () => {
    vi.stubEnv("CRYPY_LOG_LEVEL", "WARN");
    const { log, sink } = captureFromEnv();
    log.info("hidden");
    log.warn("shown");
    expect(log.level).toBe("warn");
    expect(sink.records()).toEqual([{ level: 40, msg: "shown" }]);
  });

  it("log - an explicit level wins over CRYPY_LOG_LEVEL", () => {
    vi.stubEnv("CRYPY_LOG_LEVEL", "error");
    expect(capture({ level: "debug" }).log.level).toBe("debug");
  });

  it("log - an invalid CRYPY_LOG_LEVEL is rejected, naming the variable and the allowed values", () => {
    vi.stubEnv("CRYPY_LOG_LEVEL", "loud");
    expect(() => captureFromEnv()).toThrow(InvalidInputError);
    expect(() => captureFromEnv()).toThrow(
      'CRYPY_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"',
    );
  });

  it("log - an invalid level option is rejected", () => {
    expect(() => capture({ level: "verbose" })).toThrow(/log level must be one of .*"verbose"/);
  });

  it("log - a child carries its component", () => {
    const log = childLogger("holder", { desk: "sim-main", asset: "USDT", component: "ignored" });
    expect(log.bindings()).toEqual({ component: "holder", desk: "sim-main", asset: "USDT" });

    const { log: root, sink } = capture();
    root.child({ component: "trader" }).info("warming up");
    expect(sink.records()).toEqual([{ level: 30, component: "trader", msg: "warming up" }]);
  });
});

describe("log - start-up", () => {
  it("log - JSON logging goes to stderr and never loads pino-pretty", async () => {
    const logger = fileURLToPath(new URL("../../src/log/logger.ts", import.meta.url));
    const { code, stdout, stderr } = await runScript(
      [
        'import { createRequire } from "node:module";',
        "const { rootLogger } = await import(process.argv[1]);",
        'rootLogger().info({ apiKey: "K" }, "ready");',
        "const cache = createRequire(import.meta.url).cache;",
        'const loaded = Object.keys(cache).some((p) => p.includes("pino-pretty"));',
        "process.stdout.write(JSON.stringify({ loaded }));",
      ],
      logger,
      { ...process.env, CRYPY_LOG_LEVEL: "info" },
    );

    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ loaded: false });
    const { time: _t, pid: _p, hostname: _h, ...record } = JSON.parse(stderr);
    expect(record).toEqual({ level: 30, apiKey: "[redacted]", msg: "ready" });
  });
});
