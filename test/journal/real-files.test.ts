/** The journal on the real disk (node:fs, fdatasync): a torn tail written into the file by hand. */
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JournalCorruptError } from "../../src/journal/errors.js";
import { FileJournal } from "../../src/journal/journal.js";

interface Rec {
  kind: "fill";
  n: number;
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "crypy-journal-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const open = () => FileJournal.open<Rec>(root, { name: "binance-main" });
const segment = () => join(root, "binance-main", "segment-0000000000000001.log");

/** Three records, one fsync each. */
async function writeThree(): Promise<number> {
  const journal = await open();
  for (const n of [1, 2, 3]) await journal.append({ kind: "fill", n });
  await journal.close();
  return (await stat(segment())).size;
}

describe("journal - real files", () => {
  it("journal - half a record at the end is cut on open (truncated on disk) and appends go on", async () => {
    const size = await writeThree();
    const whole = await readFile(segment());
    const frame = whole.subarray(0, size / 3);
    await appendFile(segment(), frame.subarray(0, 20)); // a write the crash interrupted
    const journal = await open();
    expect(journal.recovered.entries.map((e) => e.record.n)).toEqual([1, 2, 3]);
    expect(journal.recovered.cutBytes).toBe(20);
    expect(journal.recovered.cut).toMatchObject({ file: segment(), offset: size });
    expect((await stat(segment())).size).toBe(size);
    expect(await journal.append({ kind: "fill", n: 4 })).toBe(4);
    await journal.close();
    const again = await open();
    expect(again.recovered.cutBytes).toBe(0);
    expect(again.recovered.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await again.close();
  });

  it("journal - garbage after the last record is cut", async () => {
    const size = await writeThree();
    const garbage = Buffer.from("\x00\x00\x00garbage that is no record at all\xff", "latin1");
    await appendFile(segment(), garbage);
    const journal = await open();
    expect(journal.recovered.entries).toHaveLength(3);
    expect(journal.recovered.cutBytes).toBe(garbage.length);
    expect((await stat(segment())).size).toBe(size);
    await journal.close();
  });

  it("journal - a bad byte in a fsynced record is an error with the file and offset; nothing is cut", async () => {
    const size = await writeThree();
    const bytes = await readFile(segment());
    bytes[size / 3 + 40] = bytes[size / 3 + 40]! ^ 1;
    await writeFile(segment(), bytes);
    await expect(open()).rejects.toThrow(JournalCorruptError);
    await expect(open()).rejects.toMatchObject({ file: segment(), offset: size / 3 });
    expect((await stat(segment())).size).toBe(size);
  });

  it("journal - a snapshot replaces the segments before it on disk", async () => {
    await writeThree();
    const journal = await FileJournal.open<Rec, number[]>(root, { name: "binance-main" });
    expect(await journal.snapshot([1, 2, 3])).toBe(3);
    await journal.append({ kind: "fill", n: 4 });
    await journal.close();
    expect((await readdir(join(root, "binance-main"))).sort()).toEqual([
      "segment-0000000000000004.log",
      "snapshot-0000000000000003.snap",
    ]);
    const again = await FileJournal.open<Rec, number[]>(root, { name: "binance-main" });
    expect(again.recovered.snapshot?.state).toEqual([1, 2, 3]);
    expect(again.recovered.entries.map((e) => e.record.n)).toEqual([4]);
    await again.close();
  });
});
