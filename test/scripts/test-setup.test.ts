/**
 * scripts/test-setup.sh, run with a PATH of its own: fake `id` (root or not), fake tools and a fake
 * `apt-get`/`sudo` that only write down how they were called. No root, no network, nothing
 * installed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const SCRIPT = new URL("../../scripts/test-setup.sh", import.meta.url).pathname;
const BASH = execFileSync("bash", ["-c", "command -v bash"], { encoding: "utf8" }).trim();
const ALL = ["nats-server", "telnet", "nc", "tmux"] as const;
type Tool = (typeof ALL)[number];

let dir: string;
let bin: string;
let sbin: string;
let calls: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-test-setup-"));
  bin = join(dir, "bin");
  sbin = join(dir, "sbin");
  calls = join(dir, "calls.log");
  await mkdir(bin);
  await mkdir(sbin);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function executable(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o755 });
}

/** A fake `id -u` saying `uid`, and `tools` present on PATH. */
async function machine(uid: number, tools: readonly Tool[]): Promise<void> {
  await executable(join(bin, "id"), `#!/bin/sh\necho ${uid}\n`);
  for (const tool of tools) await executable(join(bin, tool), "#!/bin/sh\nexit 0\n");
}

/**
 * A fake `apt-get` (and `sudo`) that appends its arguments to calls.log; when `provides` is given,
 * `install` puts those commands on PATH as a real install would.
 */
async function fakeApt(provides: readonly Tool[] = []): Promise<void> {
  const script = `#!${process.execPath}
const fs = require("node:fs");
const path = require("node:path");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(calls)}, path.basename(process.argv[1]) + " " + args.join(" ") + "\\n");
if (args.includes("install")) {
  for (const tool of ${JSON.stringify(provides)}) {
    fs.writeFileSync(path.join(${JSON.stringify(bin)}, tool), "#!/bin/sh\\nexit 0\\n", { mode: 0o755 });
  }
}
`;
  await executable(join(bin, "apt-get"), script);
  await executable(join(bin, "sudo"), script);
}

function setup(env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(BASH, [SCRIPT], {
    env: { PATH: bin, CRYPY_TEST_SBIN_DIRS: "", ...env },
    encoding: "utf8",
    timeout: 10_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function called(): Promise<string[]> {
  if (!existsSync(calls)) return [];
  return (await readFile(calls, "utf8")).trim().split("\n");
}

describe("test-setup - not root", () => {
  it("test-setup - missing telnet and nc: exits 1 before installing, naming exactly those packages", async () => {
    await machine(1000, ["nats-server", "tmux"]);
    await fakeApt();
    const result = setup();
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("\n  sudo apt-get install -y telnet netcat-openbsd\n");
    expect(result.stderr.match(/apt-get install/g)).toHaveLength(1);
    expect(await called()).toEqual([]);
  });

  it("test-setup - nothing installed: the command names all four packages", async () => {
    await machine(1000, []);
    const result = setup();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "\n  sudo apt-get install -y nats-server telnet netcat-openbsd tmux\n",
    );
  });

  it("test-setup - nats-server in an sbin directory off PATH counts as installed", async () => {
    await machine(1000, ["telnet", "nc"]);
    await executable(join(sbin, "nats-server"), "#!/bin/sh\nexit 0\n");
    const result = setup({ CRYPY_TEST_SBIN_DIRS: sbin });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("\n  sudo apt-get install -y tmux\n");
  });

  it("test-setup - everything installed: exits 0 silently and runs nothing", async () => {
    await machine(1000, [...ALL]);
    await fakeApt();
    const result = setup();
    expect(result).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(await called()).toEqual([]);
  });
});

describe("test-setup - root", () => {
  it("test-setup - root with apt-get installs exactly the missing packages, then exits 0", async () => {
    await machine(0, ["nats-server", "tmux"]);
    await fakeApt(["telnet", "nc"]);
    const result = setup();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("test-setup: installing Debian packages: telnet netcat-openbsd\n");
    expect(await called()).toEqual([
      "apt-get update -qq",
      "apt-get install -y -qq telnet netcat-openbsd",
    ]);
  });

  it("test-setup - root: a package that did not provide its command fails the set-up", async () => {
    await machine(0, ["nats-server", "tmux"]);
    await fakeApt(["telnet"]);
    const result = setup();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "apt-get installed telnet netcat-openbsd but netcat-openbsd is still missing",
    );
  });

  it("test-setup - root without apt-get: exits 1 with the command, without sudo", async () => {
    await machine(0, ["nats-server", "telnet", "nc"]);
    const result = setup();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("\n  apt-get install -y tmux\n");
    expect(result.stderr).not.toContain("sudo");
  });
});
