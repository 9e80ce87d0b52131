/**
 * A real `crypy sim` process for end-to-end tests: its own templates, state directory (registry,
 * audit log) and NATS-free embedded bus; helpers to find its actors' endpoints and to talk to them
 * with the system's own `telnet` and `nc`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type RegisteredActor, readRegistry } from "../../../src/control/registry/registry.js";
import { waitUntil } from "../../support/wait.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BIN = join(ROOT, "bin/crypy");
const run = promisify(execFile);

export interface CrypyProcess {
  child: ChildProcess;
  dir: string;
  env: NodeJS.ProcessEnv;
  output(): string;
  actors(): RegisteredActor[];
  /** Waits for an actor to register and returns its port. */
  port(actor: string): Promise<number>;
  /** Runs `crypy <args>` against this process's state directory, with `input` on stdin. */
  cli(args: string[], input?: string): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<number | null>;
}

/** Copies the shipped templates (the holder's approval set to `approval`) and starts crypy sim. */
export async function startCrypy(
  options: {
    approval?: "auto" | "review" | "manual";
    args?: string[];
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<CrypyProcess> {
  const dir = await mkdtemp(join(tmpdir(), "crypy-e2e-"));
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
  if (options.approval !== undefined) {
    const holder = join(templates, "holder/default.yaml");
    await writeFile(
      holder,
      (await readFile(holder, "utf8")).replace(/^approval: .*$/m, `approval: ${options.approval}`),
    );
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CRYPY_LOG_LEVEL: "error",
    CRYPY_STATE_DIR: join(dir, "state"),
    CRYPY_TEMPLATES: templates,
    ...options.env,
  };
  const child = spawn(
    process.execPath,
    [BIN, "sim", "--no-tui", "--speed", "60", ...(options.args ?? [])],
    { env, stdio: ["pipe", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (c) => {
    out += String(c);
  });
  child.stderr?.on("data", (c) => {
    out += String(c);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const registry = join(dir, "state", "run");
  const p: CrypyProcess = {
    child,
    dir,
    env,
    output: () => out,
    actors: () => readRegistry(registry),
    async port(actor) {
      await waitUntil(
        () => p.actors().some((a) => a.id === actor),
        `${actor} to register its endpoint (output so far:\n${out.slice(-2000)})`,
        60_000,
      );
      const found = p.actors().find((a) => a.id === actor)!;
      return Number(found.control.split(":").pop());
    },
    async cli(args, input) {
      const promise = run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
      if (input !== undefined) {
        promise.child.stdin?.end(input);
      } else promise.child.stdin?.end();
      return promise;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGINT");
      const code = await exited;
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
  return p;
}

/**
 * Sends `lines` to 127.0.0.1:`port` through a real client — `telnet` or `nc` — pausing between
 * lines so each reply arrives before the next line, and returns everything the client printed.
 */
export async function talk(
  client: "telnet" | "nc",
  port: number,
  lines: readonly string[],
  pauseMs = 300,
): Promise<string> {
  const args =
    client === "telnet" ? ["127.0.0.1", String(port)] : ["-q", "1", "127.0.0.1", String(port)];
  const child = spawn(client, args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c) => {
    out += String(c);
  });
  child.stderr.on("data", (c) => {
    out += String(c);
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise((r) => setTimeout(r, pauseMs));
  for (const line of lines) {
    child.stdin.write(`${line}\n`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  child.stdin.end();
  const timer = setTimeout(() => child.kill(), 5_000);
  await exited;
  clearTimeout(timer);
  return out;
}
