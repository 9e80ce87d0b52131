/**
 * The Desk's journal on JetStream against a real nats-server (its own port and store directory):
 * what an open reads back, snapshots and what a crash between their steps leaves, msgID dedup,
 * the fence against a second writer, and a nats-server killed with SIGKILL mid-append-stream.
 */

import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DeskEntry, LostEntry } from "../../src/actors/desk/journal/entries.js";
import { JetStreamDeskJournal } from "../../src/actors/desk/journal/jetstream.js";
import {
  publishDurably,
  StreamFencedError,
} from "../../src/actors/desk/journal/jetstream-publish.js";
import { BOOKS_HEADER, PART_HEADER } from "../../src/actors/desk/journal/jetstream-wire.js";
import { journalStream, journalSubject } from "../../src/bus/subjects.js";
import { JournalError } from "../../src/journal/errors.js";
import { WallClock } from "../../src/time/wall-clock.js";
import { type NatsServer, startNatsServer } from "../harness/nats-server.js";

function lost(i: number): LostEntry {
  return { kind: "desk.lost", clientOrderId: `d-BTC-USDT-${i}`, reason: `entry ${i}` };
}

function ids(entries: readonly DeskEntry[]): string[] {
  return entries.map((e) => (e.kind === "desk.lost" ? e.clientOrderId : e.kind));
}

const RETRY = { clock: new WallClock(), retryForMs: 15_000, attemptTimeoutMs: 500 };

let server: NatsServer;
const connections: NatsConnection[] = [];
let deskNo = 0;

async function conn(url = server.url): Promise<NatsConnection> {
  const nc = await connect({
    servers: url,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    name: "journal-test",
  });
  connections.push(nc);
  return nc;
}

/** A Desk name no other test uses, so each test has its own stream. */
function newDesk(): string {
  deskNo += 1;
  return `js-desk-${deskNo}`;
}

beforeAll(async () => {
  server = await startNatsServer();
});

afterEach(async () => {
  for (const nc of connections.splice(0)) await nc.close();
});

afterAll(async () => {
  await server.cleanup();
});

describe("JetStreamDeskJournal", () => {
  it("an open reads back every acknowledged append, in the order appended", async () => {
    const desk = newDesk();
    const journal = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(journal.recovered).toEqual([]);
    // Some in one turn (one group commit), some one by one.
    await Promise.all([1, 2, 3, 4, 5].map((i) => journal.append(lost(i))));
    for (const i of [6, 7, 8]) await journal.append(lost(i));
    await journal.close();

    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(again.recovered)).toEqual(ids([1, 2, 3, 4, 5, 6, 7, 8].map(lost)));
    // Numbering continues: the next run's entries follow.
    await again.append(lost(9));
    const third = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(third.recovered).at(-1)).toBe("d-BTC-USDT-9");
    expect(third.recovered).toHaveLength(9);
  });

  it("a snapshot replaces what came before it; the tail after it replays on top", async () => {
    const desk = newDesk();
    const nc = await conn();
    const journal = await JetStreamDeskJournal.open(nc, desk, RETRY);
    for (const i of [1, 2, 3]) await journal.append(lost(i));
    await journal.snapshot([lost(100)]);
    await journal.append(lost(4));
    await journal.snapshot([lost(200)]);
    await journal.append(lost(5));
    await journal.append(lost(6));

    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(again.recovered)).toEqual(ids([lost(200), lost(5), lost(6)]));
    // The purge left the latest snapshot (one part) and the two messages after it.
    const info = await (await jetstreamManager(nc)).streams.info(journalStream(desk));
    expect(info.state.messages).toBe(3);
  });

  it("a crash after a snapshot is stored but before the purge replays it once, over nothing it covers", async () => {
    const desk = newDesk();
    const nc = await conn();
    const journal = await JetStreamDeskJournal.open(nc, desk, RETRY);
    for (const i of [1, 2, 3]) await journal.append(lost(i));
    // The snapshot's part as the journal writes it, then no purge: the crash.
    const js = jetstream(nc);
    const h = headers();
    h.set(BOOKS_HEADER, "3");
    h.set(PART_HEADER, "1/1");
    await js.publish(
      journalSubject(desk, "books"),
      JSON.stringify({ covers: 3, entries: [lost(100)] }),
      { headers: h },
    );

    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(again.recovered)).toEqual(ids([lost(100)]));
    // The open finished the purge the crash interrupted.
    const info = await (await jetstreamManager(nc)).streams.info(journalStream(desk));
    expect(info.state.messages).toBe(1);
    await again.append(lost(4));
    const third = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(third.recovered)).toEqual(ids([lost(100), lost(4)]));
  });

  it("a snapshot a crash cut short (one part of two) is ignored; the entries it would cover stay", async () => {
    const desk = newDesk();
    const nc = await conn();
    const journal = await JetStreamDeskJournal.open(nc, desk, RETRY);
    for (const i of [1, 2]) await journal.append(lost(i));
    const h = headers();
    h.set(BOOKS_HEADER, "2");
    h.set(PART_HEADER, "1/2");
    await jetstream(nc).publish(journalSubject(desk, "books"), '{"covers":2,"entr', {
      headers: h,
    });

    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(again.recovered)).toEqual(ids([lost(1), lost(2)]));
    // And a later complete snapshot still counts.
    await again.append(lost(3));
    await again.snapshot([lost(300)]);
    const third = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(third.recovered)).toEqual(ids([lost(300)]));
  });

  it("the same message published twice under one msgID is stored once", async () => {
    const desk = newDesk();
    const nc = await conn();
    await JetStreamDeskJournal.open(nc, desk, RETRY);
    const js = jetstream(nc);
    const msg = {
      subject: journalSubject(desk, "entries"),
      data: Buffer.from(JSON.stringify({ first: 1, entries: [lost(1)] })),
      msgID: `${desk}.run.1`,
      after: 0,
    };
    const first = await publishDurably(js, journalStream(desk), msg, RETRY);
    // A retry after a lost acknowledgement: same msgID, same expectation (now stale).
    const retry = await publishDurably(js, journalStream(desk), msg, RETRY);
    expect(retry.duplicate).toBe(true);
    expect(retry.seq).toBe(first.seq);

    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(again.recovered)).toEqual(["d-BTC-USDT-1"]);
  });

  it("a second writer on the same stream fails the first one's next append: never interleaved", async () => {
    const desk = newDesk();
    const a = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    await a.append(lost(1));
    const b = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    await b.append(lost(2));
    await expect(a.append(lost(3))).rejects.toBeInstanceOf(StreamFencedError);
    // Failed for good, with the same error.
    await expect(a.append(lost(4))).rejects.toThrow(/changed under this writer/);

    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    expect(ids(again.recovered)).toEqual(["d-BTC-USDT-1", "d-BTC-USDT-2"]);
  });

  it("a snapshot larger than the server's max_payload is stored in parts and read back whole", async () => {
    const config = join(server.dir, "small-payload.conf");
    await writeFile(config, "max_payload: 4096\n");
    const small = await startNatsServer({ configFile: config });
    try {
      const desk = newDesk();
      const journal = await JetStreamDeskJournal.open(await conn(small.url), desk, RETRY);
      const many = Array.from({ length: 200 }, (_, i) => lost(1000 + i));
      await journal.append(lost(1));
      await journal.snapshot(many);
      await journal.append(lost(2));
      const again = await JetStreamDeskJournal.open(await conn(small.url), desk, RETRY);
      expect(ids(again.recovered)).toEqual(ids([...many, lost(2)]));
      // And appends made in one turn that exceed a message split into several.
      await Promise.all(many.map((e) => again.append(e)));
      const third = await JetStreamDeskJournal.open(await conn(small.url), desk, RETRY);
      expect(third.recovered).toHaveLength(many.length * 2 + 1);
    } finally {
      await small.cleanup();
    }
  });

  it("a server without JetStream, or a stream of that name that is not a journal, is a clear error", async () => {
    const plain = await startNatsServer({ jetstream: false });
    try {
      await expect(JetStreamDeskJournal.open(await conn(plain.url), "d1", RETRY)).rejects.toThrow(
        /has no JetStream \(start nats-server with -js/,
      );
    } finally {
      await plain.cleanup();
    }
    const desk = newDesk();
    const nc = await conn();
    await (await jetstreamManager(nc)).streams.add({
      name: journalStream(desk),
      subjects: [`other.${desk}`],
    });
    await expect(JetStreamDeskJournal.open(nc, desk, RETRY)).rejects.toThrow(
      new RegExp(`stream ${journalStream(desk)} exists but is not this Desk's journal`),
    );
  });
});

describe("JetStreamDeskJournal with nats-server killed (SIGKILL) and restarted mid-stream", () => {
  it("every acknowledged append is recovered exactly once, in order; nothing is duplicated", async () => {
    const desk = newDesk();
    const journal = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    const acked = new Set<number>();
    const failed: unknown[] = [];
    const total = 400;
    let killed = false;
    const writes: Promise<void>[] = [];
    for (let i = 1; i <= total; i++) {
      writes.push(
        journal.append(lost(i)).then(
          () => void acked.add(i),
          (err: unknown) => void failed.push(err),
        ),
      );
      // Waves of 8 in flight; the server dies with a wave in the air.
      if (i % 8 === 0) await Promise.race([Promise.all(writes.slice(-8)), sleep(50)]);
      if (i === 120) {
        killed = true;
        await server.restart({ kill: true });
      }
    }
    await Promise.all(writes);
    expect(killed).toBe(true);
    // Retries carried every append across the restart.
    expect(failed).toEqual([]);
    expect(acked.size).toBe(total);

    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    const got = ids(again.recovered);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toEqual(ids(Array.from({ length: total }, (_, i) => lost(i + 1))));
  });

  it("an append that cannot reach a server within retryForMs rejects with a JournalError, then every later one", async () => {
    const desk = newDesk();
    const journal = await JetStreamDeskJournal.open(await conn(), desk, {
      retryForMs: 1_500,
      attemptTimeoutMs: 300,
    });
    await journal.append(lost(1));
    await server.kill();
    try {
      const err = await journal.append(lost(2)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(JournalError);
      expect(String(err)).toMatch(/message js-desk-\d+\.\S+\.2 not acknowledged/);
      await expect(journal.append(lost(3))).rejects.toBe(err);
    } finally {
      await server.restart();
    }
    const again = await JetStreamDeskJournal.open(await conn(), desk, RETRY);
    // The failed entry was never acknowledged: whether it is there or not, it is there once.
    expect(ids(again.recovered).slice(0, 1)).toEqual(["d-BTC-USDT-1"]);
    expect(again.recovered.length).toBeLessThanOrEqual(2);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
