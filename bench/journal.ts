/**
 * bench journal — what durability costs, on the disk under $TMPDIR.
 *
 * 1. Durable appends/s. Ours: FileJournal with 64 concurrent writers, each appending its next
 *    record as soon as the previous one is acknowledged (so up to 64 share a write and an
 *    fdatasync). Peer: the bare loop a journal without group commit would be — write one framed
 *    record, fdatasync, repeat — on a file in the same directory, same record bytes. Each side runs
 *    SECONDS per block, alternating, BLOCKS blocks each; rate = records / time. Goal: ratio ≥ 5.
 *    Why 5: with W writers waiting, each fsync carries up to W records; the fsync is most of an
 *    append's cost, so the ideal is ~W× (64). Encoding, one JSON.stringify per record and the
 *    promise per append eat some of it; 5× is the floor below which group commit is not doing its
 *    job (it would mean fewer than ~5 records per fsync on a disk where fsync dominates).
 *    A second line: one writer through FileJournal against the same bare loop, the journal's own
 *    overhead when nothing can be batched. Goal: ratio ≥ 0.7.
 * 2. Recovery: the time FileJournal.open takes to read, check (CRC-32 and seq of every frame) and
 *    parse a journal of 1,000,000 entries (one record per frame, ~310 MB: each a Desk order update
 *    of ~280 bytes of JSON), with no snapshot. Peer: reading the same file's bytes (readFile, warm
 *    page cache, as the open's own read is). Reported, no goal: the ratio is the price of parsing.
 *    The file is built by FileJournal itself, over a file layer whose fsync is a no-op, so the
 *    build takes seconds.
 * 3. A Desk's restart over 1,000,200 entries of its own journal, replay and reconciliation
 *    included (bench/journal-replay.ts).
 */
import { constants } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FileLayer, nodeFiles } from "../src/journal/files.js";
import { encodeFrame } from "../src/journal/frame.js";
import { FileJournal } from "../src/journal/journal.js";
import { elapsedSeconds, nowNs, report } from "./report.js";

const SECONDS = 2;
const BLOCKS = 2;
const WRITERS = 64;
const RECOVERY_ENTRIES = 1_000_000;

interface OrderRecord {
  kind: "desk.order";
  order: {
    id: string;
    clientOrderId: string;
    market: string;
    side: "buy" | "sell";
    type: "limit";
    price: string;
    amount: string;
    filled: string;
    status: "open" | "closed";
    timestamp: number;
  };
}

const record = (n: number): OrderRecord => ({
  kind: "desk.order",
  order: {
    id: String(8_000_000_000 + n),
    clientOrderId: `binance-main-BTCUSDT-${n}`,
    market: "BTC/USDT",
    side: n % 2 === 0 ? "buy" : "sell",
    type: "limit",
    price: "64123.45",
    amount: "0.01230000",
    filled: n % 3 === 0 ? "0.01230000" : "0.00000000",
    status: n % 3 === 0 ? "closed" : "open",
    timestamp: 1_700_000_000_000 + n,
  },
});

/** Writers appending back to back for `seconds`; returns acknowledged appends per second. */
async function journalRate(root: string, name: string, writers: number, seconds: number) {
  const journal = await FileJournal.open<OrderRecord>(root, { name });
  let count = 0;
  const start = nowNs();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (Date.now() < deadline) {
        await journal.append(record(count));
        count++;
      }
    }),
  );
  const rate = count / elapsedSeconds(start);
  await journal.close();
  return rate;
}

/** One framed record, write + fdatasync, repeated for `seconds`: records per second. */
async function bareRate(file: string, seconds: number): Promise<number> {
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND);
  let count = 0;
  const start = nowNs();
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const payload = Buffer.from(JSON.stringify({ at: Date.now(), records: [record(count)] }));
    const frame = Buffer.concat(encodeFrame({ seq: count + 1, count: 1, durableTo: 0 }, payload));
    await handle.write(frame);
    await handle.datasync();
    count++;
  }
  const rate = count / elapsedSeconds(start);
  await handle.close();
  return rate;
}

async function appendRates(dir: string): Promise<boolean> {
  const ours = { grouped: 0, single: 0 };
  let bare = 0;
  for (let block = 0; block < BLOCKS; block++) {
    ours.grouped += await journalRate(dir, `grouped-${block}`, WRITERS, SECONDS);
    bare += await bareRate(join(dir, `bare-${block}.log`), SECONDS);
    ours.single += await journalRate(dir, `single-${block}`, 1, SECONDS);
  }
  const grouped = report({
    bench: "journal",
    impl: `FileJournal, ${WRITERS} concurrent writers (group commit)`,
    value: ours.grouped / BLOCKS,
    unit: "durable appends/s",
    peer: "bare write + fdatasync per record",
    peer_value: bare / BLOCKS,
    goal: { atLeast: 5 },
  });
  const single = report({
    bench: "journal",
    impl: "FileJournal, 1 writer",
    value: ours.single / BLOCKS,
    unit: "durable appends/s",
    peer: "bare write + fdatasync per record",
    peer_value: bare / BLOCKS,
    goal: { atLeast: 0.7 },
  });
  return grouped && single;
}

/** The real disk with fsync skipped: builds a big journal fast. Never for anything durable. */
export const unsynced: FileLayer = {
  ...nodeFiles,
  async openAppend(path) {
    const file = await nodeFiles.openAppend(path);
    return {
      append: (d) => file.append(d),
      truncate: (size) => file.truncate(size),
      sync: async () => {},
      close: () => file.close(),
    };
  },
  syncDir: async () => {},
};

async function recovery(dir: string): Promise<boolean> {
  const build = await FileJournal.open<OrderRecord>(dir, { name: "big", files: unsynced });
  const ROUND = 1000;
  for (let n = 0; n < RECOVERY_ENTRIES; n += ROUND) {
    await Promise.all(Array.from({ length: ROUND }, (_, i) => build.append(record(n + i))));
  }
  await build.close();
  const file = join(dir, "big", "segment-0000000000000001.log");
  const bytes = (await readFile(file)).length; // and warms the page cache for both sides
  const opens: number[] = [];
  const reads: number[] = [];
  let entries = 0;
  for (let i = 0; i < 2; i++) {
    let start = nowNs();
    const journal = await FileJournal.open<OrderRecord>(dir, { name: "big" });
    opens.push(elapsedSeconds(start) * 1000);
    entries = journal.recovered.entries.length;
    await journal.close();
    start = nowNs();
    await readFile(file);
    reads.push(elapsedSeconds(start) * 1000);
  }
  if (entries !== RECOVERY_ENTRIES) throw new Error(`recovered ${entries} entries`);
  process.stderr.write(`recovery: ${entries} entries, ${(bytes / 1e6).toFixed(0)} MB\n`);
  return report({
    bench: "journal",
    impl: `FileJournal.open, ${RECOVERY_ENTRIES} entries (${(bytes / 1e6).toFixed(0)} MB)`,
    value: Math.min(...opens),
    unit: "ms",
    peer: "readFile of the same bytes",
    peer_value: Math.min(...reads),
  });
}

export async function run(): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), "crypy-bench-journal-"));
  try {
    const appends = await appendRates(dir);
    const recovered = await recovery(dir);
    const { deskReplay } = await import("./journal-replay.js");
    const replayed = await deskReplay(dir);
    return appends && recovered && replayed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
