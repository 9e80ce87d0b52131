/**
 * What the Recorder's raw book tests share: `crypy venue serve` as the exchange (spot from
 * venues/sim.yaml, USDⓈ-M from venues/sim-perp.yaml) with the venue file's stream faults, a
 * CcxtVenue on ccxt's binance or binanceusdm pointed at it by URL only, a Recorder on the wall
 * clock over a LocalBus, and a consumer that rebuilds the book from what is published.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { BookDiffEvent, BookSnapshotEvent } from "../../../src/actors/recorder/depth-feed.js";
import type { RecordedBooks } from "../../../src/actors/recorder/raw-book.js";
import { Recorder, type RecordKind } from "../../../src/actors/recorder/recorder.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { allActorEvents, marketData } from "../../../src/bus/subjects.js";
import { createLogger } from "../../../src/log/logger.js";
import { WallClock } from "../../../src/time/wall-clock.js";
import { startVenueServer, type VenueServer } from "../../../src/venue-server/server.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import { createSimulation, type Simulation } from "../../../src/venues/sim/simulation.js";
import { writeVenueFile } from "../../support/venue-file.js";
import { usdmFixture, usdmUrls } from "../../venue-server/usdm-support.js";

export type StreamFaults = Partial<
  Record<"skipDepthProbability" | "duplicateProbability" | "dropConnectionEvery", number>
>;

export interface Exchange {
  simulation: Simulation;
  server: VenueServer;
  venue: CcxtVenue;
  /** The REST depth path of its dialect: /api/v3/depth or /fapi/v1/depth. */
  depthPath: string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** venues/sim.yaml served, with `streams` faults; ccxt's binance at it. */
export async function spotExchange(streams: StreamFaults): Promise<Exchange> {
  const dir = await mkdtemp(join(tmpdir(), "crypy-raw-book-"));
  const file = await writeVenueFile(dir, {
    latency: { fixedMs: 0, jitterMs: 0 },
    faults: { streams },
  });
  const simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 2 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0 });
  const ws = server.url.replace(/^http/, "ws");
  const api = `${server.url}/api/v3`;
  const venue = await CcxtVenue.open({
    exchange: "binance",
    urls: { api: { public: api, private: api, ws: { spot: `${ws}/ws` } } },
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false },
  });
  return {
    simulation,
    server,
    venue,
    depthPath: "/api/v3/depth",
    close: async () => {
      await venue.close();
      await server.close();
      await simulation.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** venues/sim-perp.yaml served, with `streams` faults; ccxt's binanceusdm at it. */
export async function usdmExchange(streams: StreamFaults): Promise<Exchange> {
  const fields = Object.entries(streams)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  const f = await usdmFixture(3_600_000, { blocks: `\nfaults:\n  streams: { ${fields} }\n` });
  const ws = f.server.url.replace(/^http/, "ws");
  const venue = await CcxtVenue.open({
    exchange: "binanceusdm",
    urls: { api: { ...usdmUrls(f.server), ws: { future: `${ws}/ws` } } },
    options: { fetchCurrencies: false },
  });
  return {
    simulation: f.simulation,
    server: f.server,
    venue,
    depthPath: "/fapi/v1/depth",
    close: async () => {
      await venue.close();
      await f.close();
    },
  };
}

type BookMessage =
  | { market: string; seq: number; snapshot: BookSnapshotEvent }
  | { market: string; seq: number; diff: BookDiffEvent };

/** A consumer of the book subject: replaces its book at each snapshot, applies each diff. */
export class Replica {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  /** The update id the book is at. */
  id: number | undefined;
  readonly seqs: number[] = [];
  snapshots = 0;
  diffs: BookDiffEvent[] = [];

  take(m: BookMessage): void {
    this.seqs.push(m.seq);
    if ("snapshot" in m) {
      this.snapshots++;
      this.bids.clear();
      this.asks.clear();
      this.set(m.snapshot.bids, m.snapshot.asks);
      this.id = m.snapshot.sequence;
      return;
    }
    // Each diff follows the book it is applied to: never applied twice, never a hole.
    expect(this.id, "a diff before any snapshot").toBeDefined();
    expect(m.diff.last).toBeGreaterThan(this.id!);
    expect(m.diff.first).toBeLessThanOrEqual(this.id! + 1);
    if (m.diff.prev !== undefined && m.diff.first > this.id!) expect(m.diff.prev).toBe(this.id);
    this.diffs.push(m.diff);
    this.set(m.diff.bids, m.diff.asks);
    this.id = m.diff.last;
  }

  side(side: "bids" | "asks"): [string, string][] {
    const sign = side === "bids" ? -1 : 1;
    return [...(side === "bids" ? this.bids : this.asks)]
      .sort(([a], [b]) => sign * (Number(a) - Number(b)))
      .map(([p, q]) => [p, q]);
  }

  private set(
    bids: readonly (readonly [string, string])[],
    asks: readonly (readonly [string, string])[],
  ) {
    for (const [p, q] of bids) Number(q) === 0 ? this.bids.delete(p) : this.bids.set(p, q);
    for (const [p, q] of asks) Number(q) === 0 ? this.asks.delete(p) : this.asks.set(p, q);
  }
}

export interface Recording {
  recorder: Recorder;
  bus: LocalBus;
  replica: Replica;
  events: Array<Record<string, unknown>>;
  trades: Array<{ seq: number; trades: Array<{ id: string }> }>;
  stored: { snapshots: number; diffs: number; gaps: Array<[number, number, string]> };
  stop(): Promise<void>;
}

/** A Recorder of `market` at `x` (source "binance"), its book subject fed to a Replica. */
export async function record(x: Exchange, market: string, kinds: RecordKind[]): Promise<Recording> {
  const bus = new LocalBus();
  const events: Array<Record<string, unknown>> = [];
  bus.subscribe<Record<string, unknown>>(allActorEvents(), (e) => void events.push(e));
  const replica = new Replica();
  bus.subscribe<BookMessage>(marketData("binance", market, "book"), (m) => replica.take(m));
  const trades: Recording["trades"] = [];
  bus.subscribe<Recording["trades"][number]>(
    marketData("binance", market, "trade"),
    (m) => void trades.push(m),
  );
  const stored: Recording["stored"] = { snapshots: 0, diffs: 0, gaps: [] };
  const books: RecordedBooks = {
    snapshot: () => void stored.snapshots++,
    diff: () => void stored.diffs++,
    gap: (_v, _m, _k, from, to, reason) => void stored.gaps.push([from, to, reason]),
  };
  const recorder = new Recorder(
    {
      id: "recorder",
      sources: [{ name: "binance", venue: x.venue }],
      markets: [market],
      kinds,
      books,
    },
    { bus, clock: new WallClock(), log: createLogger({ level: "silent" }), heartbeatMs: 0 },
  );
  await recorder.start();
  return { recorder, bus, replica, events, trades, stored, stop: () => recorder.stop() };
}

/** Moves the market a minute at a time, letting the streams flow, until `done` holds. */
export async function runUntil(x: Exchange, done: () => boolean, tries = 300): Promise<void> {
  for (let i = 0; i < tries && !done(); i++) {
    await x.simulation.run({ until: x.simulation.clock.now() + 60_000 });
    await sleep(110);
  }
  expect(done()).toBe(true);
}

/**
 * The server's book over REST, taken once the replica is at its lastUpdateId (with lost events,
 * the market moves on until one arrives that brings the replica level with the server).
 */
export async function serverBookMatching(
  x: Exchange,
  replica: Replica,
  symbol: string,
): Promise<{ lastUpdateId: number; bids: [string, string][]; asks: [string, string][] }> {
  for (let i = 0; i < 100; i++) {
    await sleep(250);
    const rest = (await (
      await fetch(`${x.server.url}${x.depthPath}?symbol=${symbol}&limit=1000`)
    ).json()) as { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
    if (rest.lastUpdateId === replica.id) return rest;
    await x.simulation.run({ until: x.simulation.clock.now() + 60_000 });
  }
  throw new Error(`the replica never reached the server's lastUpdateId (at ${replica.id})`);
}
