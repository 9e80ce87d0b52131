/**
 * What a Desk's file journal would add per order, for context: the bench's Desk runs without one
 * (as `crypy sim` without a state directory does), but a Desk with one makes two entries durable
 * on each order's path — its intent before the venue hears of it, and the filled state before the
 * Trader is told. Timed here alone: one `desk.order` entry appended and fdatasync'ed at a time (no
 * other writer to share a group commit with), on the disk of the system's temporary folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileDeskJournal } from "../../src/actors/desk/journal/file.js";
import type { Order } from "../../src/domain/order.js";
import { median, nowNs } from "../report.js";

const APPENDS = 200;

/** µs per durable append, median of APPENDS one at a time after 20 warm-up appends. */
export async function journalAppendUs(desk: string, order: Order): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "crypy-bench-journal-"));
  const journal = await FileDeskJournal.open(dir, desk);
  try {
    for (let i = 0; i < 20; i++) await journal.append({ kind: "desk.order", order });
    const samples: number[] = [];
    for (let i = 0; i < APPENDS; i++) {
      const start = nowNs();
      await journal.append({ kind: "desk.order", order });
      samples.push(Number(nowNs() - start) / 1_000);
    }
    return median(samples);
  } finally {
    await journal.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
