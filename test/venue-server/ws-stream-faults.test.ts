/**
 * The venue file's `faults.streams` on `crypy venue serve`'s market streams, seen by a raw `ws`
 * client: lost diff-depth events (an id range missing), messages sent twice, and connections cut
 * after every N stream messages. The draws are seeded: the same venue file loses the same events.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startVenueServer } from "../../src/venue-server/server.js";
import { WireFaults } from "../../src/venue-server/wire-faults.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { writeVenueFile } from "../support/venue-file.js";
import { RawClient, sleep, type Venue } from "./ws-support.js";

let dir: string;
const running: Venue[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-ws-stream-faults-"));
});
afterEach(async () => {
  for (const venue of running.splice(0)) await venue.close();
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function serve(streams: Record<string, number>): Promise<Venue> {
  const file = await writeVenueFile(dir, {
    latency: { fixedMs: 0, jitterMs: 0 },
    faults: { streams },
  });
  const simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: 86_400_000 },
    syntheticMs: 2 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0 });
  const venue = {
    simulation,
    server,
    wsUrl: server.url.replace(/^http/, "ws"),
    close: async () => {
      await server.close();
      await simulation.stop();
    },
  };
  running.push(venue);
  return venue;
}

interface Depth {
  U: number;
  u: number;
}

/** Moves the market until `client` holds `count` messages `match` accepts; returns them. */
async function collect<T>(
  venue: Venue,
  client: RawClient,
  count: number,
  match: (m: Record<string, unknown>) => boolean,
): Promise<T[]> {
  const found = () => client.messages.filter((m) => match(m as Record<string, unknown>)) as T[];
  for (let i = 0; i < 400 && found().length < count; i++) {
    await venue.simulation.run({ until: venue.simulation.clock.now() + 60_000 });
    await sleep(110);
  }
  expect(found().length).toBeGreaterThanOrEqual(count);
  return found();
}

const isDepth = (m: Record<string, unknown>) => m.e === "depthUpdate";

describe("venue server - stream faults", () => {
  it("stream faults - skipDepthProbability: whole diff-depth events are lost, their ids missing; the ids that arrive still rise", async () => {
    const venue = await serve({ skipDepthProbability: 0.4 });
    const client = await RawClient.open(`${venue.wsUrl}/ws/btcusdt@depth@100ms`);
    const events = await collect<Depth>(venue, client, 15, isDepth);
    let gaps = 0;
    for (let i = 1; i < events.length; i++) {
      const [before, after] = [events[i - 1]!, events[i]!];
      expect(after.U).toBeGreaterThan(before.u);
      if (after.U !== before.u + 1) gaps++;
    }
    // About 40 % of events lost: with 15 received, some gaps are certain for this seed.
    expect(gaps).toBeGreaterThan(2);
    expect(gaps).toBeLessThan(events.length);
    client.close();
  });

  it("stream faults - without them every diff-depth event follows the last: U = previous u + 1", async () => {
    const venue = await serve({});
    const client = await RawClient.open(`${venue.wsUrl}/ws/btcusdt@depth@100ms`);
    const events = await collect<Depth>(venue, client, 10, isDepth);
    for (let i = 1; i < events.length; i++) expect(events[i]!.U).toBe(events[i - 1]!.u + 1);
    client.close();
  });

  it("stream faults - duplicateProbability: some messages come twice, the same payload back to back, none three times", async () => {
    const venue = await serve({ duplicateProbability: 0.5 });
    const client = await RawClient.open(
      `${venue.wsUrl}/stream?streams=btcusdt@trade/btcusdt@depth`,
    );
    const all = await collect<{ stream: string; data: unknown }>(
      venue,
      client,
      40,
      (m) => "stream" in m,
    );
    const texts = all.map((m) => JSON.stringify(m));
    let repeats = 0;
    for (let i = 1; i < texts.length; i++) {
      if (texts[i] !== texts[i - 1]) continue;
      repeats++;
      expect(texts[i + 1]).not.toBe(texts[i]);
      i++;
    }
    expect(repeats).toBeGreaterThan(3);
    const distinct = new Set(texts).size;
    expect(distinct + repeats).toBe(texts.length);
    client.close();
  });

  it("stream faults - dropConnectionEvery: a stream connection is cut, no close frame, after that many stream messages", async () => {
    const venue = await serve({ dropConnectionEvery: 7 });
    const client = await RawClient.open(`${venue.wsUrl}/ws`);
    const closed = new Promise<number>((resolve) => client.ws.once("close", (c) => resolve(c)));
    client.send({ method: "SUBSCRIBE", params: ["btcusdt@trade", "btcusdt@depth@100ms"], id: 1 });
    await client.next((m) => m.id === 1);
    for (let i = 0; i < 400 && client.ws.readyState === client.ws.OPEN; i++) {
      await venue.simulation.run({ until: venue.simulation.clock.now() + 5_000 });
      await sleep(50);
    }
    expect(await closed).toBe(1006);
    // The reply to SUBSCRIBE is no stream message: 7 payloads then the cut.
    expect(client.messages.filter((m) => !("id" in (m as object)))).toHaveLength(7);
  });

  it("stream faults - the draws are seeded and their own: the same file loses the same events, and latency draws do not move", async () => {
    const file = await writeVenueFile(dir, {
      latency: { fixedMs: 5, jitterMs: 50 },
      faults: { streams: { skipDepthProbability: 0.3, duplicateProbability: 0.3 } },
    });
    const plain = await writeVenueFile(dir, { latency: { fixedMs: 5, jitterMs: 50 } });
    const draws = async (path: string) => {
      const simulation = await createSimulation(path, { clock: { speed: "max" } });
      const faults = new WireFaults(simulation);
      const out = Array.from({ length: 50 }, () => [
        faults.skipsDepth(),
        faults.duplicates(),
        faults.streamHopMs(),
      ]);
      await simulation.stop();
      return out;
    };
    const first = await draws(file);
    expect(await draws(file)).toEqual(first);
    expect(first.some(([skip]) => skip)).toBe(true);
    expect(first.some(([, twice]) => twice)).toBe(true);
    const hops = (await draws(plain)).map(([, , hop]) => hop);
    expect(first.map(([, , hop]) => hop)).toEqual(hops);
  });
});
