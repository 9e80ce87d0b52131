/**
 * A venue server over the shipped venues/sim-perp.yaml (spot BTC/USDT, perpetual BTC/USDT:USDT,
 * quarterly BTC/USDT:USDT-240329)
 * with a test account holding a made-up API key, on a virtual clock the test moves itself, and an
 * unmodified ccxt `binanceusdm` whose only change is its URLs.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as ccxt from "ccxt";
import { DEFAULT_VENUE_FILE } from "../../src/sim/config/load.js";
import { startVenueServer, type VenueServer } from "../../src/venue-server/server.js";
import { createSimulation, type Simulation } from "../../src/venues/sim/simulation.js";

// Made up for these tests: not secrets.
export const KEY = "test-key-usdm-not-a-secret";
export const SECRET = "test-secret-usdm-not-a-secret";
export const PERP = "BTC/USDT:USDT";
export const HOUR = 3_600_000;

export interface UsdmFixture {
  dir: string;
  simulation: Simulation;
  server: VenueServer;
  close(): Promise<void>;
}

/**
 * sim-perp.yaml with one account `main` (USDT, the key above), `markets` (YAML lines indented by
 * two) after its own and `blocks` (top-level YAML) at its end. The clock starts `historyMs` after
 * 2024-01-01T00:00Z, that past run.
 */
export async function usdmFixture(
  historyMs: number,
  {
    usdt = "100000",
    markets = "",
    blocks = "",
  }: { usdt?: string; markets?: string; blocks?: string } = {},
): Promise<UsdmFixture> {
  const dir = await mkdtemp(join(tmpdir(), "crypy-usdm-"));
  const shipped = join(dirname(DEFAULT_VENUE_FILE), "sim-perp.yaml");
  const text = (await readFile(shipped, "utf8"))
    .replace(
      /^accounts:\n(?: {2}.*\n)+/m,
      `accounts:\n  main: { USDT: "${usdt}", apiKeys: [{ key: ${KEY}, secret: ${SECRET} }] }\n`,
    )
    .replace(/^(# The insurance fund's)/m, `${markets}\n$1`)
    .concat(blocks);
  const file = join(dir, "usdm.yaml");
  await writeFile(file, text);
  const simulation = await createSimulation(file, {
    clock: { speed: "max", historyMs },
    syntheticMs: 2 * 86_400_000,
  });
  const server = await startVenueServer(simulation, { port: 0 });
  return {
    dir,
    simulation,
    server,
    close: async () => {
      await server.close();
      await simulation.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** ccxt's own URL keys of the USDⓈ-M API (binance.js urls.api), pointed at the venue server. */
export function usdmUrls(server: VenueServer): Record<string, string> {
  const fapi = `${server.url}/fapi`;
  return {
    fapiPublic: `${fapi}/v1`,
    fapiPublicV2: `${fapi}/v2`,
    fapiPublicV3: `${fapi}/v3`,
    fapiPrivate: `${fapi}/v1`,
    fapiPrivateV2: `${fapi}/v2`,
    fapiPrivateV3: `${fapi}/v3`,
  };
}

export function usdmClient(server: VenueServer): ccxt.binanceusdm {
  return new ccxt.binanceusdm({
    urls: { api: usdmUrls(server) },
    // The currencies endpoint is spot's capital API (sapi): not needed to trade futures.
    options: { fetchCurrencies: false },
    apiKey: KEY,
    secret: SECRET,
  });
}
