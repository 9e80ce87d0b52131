/**
 * `crypy journal list|tail|verify`: look into the journals in the state directory
 * (`<state dir>/journal/<name>/`) without changing them — nothing here cuts a torn tail or
 * removes a file; the next FileJournal.open does that.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { InvalidInputError } from "../domain/errors.js";
import { action, positiveInt } from "./program.js";

interface StateDirFlag {
  stateDir?: string;
}

const STATE_DIR_HELP = "the state directory (default: $CRYPY_STATE_DIR, else ~/.local/state/crypy)";

async function journalsRoot(options: StateDirFlag): Promise<string> {
  const { stateDir } = await import("../control/registry/state-dir.js");
  return join(options.stateDir ?? stateDir(), "journal");
}

/** Scans journal `name` (read-only); an absent one is an error naming where it was looked for. */
async function scanNamed(options: StateDirFlag, name: string, all: boolean) {
  const { journalDir, nodeFiles, scanJournal } = await import("../journal/index.js");
  const root = await journalsRoot(options);
  const dir = journalDir(root, name);
  if ((await nodeFiles.list(dir)).length === 0)
    throw new InvalidInputError(`no journal named ${JSON.stringify(name)} in ${root}`);
  return scanJournal(nodeFiles, dir, { all });
}

async function list(options: StateDirFlag & { json?: boolean }): Promise<number> {
  const { nodeFiles, scanJournal, JournalCorruptError } = await import("../journal/index.js");
  const { terminalLine, terminalJson } = await import("../domain/terminal-text.js");
  const root = await journalsRoot(options);
  const rows: Record<string, string | number | null>[] = [];
  for (const name of (await nodeFiles.list(root)).sort()) {
    const dir = join(root, name);
    try {
      const scan = await scanJournal(nodeFiles, dir);
      const covered = scan.snapshot?.seq ?? 0;
      let size = scan.snapshot === undefined ? 0 : await nodeFiles.size(scan.snapshot.file);
      for (const s of scan.segments) size += s.size;
      rows.push({
        name,
        entries: scan.entries.filter((e) => e.seq > covered).length,
        lastSeq: scan.lastSeq,
        bytes: size,
        snapshotSeq: scan.snapshot?.seq ?? null,
        status: scan.torn === undefined ? "ok" : `torn tail of ${scan.torn.bytes} bytes`,
      });
    } catch (err) {
      if (!(err instanceof JournalCorruptError)) throw err;
      rows.push({
        name,
        entries: null,
        lastSeq: null,
        bytes: null,
        snapshotSeq: null,
        status: `corrupt: ${err.message}`,
      });
    }
  }
  if (options.json === true) {
    for (const row of rows) process.stdout.write(`${terminalJson(row)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(`no journals in ${terminalLine(root)}\n`);
    return 0;
  }
  const header = ["NAME", "ENTRIES", "LAST SEQ", "SIZE", "SNAPSHOT", "STATUS"];
  const cells = rows.map((r) =>
    [
      r.name,
      r.entries,
      r.lastSeq,
      r.bytes === null ? null : `${r.bytes} B`,
      r.snapshotSeq,
      r.status,
    ].map((c) => terminalLine(c === null ? "-" : String(c))),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  for (const line of [header, ...cells]) {
    process.stdout.write(
      `${line
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()}\n`,
    );
  }
  return 0;
}

async function tail(name: string, options: StateDirFlag & { n: number; json?: boolean }) {
  const { terminalLine, terminalJson } = await import("../domain/terminal-text.js");
  const scan = await scanNamed(options, name, false);
  const covered = scan.snapshot?.seq ?? 0;
  const entries = scan.entries.filter((e) => e.seq > covered).slice(-options.n);
  if (options.json === true) {
    for (const e of entries) process.stdout.write(`${terminalJson(e)}\n`);
    return 0;
  }
  if (scan.snapshot !== undefined) {
    const at = new Date(scan.snapshot.at).toISOString();
    process.stdout.write(`snapshot at seq ${scan.snapshot.seq} (${at}); entries after it:\n`);
  }
  for (const e of entries) {
    const { kind, ...rest } = e.record as { kind?: unknown };
    const line = `${e.seq}  ${new Date(e.at).toISOString()}  ${String(kind)}  ${JSON.stringify(rest)}`;
    process.stdout.write(`${terminalLine(line)}\n`);
  }
  if (scan.torn !== undefined) {
    process.stdout.write(
      `(a torn tail of ${scan.torn.bytes} bytes follows; the next open cuts it)\n`,
    );
  }
  return 0;
}

async function verify(name: string, options: StateDirFlag): Promise<number> {
  const { terminalLine } = await import("../domain/terminal-text.js");
  // A problem throws JournalCorruptError naming the file and offset: bin/crypy prints it, exit 1.
  const scan = await scanNamed(options, name, true);
  const records = scan.segments.reduce((sum, s) => sum + (s.records ?? 0), 0);
  const first = scan.segments[0]?.start;
  const seqs = records === 0 || first === undefined ? "none" : `${first}..${first + records - 1}`;
  const snapshot =
    scan.snapshot === undefined ? "no snapshot" : `snapshot at seq ${scan.snapshot.seq}`;
  process.stdout.write(
    `${terminalLine(
      `${name}: ok — ${records} records in ${scan.segments.length} segment(s), seqs ${seqs}, ${snapshot}; every checksum holds and the seqs run without a gap`,
    )}\n`,
  );
  if (scan.torn !== undefined) {
    const { file, offset, bytes, detail } = scan.torn;
    process.stdout.write(
      `${terminalLine(`torn tail: ${bytes} bytes at ${file} byte ${offset} (${detail}) — a write a crash interrupted, never acknowledged; the next open cuts it`)}\n`,
    );
  }
  return 0;
}

export function registerJournal(program: Command): void {
  const journal = program
    .command("journal")
    .description("inspect the Desks' journals in the state directory (read-only)")
    .addHelpText(
      "after",
      `
A journal is <state dir>/journal/<name>/: segment-<seq>.log files of checksummed records and the
newest snapshot-<seq>.snap. These commands never change it: a torn tail (a write a crash
interrupted) is reported, and cut by the next crypy that opens the journal.`,
    );

  journal
    .command("list")
    .description(
      "the journals: entries after the snapshot, last seq, bytes on disk, snapshot seq, status",
    )
    .option("--state-dir <dir>", STATE_DIR_HELP)
    .option("--json", "one JSON object per journal")
    .action(action((options: StateDirFlag & { json?: boolean }) => list(options)));

  journal
    .command("tail")
    .description("the last entries of a journal (after its snapshot)")
    .argument("<name>", "the journal's name, as `crypy journal list` shows it")
    .option("-n <count>", "how many entries", positiveInt, 20)
    .option("--state-dir <dir>", STATE_DIR_HELP)
    .option("--json", "one JSON object per entry: {seq, at, record}")
    .action(
      action((name: string, options: StateDirFlag & { n: number; json?: boolean }) =>
        tail(name, options),
      ),
    );

  journal
    .command("verify")
    .description(
      "check every record's checksum and that seqs run without a gap, in every segment; exit 1 naming the file and byte offset of a problem",
    )
    .argument("<name>", "the journal's name")
    .option("--state-dir <dir>", STATE_DIR_HELP)
    .action(action((name: string, options: StateDirFlag) => verify(name, options)));
}
