/**
 * A real `nats-server` for integration tests: loopback only, a port of its own, JetStream in a temp
 * directory, and never outliving the test process.
 *
 * The first start passes `-p -1` so the server picks a free port itself (no race with another
 * process between choosing and binding); the port is read from its "Listening for client
 * connections on 127.0.0.1:PORT" log line, then a TCP connect confirms it accepts clients.
 * A restart reuses that port and store directory, so clients reconnect to the same URL and
 * JetStream state survives. A test process that exits without `cleanup()` kills its servers and
 * removes their directories on the way out.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { constants, rmSync } from "node:fs";
import { access, mkdir, mkdtemp, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface NatsServerOptions {
  /** Defaults to a free port chosen by the server. */
  port?: number;
  /** Defaults to true. */
  jetstream?: boolean;
  /**
   * A nats-server configuration file (accounts, users, permissions). Its `listen` is overridden:
   * the server still binds loopback on the port chosen above.
   */
  configFile?: string;
}

export interface NatsServer {
  /** `nats://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** The temp directory holding the JetStream store; `cleanup()` removes it. */
  readonly dir: string;
  /** SIGTERM, wait for exit; SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit: a crash, no chance to flush anything. */
  kill(): Promise<void>;
  /**
   * Stop (or, with `kill: true`, SIGKILL), then start again on the same port and store directory;
   * resolves when ready.
   */
  restart(options?: { kill?: boolean }): Promise<void>;
  /** Stop and remove the temp directory. */
  cleanup(): Promise<void>;
}

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const LOG_LINES_KEPT = 200;
const LOG_LINES_SHOWN = 40;
const LISTENING = /Listening for client connections on [^\s]*:(\d+)/;

/** Servers still running and temp dirs not yet removed: both go when the test process exits. */
const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killRunning(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // the process is exiting; a leftover temp dir is not worth an error
    }
  }
  tempDirs.clear();
}

let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", killRunning);
  // A signal ends the process without 'exit'. Kill the servers, then let the signal do what it
  // would have done: other listeners handle it, or re-raising it ends the process as usual.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killRunning();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/**
 * @example
 * const server = await startNatsServer();
 * const nc = await connect({ servers: server.url });
 * // …
 * await server.cleanup();
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const executable = await findOnPath("nats-server");
  const jetstream = options.jetstream ?? true;
  const config = options.configFile === undefined ? [] : ["-c", options.configFile];
  const dir = await mkdtemp(join(tmpdir(), "crypy-nats-"));
  tempDirs.add(dir);
  const storeDir = join(dir, "jetstream");
  await mkdir(storeDir);

  let instance: Running;
  try {
    instance = await launch(executable, options.port ?? -1, jetstream, storeDir, config);
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
  const port = instance.port;

  return {
    url: `nats://${HOST}:${port}`,
    port,
    dir,
    stop: () => instance.stop(),
    kill: () => instance.stop("SIGKILL"),
    async restart(how = {}) {
      await instance.stop(how.kill === true ? "SIGKILL" : "SIGTERM");
      instance = await launch(executable, port, jetstream, storeDir, config);
    },
    async cleanup() {
      await instance.stop();
      await removeDir(dir);
    },
  };
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

interface Running {
  port: number;
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

async function launch(
  executable: string,
  port: number,
  jetstream: boolean,
  storeDir: string,
  config: readonly string[],
): Promise<Running> {
  installExitHook();
  // Flags after -c win over the file's settings.
  const args = [...config, "-a", HOST, "-p", String(port)];
  if (jetstream) args.push("-js", "-sd", storeDir);
  const child = spawn(executable, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);

  // 'error' without 'exit' when the process could not be spawned at all.
  const exited = new Promise<void>((resolve) => {
    const gone = () => {
      running.delete(child);
      resolve();
    };
    child.once("exit", gone);
    child.once("error", gone);
  });
  const log = new LogTail(LOG_LINES_KEPT);
  const listening = new Promise<number>((resolve, reject) => {
    const onLine = (line: string) => {
      const match = LISTENING.exec(line);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    };
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => log.push(chunk, onLine));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => log.push(chunk, onLine));
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      reject(new Error(`nats-server exited before it was ready (code ${code}, signal ${signal})`));
    });
  });

  const stop = async (signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    const actualPort = await withTimeout(listening, READY_TIMEOUT_MS, "no 'Listening' log line");
    await waitForTcp(actualPort, READY_TIMEOUT_MS);
    return { port: actualPort, stop };
  } catch (err) {
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `nats-server ${args.join(" ")} did not start: ${reason}\n--- last log lines ---\n${log.tail(LOG_LINES_SHOWN)}`,
      { cause: err },
    );
  }
}

/** The last `capacity` lines a process wrote, for error messages. */
class LogTail {
  private readonly lines: string[] = [];
  private partial = "";

  constructor(private readonly capacity: number) {}

  push(chunk: string, onLine: (line: string) => void): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.capacity) this.lines.shift();
      onLine(line);
    }
  }

  tail(count: number): string {
    const lines = this.partial === "" ? this.lines : [...this.lines, this.partial];
    return lines.slice(-count).join("\n");
  }
}

/**
 * Debian installs nats-server in /usr/sbin, which is not on every user's PATH; scripts/test-setup.sh
 * counts it as installed there, so the harness looks there too. CRYPY_TEST_SBIN_DIRS replaces that
 * list for both (space-separated; a test sets it empty).
 */
function sbinDirs(): string[] {
  const dirs = process.env.CRYPY_TEST_SBIN_DIRS ?? "/usr/sbin /usr/local/sbin";
  return dirs.split(" ").filter((dir) => dir !== "");
}

export async function findOnPath(name: string): Promise<string> {
  const sbin = sbinDirs();
  for (const dir of [...(process.env.PATH ?? "").split(delimiter), ...sbin]) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `${name} not found on PATH${sbin.length > 0 ? ` nor in ${sbin.join(", ")}` : ""}; install Debian's \`nats-server\` package (apt-get install nats-server) — the integration tests need it`,
  );
}

async function waitForTcp(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not accept connections`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
