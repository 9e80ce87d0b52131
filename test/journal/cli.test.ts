/**
 * `crypy journal list|tail|verify` as a user runs them: the real bin/crypy (compiled by
 * `npm run build`, which `npm test` runs first) in a child process, on a state directory of its own.
 */
import { spawn } from "node:child_process";
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileJournal } from "../../src/journal/journal.js";

const BIN = fileURLToPath(new URL("../../bin/crypy", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function crypy(args: string[], stateDir: string): Promise<Run> {
  const child = spawn(process.execPath, [BIN, "journal", ...args], {
    env: { ...process.env, CRYPY_STATE_DIR: stateDir, CRYPY_LOG_LEVEL: "error" },
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
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

let state: string;
let segment: string;
beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), "crypy-journal-cli-"));
  const journal = await FileJournal.open<{ kind: string; n: number; note?: string }, number>(
    join(state, "journal"),
    { name: "binance-main" },
  );
  for (let n = 1; n <= 5; n++) await journal.append({ kind: "desk.intent", n });
  await journal.snapshot(5);
  for (let n = 6; n <= 8; n++) await journal.append({ kind: "desk.order", n, note: "a\u001b[2Jb" });
  await journal.close();
  segment = join(state, "journal", "binance-main", "segment-0000000000000006.log");
});
afterAll(async () => {
  if (state !== undefined) await rm(state, { recursive: true, force: true });
});

describe("cli - crypy journal", () => {
  it("cli - list shows each journal's entries, last seq, size and snapshot", async () => {
    const run = await crypy(["list"], state);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+ENTRIES\s+LAST SEQ\s+SIZE\s+SNAPSHOT\s+STATUS$/);
    expect(lines[1]).toMatch(/^binance-main\s+3\s+8\s+\d+ B\s+5\s+ok$/);
    const json = await crypy(["list", "--json"], state);
    expect(JSON.parse(json.stdout)).toMatchObject({
      name: "binance-main",
      lastSeq: 8,
      snapshotSeq: 5,
    });
    const empty = await mkdtemp(join(tmpdir(), "crypy-journal-none-"));
    try {
      expect((await crypy(["list", "--state-dir", empty], state)).stdout).toMatch(
        /^no journals in /,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("cli - tail prints the last entries after the snapshot, control characters made inert", async () => {
    const run = await crypy(["tail", "binance-main", "-n", "2"], state);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^snapshot at seq 5 /);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["7", "8"]);
    expect(lines[2]).toContain("desk.order");
    expect(run.stdout).not.toContain("\u001b");
    const json = await crypy(["tail", "binance-main", "--json"], state);
    const entries = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.map((e) => e.seq)).toEqual([6, 7, 8]);
    expect(entries[0].record).toEqual({ kind: "desk.order", n: 6, note: "a\u001b[2Jb" });
  });

  it("cli - verify passes a sound journal, reports a torn tail without cutting it", async () => {
    const ok = await crypy(["verify", "binance-main"], state);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /binance-main: ok — 3 records in 1 segment\(s\), seqs 6\.\.8, snapshot at seq 5/,
    );
    const size = (await stat(segment)).size;
    await appendFile(segment, Buffer.from([1, 2, 3]));
    try {
      const torn = await crypy(["verify", "binance-main"], state);
      expect(torn.code).toBe(0);
      expect(torn.stdout).toContain(`torn tail: 3 bytes at ${segment} byte ${size}`);
      expect((await stat(segment)).size).toBe(size + 3);
    } finally {
      await writeFile(segment, (await readFile(segment)).subarray(0, size));
    }
  });

  it("cli - verify exits 1 naming the file and offset of a bad record", async () => {
    const good = await readFile(segment);
    const bad = Buffer.from(good);
    bad[40] = bad[40]! ^ 0xff; // inside the first of three fsynced records
    await writeFile(segment, bad);
    try {
      const run = await crypy(["verify", "binance-main"], state);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `crypy: journal_corrupt: ${segment} at byte 0: checksum mismatch`,
      );
    } finally {
      await writeFile(segment, good);
    }
  });

  it("cli - an unknown journal or a name leaving the directory is refused", async () => {
    const run = await crypy(["tail", "nope"], state);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no journal named "nope"');
    const outside = await crypy(["verify", "../etc"], state);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain("must be letters, digits");
  });
});
