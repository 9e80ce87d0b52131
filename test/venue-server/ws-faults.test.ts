/**
 * The venue file's network on the WebSocket side of `crypy venue serve`: when the simulated clock
 * enters a `faults.disconnects` window every open socket is dropped and upgrades are refused until
 * it ends; each message the server sends waits one network hop. Driven by a raw `ws` client and by
 * CcxtVenue (ccxt pro) under the Desk's `pump`, which must see a transient failure and retry.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pump } from "../../src/actors/desk/pump.js";
import { ClosedError, NetworkError, TransientError } from "../../src/domain/errors.js";
import type { PublicTrade } from "../../src/domain/market-data.js";
import { WallClock } from "../../src/time/wall-clock.js";
import { startVenueServer } from "../../src/venue-server/server.js";
import { CcxtVenue } from "../../src/venues/ccxt/ccxt-venue.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { writeVenueFile } from "../support/venue-file.js";
import {
  ccxtVenueOptions,
  KEY,
  RawClient,
  SECRET,
  sleep,
  stepUntil,
  type Venue,
} from "./ws-support.js";

const HISTORY_MS = 86_400_000;
/** The disconnect window, from the simulation clock's start. */
const DOWN_AFTER_MS = 60_000;
const DOWN_FOR_MS = 60_000;

let dir: string;
const running: Venue[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-ws-faults-"));
});
afterEach(async () => {
  for (const venue of running.splice(0)) await venue.close();
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A venue whose clock starts a day after its data, with `blocks` in its venue file. */
async function serve(blocks: Record<string, unknown>): Promise<Venue & { start: number }> {
  const file = await writeVenueFile(dir, {
    accounts: { main: { USDT: "10000", BTC: "1", apiKeys: [{ key: KEY, secret: SECRET }] } },
    latency: { fixedMs: 0, jitterMs: 0 },
    ...blocks,
  });
  const simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs: HISTORY_MS },
    syntheticMs: 2 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0 });
  const venue = {
    simulation,
    server,
    wsUrl: server.url.replace(/^http/, "ws"),
    start: simulation.clock.now(),
    close: async () => {
      await server.close();
      await simulation.stop();
    },
  };
  running.push(venue);
  // Fault windows count from the venue's start; the clock starts HISTORY_MS after it.
  expect(venue.start - simulation.config.startMs).toBe(HISTORY_MS);
  return venue;
}

/** A window DOWN_AFTER_MS after the clock's start, DOWN_FOR_MS long. */
const DISCONNECT = {
  faults: { disconnects: [{ afterMs: HISTORY_MS + DOWN_AFTER_MS, durationMs: DOWN_FOR_MS }] },
};

const closed = (client: RawClient) =>
  new Promise<number>((resolve) => client.ws.once("close", (code) => resolve(code)));

describe("venue server - wire faults on the WebSocket side", () => {
  it("ws faults - a socket open before a disconnect window is dropped in it; none opens until it ends", async () => {
    const venue = await serve(DISCONNECT);
    const { simulation, start } = venue;
    const client = await RawClient.open(`${venue.wsUrl}/ws/btcusdt@trade`);
    const gone = closed(client);
    await simulation.run({ until: start + DOWN_AFTER_MS - 10_000 });
    await client.next((m) => m.e === "trade");
    expect(client.ws.readyState).toBe(client.ws.OPEN);

    await simulation.run({ until: start + DOWN_AFTER_MS + 5_000 });
    // Terminated, not closed: no close frame, as a lost connection (1006).
    expect(await gone).toBe(1006);
    const trades = client.messages.filter((m) => (m as { e: string }).e === "trade") as {
      T: number;
    }[];
    expect(trades.at(-1)!.T).toBeLessThan(start + DOWN_AFTER_MS);

    // Inside the window, still: the upgrade is refused.
    await sleep(150);
    await expect(RawClient.open(`${venue.wsUrl}/ws/btcusdt@trade`)).rejects.toThrow();

    await simulation.run({ until: start + DOWN_AFTER_MS + DOWN_FOR_MS + 1_000 });
    const again = await RawClient.open(`${venue.wsUrl}/ws/btcusdt@trade`);
    await simulation.run({ until: start + DOWN_AFTER_MS + DOWN_FOR_MS + 20_000 });
    const trade = await again.next((m) => m.e === "trade");
    expect(trade.T as number).toBeGreaterThanOrEqual(start + DOWN_AFTER_MS + DOWN_FOR_MS);
    again.close();
  });

  it("ws faults - every message waits one hop of the venue file's latency", async () => {
    const venue = await serve({ latency: { fixedMs: 80, jitterMs: 0 } });
    const client = await RawClient.open(`${venue.wsUrl}/ws`);
    const started = performance.now();
    client.send({ method: "LIST_SUBSCRIPTIONS", id: 1 });
    expect(await client.next((m) => m.id === 1)).toEqual({ result: [], id: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    client.close();
  });

  it("ws faults - CcxtVenue.watchTrades under the Desk's pump: a NetworkError in the window, retried, trades again after it", async () => {
    const venue = await serve(DISCONNECT);
    const { simulation, start } = venue;
    const options = ccxtVenueOptions(venue);
    // ccxt pro spaces its own dials after a failure: base × 2^n (default 1 s, up to 60 s, forgotten
    // after 30 s without one), on top of the pump's second. A shorter base keeps this test short.
    const ccxtVenue = await CcxtVenue.open({
      ...options,
      options: { ...options.options, ws: { backoff: { base: 100 } } },
    });
    await ccxtVenue.loadMarkets();
    const trades: PublicTrade[] = [];
    const failures: unknown[] = [];
    const log = {
      warn: (obj: { err: unknown }) => failures.push(obj.err),
    } as unknown as Logger;
    let wanted = true;
    const pumping = pump(
      () => ccxtVenue.watchTrades("BTC/USDT"),
      (batch) => trades.push(...batch),
      () => wanted,
      { clock: new WallClock(), log },
    );
    const tradedSince = (time: number) =>
      (async () => {
        while (!trades.some((t) => t.timestamp >= time)) await sleep(20);
      })();
    try {
      await stepUntil(simulation, tradedSince(start), 5_000);
      expect(failures).toEqual([]);

      // Into the window: the socket is dropped; the pending watch fails with a transient error.
      await simulation.run({ until: start + DOWN_AFTER_MS + 5_000 });
      while (failures.length === 0) await sleep(20);
      const [err] = failures;
      expect(err).toBeInstanceOf(NetworkError);
      expect(err).toBeInstanceOf(TransientError);
      expect(err).not.toBeInstanceOf(ClosedError);
      expect((err as NetworkError).retryable).toBe(true);
      // The pump retries each second; reconnecting is refused while the window lasts.
      await sleep(2_500);
      expect(failures.length).toBeGreaterThanOrEqual(2);
      for (const e of failures) expect(e).toBeInstanceOf(NetworkError);
      const beforeEnd = trades.length;
      expect(trades.every((t) => t.timestamp < start + DOWN_AFTER_MS)).toBe(true);

      // After the window, the pump's next try reconnects and trades flow again.
      await simulation.run({ until: start + DOWN_AFTER_MS + DOWN_FOR_MS });
      await stepUntil(simulation, tradedSince(start + DOWN_AFTER_MS + DOWN_FOR_MS), 5_000);
      expect(trades.length).toBeGreaterThan(beforeEnd);
    } finally {
      wanted = false;
      await ccxtVenue.close();
      await pumping;
    }
  });
});
