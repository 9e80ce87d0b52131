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

/** The prompt a session prints after its banner and after every reply: `<actor id>> `. */
const PROMPT = /\n([\w.-]+> )$/;

/**
 * Sends `lines` to 127.0.0.1:`port` through a real client — `telnet` or `nc` — and returns
 * everything the client printed. Each line is sent once the session has answered the previous one
 * with its prompt (text mode: `mode json` has no prompt). The last line must end the session
 * (`quit`, or a third wrong token): the helper returns when the server has closed the connection.
 * If the server closes it earlier, the remaining lines are not sent. Waiting longer than
 * `timeoutMs` for a prompt or for the close is an error that shows the output so far.
 */
export async function talk(
  client: "telnet" | "nc",
  port: number,
  lines: readonly string[],
  timeoutMs = 15_000,
): Promise<string> {
  // No -q: after its stdin ends, Debian's nc keeps reading until the server closes.
  const child = spawn(client, ["127.0.0.1", String(port)], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let closed = false;
  let failed: Error | undefined;
  child.stdout.on("data", (c) => {
    out += String(c);
  });
  child.stderr.on("data", (c) => {
    out += String(c);
  });
  child.stdin.on("error", () => {}); // the server may close before a line is written
  child.once("error", (err) => {
    failed = err;
  });
  child.once("close", () => {
    closed = true;
  });

  const wait = async (what: string, done: () => boolean): Promise<void> => {
    try {
      await waitUntil(() => done() || closed || failed !== undefined, what, timeoutMs);
    } catch (err) {
      child.kill();
      throw new Error(`${client} 127.0.0.1 ${port}: ${messageOf(err)}; it printed:\n${out}`, {
        cause: err,
      });
    }
    if (failed !== undefined) {
      throw new Error(
        `${client} did not run (${failed.message}); scripts/test-setup.sh installs it`,
        { cause: failed },
      );
    }
  };

  await wait("the first prompt", () => PROMPT.test(out));
  const prompt = `\n${PROMPT.exec(out)?.[1] ?? ""}`;
  const prompts = () => out.split(prompt).length - 1;
  for (const [i, line] of lines.entries()) {
    if (closed) break;
    const before = prompts();
    child.stdin.write(`${line}\n`);
    if (i < lines.length - 1) await wait(`the prompt after '${line}'`, () => prompts() > before);
  }
  // telnet quits as soon as its stdin ends, dropping replies still on their way: it only gets
  // EOF once the server has closed. nc gets it at once, so it notices the server closing.
  if (client === "nc") child.stdin.end();
  await wait("the server to close the connection", () => closed);
  child.stdin.destroy();
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
