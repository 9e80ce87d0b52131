/**
 * The journal's promise under power cuts, over a disk that keeps only what was fsynced (plus torn
 * pieces of what was not): random concurrent appends, batches and snapshots, cut at a random
 * operation, reopened, again and again. After every reopen:
 *   - every acknowledged append is there, at its seq, exactly once, in order;
 *   - what is there is contiguous from seq 1 and each entry is a record some append submitted at
 *     that seq (an unacknowledged one may or may not be there, but never half of an appendAll);
 *   - no acknowledged seq is ever handed out again;
 *   - the torn tail was cut: opening once more cuts nothing and reads the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FileJournal } from "../../src/journal/journal.js";
import { CrashFiles } from "./crash-files.js";

interface Rec {
  kind: "test";
  id: number;
}
interface Item {
  seq: number;
  id: number;
}
type State = Item[];

const ROOT = "/state/journal";

type Op = { t: "append" } | { t: "batch"; n: number } | { t: "snapshot" };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Op>({ t: "append" }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }).map((n): Op => ({ t: "batch", n })) },
  { weight: 1, arbitrary: fc.constant<Op>({ t: "snapshot" }) },
);
const generation = fc.record({
  writers: fc.array(fc.array(op, { maxLength: 12 }), { minLength: 1, maxLength: 6 }),
  crashAfter: fc.integer({ min: 1, max: 40 }),
});

function history(journal: FileJournal<Rec, State>): Item[] {
  const { snapshot, entries } = journal.recovered;
  return [...(snapshot?.state ?? []), ...entries.map((e) => ({ seq: e.seq, id: e.record.id }))];
}

describe("journal - power cuts at random points", () => {
  it("journal - acknowledged appends survive every cut, exactly once and in order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.array(generation, { minLength: 1, maxLength: 4 }),
        async (seed, generations) => {
          let disk = new CrashFiles(seed);
          let nextId = 1;
          const acked = new Map<number, number>(); // seq → id, across all generations
          const submitted = new Map<number, Set<number>>(); // seq → ids submitted at it
          const groups: Item[][] = []; // each appendAll's records
          for (const gen of generations) {
            const journal = await FileJournal.open<Rec, State>(ROOT, { name: "fuzz", files: disk });
            const seen = history(journal);
            check(seen, acked, submitted, groups);
            // What the journal holds now, extended as appends take seqs: a snapshot's state.
            const current: Item[] = [...seen];
            disk.crashAfter(gen.crashAfter);
            const power = disk;
            const ack = (seq: number, id: number) => {
              if (power.crashed) return; // the process is gone: nobody hears this
              expect(acked.has(seq), `seq ${seq} acknowledged twice`).toBe(false);
              acked.set(seq, id);
            };
            const submit = (ids: number[], first: number) => {
              ids.forEach((id, i) => {
                const seq = first + i;
                if (!submitted.has(seq)) submitted.set(seq, new Set());
                submitted.get(seq)!.add(id);
                current[seq - 1] = { seq, id };
              });
            };
            await Promise.all(
              gen.writers.map(async (ops) => {
                for (const o of ops) {
                  try {
                    if (o.t === "append") {
                      const id = nextId++;
                      const pending = journal.append({ kind: "test", id });
                      submit([id], journal.lastSeq);
                      ack(await pending, id);
                    } else if (o.t === "batch") {
                      const ids = Array.from({ length: o.n }, () => nextId++);
                      const pending = journal.appendAll(ids.map((id) => ({ kind: "test", id })));
                      const first = journal.lastSeq - o.n + 1;
                      submit(ids, first);
                      groups.push(ids.map((id, i) => ({ seq: first + i, id })));
                      const seqs = await pending;
                      for (const [i, seq] of seqs.entries()) ack(seq, ids[i]!);
                    } else {
                      await journal.snapshot(current.slice(0, journal.lastSeq));
                    }
                  } catch {
                    return; // the cut failed the journal: this writer's process is gone
                  }
                }
              }),
            );
            disk = disk.powerCut();
          }
          const last = await FileJournal.open<Rec, State>(ROOT, { name: "fuzz", files: disk });
          const seen = history(last);
          check(seen, acked, submitted, groups);
          await last.close();
          const again = await FileJournal.open<Rec, State>(ROOT, { name: "fuzz", files: disk });
          expect(again.recovered.cutBytes).toBe(0);
          expect(history(again)).toEqual(seen);
          await again.close();
        },
      ),
      { numRuns: 500 },
    );
  }, 120_000);
});

function check(
  seen: Item[],
  acked: Map<number, number>,
  submitted: Map<number, Set<number>>,
  groups: Item[][],
): void {
  seen.forEach((item, i) => {
    expect(item.seq, "seqs contiguous from 1").toBe(i + 1);
    expect(submitted.get(item.seq)?.has(item.id), `seq ${item.seq} id ${item.id} submitted`).toBe(
      true,
    );
  });
  for (const [seq, id] of acked)
    expect(seen[seq - 1], `acknowledged seq ${seq}`).toEqual({ seq, id });
  const ids = seen.map((s) => s.id);
  expect(new Set(ids).size, "no record twice").toBe(ids.length);
  for (const group of groups) {
    const present = group.filter((g) => seen[g.seq - 1]?.id === g.id).length;
    expect([0, group.length], `appendAll ${JSON.stringify(group)}: all or none`).toContain(present);
  }
}
