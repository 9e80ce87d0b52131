/**
 * FileJournal's claims one at a time, over the in-memory disk (./crash-files.ts): group commit,
 * seqs across restarts, all-or-nothing batches, failures, snapshots bounding what a restart reads,
 * and corruption named by file and offset.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/domain/errors.js";
import { crc32, crc32Table } from "../../src/journal/crc32.js";
import { JournalCorruptError, JournalError } from "../../src/journal/errors.js";
import { FileJournal, type JournalRecord } from "../../src/journal/journal.js";
import { CrashFiles } from "./crash-files.js";

const ROOT = "/state/journal";
const DIR = join(ROOT, "desk");
const SEGMENT_1 = join(DIR, "segment-0000000000000001.log");

interface Rec extends JournalRecord {
  kind: "test";
  n: number;
}
const rec = (n: number): Rec => ({ kind: "test", n });

function open<S = unknown>(files: CrashFiles) {
  return FileJournal.open<Rec, S>(ROOT, { name: "desk", files, now: () => 1_700_000_000_000 });
}

describe("journal - appends", () => {
  it("journal - 64 appends made together share one write and one fsync", async () => {
    const disk = new CrashFiles();
    const journal = await open(disk);
    const seqs = await Promise.all(Array.from({ length: 64 }, (_, i) => journal.append(rec(i))));
    expect(seqs).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(disk.count("write")).toBe(1);
    expect(disk.count("sync")).toBe(1);
    await journal.close();
  });

  it("journal - appends made while an fsync is in flight go out together in the next one", async () => {
    const disk = new CrashFiles();
    const journal = await open(disk);
    const first = journal.append(rec(0));
    await new Promise((resolve) => setImmediate(resolve)); // the first write is under way
    const later = Array.from({ length: 10 }, (_, i) => journal.append(rec(i + 1)));
    await Promise.all([first, ...later]);
    expect(disk.count("sync")).toBe(2);
    await journal.close();
  });

  it("journal - an append resolves only after the fsync covering it", async () => {
    const disk = new CrashFiles();
    const journal = await open(disk);
    let synced = -1;
    const pending = journal.append(rec(1)).then(() => {
      synced = disk.count("sync");
    });
    await pending;
    expect(synced).toBe(1);
    await journal.close();
  });

  it("journal - seqs continue from the recovered last seq, and entries come back in order", async () => {
    const disk = new CrashFiles();
    const a = await open(disk);
    await Promise.all([a.append(rec(1)), a.appendAll([rec(2), rec(3)]), a.append(rec(4))]);
    await a.close();
    const b = await open(disk);
    expect(b.recovered.entries.map((e) => [e.seq, e.record.n])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    expect(b.recovered.entries[0]!.at).toBe(1_700_000_000_000);
    expect(b.lastSeq).toBe(4);
    expect(await b.append(rec(5))).toBe(5);
    expect(await b.appendAll([rec(6), rec(7)])).toEqual([6, 7]);
    await b.close();
  });

  it("journal - a record that is not JSON rejects alone and leaves no gap in the seqs", async () => {
    const journal = await open(new CrashFiles());
    const bad = { kind: "test", n: 1, big: 1n } as unknown as Rec;
    await expect(journal.append(bad)).rejects.toThrow(InvalidInputError);
    expect(await journal.append(rec(2))).toBe(1);
    await expect(journal.appendAll([])).rejects.toThrow(InvalidInputError);
    await journal.close();
  });

  it("journal - a name that could leave the journal directory is refused", async () => {
    await expect(FileJournal.open(ROOT, { name: "../x", files: new CrashFiles() })).rejects.toThrow(
      InvalidInputError,
    );
  });

  it("journal - a closed journal rejects appends and snapshots", async () => {
    const journal = await open(new CrashFiles());
    await journal.close();
    await expect(journal.append(rec(1))).rejects.toThrow(/journal desk is closed/);
    await expect(journal.snapshot({})).rejects.toThrow(JournalError);
  });
});

describe("journal - failures halt it", () => {
  for (const [op, code] of [
    ["sync", "EIO"],
    ["write", "ENOSPC"],
  ] as const) {
    it(`journal - a failing ${op} (${code}) rejects every pending append with one JournalError, and the rest at once`, async () => {
      const disk = new CrashFiles();
      const journal = await open(disk);
      await journal.append(rec(0));
      disk.fail(op, 2, code);
      const pending = Array.from({ length: 5 }, (_, i) => journal.append(rec(i + 1)));
      const results = await Promise.allSettled(pending);
      const errors = results.map((r) => (r.status === "rejected" ? r.reason : undefined));
      expect(errors[0]).toBeInstanceOf(JournalError);
      expect(errors.every((e) => e === errors[0])).toBe(true);
      expect((errors[0] as Error).message).toContain(code);
      expect(journal.failed).toBe(errors[0]);
      await expect(journal.append(rec(9))).rejects.toBe(errors[0]);
      await expect(journal.snapshot({})).rejects.toBe(errors[0]);
      const syncs = disk.count("sync");
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(disk.count("sync"), "no fsync is retried after a failure").toBe(syncs);
      await journal.close();
      const reopened = await open(disk);
      expect(reopened.recovered.entries.map((e) => e.record.n).slice(0, 1)).toEqual([0]);
      await reopened.close();
    });
  }

  it("journal - appends queued behind a failing batch are rejected with it", async () => {
    const disk = new CrashFiles();
    const journal = await open(disk);
    disk.fail("sync", 1, "EIO");
    const first = journal.append(rec(1));
    await new Promise((resolve) => setImmediate(resolve));
    const queued = journal.append(rec(2));
    const [a, b] = await Promise.allSettled([first, queued]);
    expect(a.status === "rejected" && b.status === "rejected" && a.reason === b.reason).toBe(true);
  });
});

describe("journal - snapshots", () => {
  it("journal - a restart reads the latest snapshot and the tail after it, nothing older", async () => {
    const disk = new CrashFiles();
    const a = await open<{ total: number }>(disk);
    let total = 0;
    for (let batch = 0; batch < 50; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          total += i;
          return a.append(rec(i));
        }),
      );
    }
    expect(await a.snapshot({ total })).toBe(5000);
    for (let i = 0; i < 25; i++) await a.append(rec(i));
    await a.close();

    const b = await open<{ total: number }>(disk);
    expect(b.recovered.snapshot).toMatchObject({ seq: 5000, state: { total } });
    expect(b.recovered.entries.map((e) => e.seq)).toEqual(
      Array.from({ length: 25 }, (_, i) => 5001 + i),
    );
    const read = [...disk.bytesRead.entries()];
    expect(read.map(([path]) => path).sort()).toEqual([
      join(DIR, "segment-0000000000005001.log"),
      join(DIR, "snapshot-0000000000005000.snap"),
    ]);
    const bytes = read.reduce((sum, [, n]) => sum + n, 0);
    expect(bytes).toBeLessThan(25 * 100 + 200);
    expect(await b.append(rec(0))).toBe(5026);
    await b.close();
  });

  it("journal - a snapshot waits for the appends before it and covers exactly them", async () => {
    const disk = new CrashFiles();
    const journal = await open<string>(disk);
    const before = [journal.append(rec(1)), journal.append(rec(2))];
    const snap = journal.snapshot("after two");
    const after = journal.append(rec(3));
    expect(await snap).toBe(2);
    expect(await after).toBe(3);
    await Promise.all(before);
    await journal.close();
    const again = await open<string>(disk);
    expect(again.recovered.snapshot?.state).toBe("after two");
    expect(again.recovered.entries.map((e) => e.seq)).toEqual([3]);
    await again.close();
  });
});

describe("journal - corruption", () => {
  it("journal - a bad checksum below fsynced records is an error naming the file and offset", async () => {
    const disk = new CrashFiles();
    const a = await open(disk);
    for (let i = 0; i < 3; i++) await a.append(rec(i)); // three frames, each fsynced
    await a.close();
    const bytes = Buffer.from(disk.peek(SEGMENT_1)!);
    const second = bytes.length / 3; // equal-sized frames
    bytes[second + 30] = bytes[second + 30]! ^ 0xff;
    disk.poke(SEGMENT_1, bytes);
    const err = await open(disk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalCorruptError);
    expect(err).toMatchObject({ file: SEGMENT_1, offset: second });
    expect((err as Error).message).toMatch(/checksum mismatch, in bytes already fsynced/);
  });

  it("journal - a torn last record is cut and reported, the ones before it kept", async () => {
    const disk = new CrashFiles();
    const a = await open(disk);
    for (let i = 0; i < 3; i++) await a.append(rec(i));
    await a.close();
    const bytes = disk.peek(SEGMENT_1)!;
    disk.poke(SEGMENT_1, bytes.subarray(0, bytes.length - 7));
    const b = await open(disk);
    expect(b.recovered.entries.map((e) => e.record.n)).toEqual([0, 1]);
    expect(b.recovered.cutBytes).toBe(bytes.length / 3 - 7);
    expect(b.recovered.cut).toMatchObject({ file: SEGMENT_1, offset: (bytes.length / 3) * 2 });
    expect(await b.append(rec(2))).toBe(3);
    await b.close();
  });

  it("journal - a bad record followed by valid ones of the same unfinished write is a torn tail", async () => {
    const disk = new CrashFiles();
    const a = await open(disk);
    await a.append(rec(0)); // fsynced alone: the next write's records say so (durableTo)
    await Promise.all([1, 2, 3].map((n) => a.append(rec(n)))); // one write, one fsync
    await a.close();
    const bytes = Buffer.from(disk.peek(SEGMENT_1)!);
    const frame = bytes.length / 4;
    bytes.fill(0, frame * 2, frame * 2 + 10); // pages of that write that never reached the disk
    disk.poke(SEGMENT_1, bytes);
    const b = await open(disk);
    expect(b.recovered.entries.map((e) => e.record.n)).toEqual([0, 1]);
    expect(b.recovered.cut).toMatchObject({
      offset: frame * 2,
      bytes: frame * 2,
      detail: "checksum mismatch; 1 unsynced records after it",
    });
    await b.close();
  });
});

describe("journal - crc32", () => {
  it("journal - the table CRC-32 equals zlib's", () => {
    const data = Buffer.from("The quick brown fox jumps over the lazy dog");
    expect(crc32Table(data)).toBe(0x414fa339);
    expect(crc32(data)).toBe(0x414fa339);
    expect(crc32Table(data.subarray(10), crc32Table(data.subarray(0, 10)))).toBe(0x414fa339);
  });
});
