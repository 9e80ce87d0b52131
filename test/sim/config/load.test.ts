import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { parseIncrement } from "../../../src/domain/fixed.js";
import {
  ConfigError,
  DEFAULT_VENUE_FILE,
  DEFAULTS,
  loadVenueConfig,
  PARTS_PER_BILLION,
  type VenueConfig,
} from "../../../src/sim/config/index.js";
import { edit, MINIMAL, parse } from "./venue-text.js";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe("config loading", () => {
  it("config - DEFAULT_VENUE_FILE is the repo's venues/sim.yaml", () => {
    expect(DEFAULT_VENUE_FILE).toBe(join(REPO, "venues", "sim.yaml"));
  });

  it("config - the shipped venues/sim.yaml loads", async () => {
    const venue = await loadVenueConfig(DEFAULT_VENUE_FILE);
    expect(venue.name).toBe("sim");
    expect(Object.keys(venue.markets)).toEqual(["BTC/USDT", "ETH/USDT", "ETH/BTC", "BTC/USDC"]);
    expect(venue.accounts.main?.USDT).toEqual({ value: "10000", units: 1_000_000_000_000n });
    expect(venue.fees).toEqual({
      maker: "0.001",
      taker: "0.001",
      makerPpb: 1_000_000n,
      takerPpb: 1_000_000n,
    });
    expect(venue.latency).toEqual({ fixedMs: 20, jitterMs: 10 });
    expect(venue.rateLimit).toEqual({ requests: 1200, windowMs: 60_000 });
    expect(venue.faults).toEqual({
      rejectProbability: 0,
      lostReplies: { probability: 0, as: "drop" },
      disconnects: [],
      staleData: [],
      streams: { skipDepthProbability: 0, duplicateProbability: 0, dropConnectionEvery: 0 },
    });
    for (const market of Object.values(venue.markets)) expect(market.data.source).toBe("gbm");
    // ETH/BTC's book is sized in BTC, not in the venue-wide USDT figure.
    expect(venue.markets["ETH/BTC"]?.liquidity.levelNotional).toBe("1");
    expect(isDeepFrozen(venue)).toBe(true);
  });

  it("config - errors name the file as it was given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "crypy-venue-"));
    try {
      const file = join(dir, "bad.yaml");
      writeFileSync(file, MINIMAL.replace('tickSize: "0.01"', 'tickSize: "abc"'));
      const shown = relative(process.cwd(), file);
      await expect(loadVenueConfig(shown)).rejects.toThrow(
        new RegExp(
          `^${shown.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:7:15: markets\\."BTC/USDT"\\.tickSize: `,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("config - an unreadable file is an InvalidInputError naming it", async () => {
    const err = await loadVenueConfig("/nonexistent/venue.yaml").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).not.toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("/nonexistent/venue.yaml: cannot read venue file (ENOENT)");
  });

  describe("data files", () => {
    const dir = mkdtempSync(join(tmpdir(), "crypy-venue-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("config - data paths resolve against the venue file's directory", async () => {
      mkdirSync(join(dir, "venues"));
      mkdirSync(join(dir, "data"));
      writeFileSync(join(dir, "data", "btc-1m.csv.gz"), "");
      writeFileSync(join(dir, "venues", "trades.csv"), "");
      const text = edit(
        [
          'data: { source: gbm, startPrice: "42000", volatility: 0.6 }',
          "data: { source: candles, file: ../data/btc-1m.csv.gz }",
        ],
        ["  BTC: { decimals: 8 }", "  BTC: { decimals: 8 }\n  ETH: { decimals: 8 }"],
      )
        .replace(
          "accounts:",
          `  ETH/BTC:
    tickSize: "0.00001"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "100000"
    minNotional: "0.0001"
    data: { source: trades, file: trades.csv }
    liquidity: { levelNotional: "1" }
accounts:`,
        )
        .replace('inventory: { BTC: "1000",', 'inventory: { ETH: "1", BTC: "1000",');
      writeFileSync(join(dir, "venues", "replay.yaml"), text);
      const venue = await loadVenueConfig(join(dir, "venues", "replay.yaml"));
      expect(venue.markets["BTC/USDT"]?.data).toEqual({
        source: "candles",
        file: "../data/btc-1m.csv.gz",
        path: join(dir, "data", "btc-1m.csv.gz"),
      });
      expect(venue.markets["ETH/BTC"]?.data).toEqual({
        source: "trades",
        file: "trades.csv",
        path: join(dir, "venues", "trades.csv"),
      });
    });
  });
});

describe("config values", () => {
  const venue: VenueConfig = parse(MINIMAL);
  const btc = venue.markets["BTC/USDT"];

  it("config - defaults are applied from DEFAULTS", () => {
    expect(venue.seed).toBe(DEFAULTS.seed);
    expect(venue.start).toBe(DEFAULTS.start);
    expect(venue.startMs).toBe(Date.UTC(2024, 0, 1));
    expect(venue.fees.maker).toBe(DEFAULTS.fees.maker);
    expect(venue.orderTypes).toEqual(["market", "limit", "stop_market", "stop_limit"]);
    // Nothing switched off unless the venue file says so.
    expect(venue.capabilities).toEqual({ stopOrders: true, shorting: true });
    expect(venue.timeInForce).toEqual(["GTC", "IOC", "FOK", "PO"]);
    expect(venue.selfTradePrevention).toBe("expire_maker");
    expect(venue.latency).toEqual(DEFAULTS.latency);
    expect(venue.rateLimit).toEqual(DEFAULTS.rateLimit);
    expect(venue.faults).toEqual({
      rejectProbability: 0,
      lostReplies: { probability: 0, as: "drop" },
      disconnects: [],
      staleData: [],
      streams: { skipDepthProbability: 0, duplicateProbability: 0, dropConnectionEvery: 0 },
    });
    const { inventory, ...liquidity } = venue.liquidity;
    expect(liquidity).toEqual({ ...DEFAULTS.liquidity, levelNotional: "50000" });
    expect(btc?.liquidity).toMatchObject(DEFAULTS.liquidity);
    expect(btc?.data).toMatchObject({ drift: 0, timeframe: "1m", timeframeMs: 60_000 });
    expect(btc?.maxPriceTicks).toBe(DEFAULTS.maxPriceTicks);
    expect(btc?.maxPrice).toBe("10000000000");
  });

  it("config - a block given in part keeps the defaults of the rest", () => {
    const partial = parse(
      `${MINIMAL}latency: { jitterMs: 0 }\nfaults: { rejectProbability: 0.25 }\n`,
    );
    expect(partial.latency).toEqual({ fixedMs: DEFAULTS.latency.fixedMs, jitterMs: 0 });
    expect(partial.faults).toEqual({
      rejectProbability: 0.25,
      lostReplies: { probability: 0, as: "drop" },
      disconnects: [],
      staleData: [],
      streams: { skipDepthProbability: 0, duplicateProbability: 0, dropConnectionEvery: 0 },
    });
  });

  it("config - the result is deep-frozen", () => {
    expect(isDeepFrozen(venue)).toBe(true);
    expect(() => {
      (venue as { name: string }).name = "other";
    }).toThrow(TypeError);
    expect(() => {
      (venue.markets["BTC/USDT"]?.tick as { step: bigint }).step = 2n;
    }).toThrow(TypeError);
    // DEFAULTS is shared by every load, so it is frozen too.
    expect(isDeepFrozen(DEFAULTS)).toBe(true);
  });

  it("config - derived market values are exact", () => {
    expect(btc).toMatchObject({
      symbol: "BTC/USDT",
      kind: "spot",
      base: "BTC",
      quote: "USDT",
      tickSize: "0.01",
      tick: parseIncrement("0.01"),
      lot: { scale: 5, step: 1n },
      minQtyLots: 1n,
      maxQtyLots: 900_000_000n,
      minNotionalUnits: 500_000_000n,
      baseUnitsPerLot: 1000n,
      quoteUnitsPerTickLot: 10n,
    });
    expect(btc?.data).toMatchObject({
      source: "gbm",
      startPrice: "42000",
      startPriceTicks: 4_200_000n,
    });
    expect(btc?.liquidity.levelNotionalUnits).toBe(5_000_000_000_000n);
    expect(venue.accounts.main).toEqual({ USDT: { value: "10000", units: 1_000_000_000_000n } });
    expect(venue.liquidity.inventory.BTC).toEqual({ value: "1000", units: 100_000_000_000n });
  });

  it("config - the cost of lots at ticks is exact in quote minor units", () => {
    // 0.12345 BTC at 42000.07 USDT = 5184.9086415 USDT, i.e. 518490864150 minor units of 10^-8.
    const qtyLots = 12_345n;
    const priceTicks = 4_200_007n;
    expect(priceTicks * qtyLots * (btc?.quoteUnitsPerTickLot ?? 0n)).toBe(518_490_864_150n);
  });

  it("config - per-market fee and liquidity overrides merge over the venue's", () => {
    const text = edit([
      '    minNotional: "5"',
      '    minNotional: "5"\n    fees: { maker: "0.0001" }\n    liquidity: { levels: 5, fillRule: touch, queuePosition: true }',
    ]);
    const market = parse(text).markets["BTC/USDT"];
    expect(market?.fees).toEqual({
      maker: "0.0001",
      taker: "0.001",
      makerPpb: 100_000n,
      takerPpb: 1_000_000n,
    });
    expect(market?.liquidity).toMatchObject({
      levels: 5,
      fillRule: "touch",
      queuePosition: true,
      spreadBps: DEFAULTS.liquidity.spreadBps,
      levelNotional: "50000",
    });
  });

  it("config - fee rates are parts per billion, exact to 9 decimals", () => {
    const text = `${MINIMAL}fees: { maker: "0.000000001", taker: "0.00075" }\n`;
    const { fees } = parse(text);
    expect(fees.makerPpb).toBe(1n);
    expect(fees.takerPpb * 10_000n).toBe((PARTS_PER_BILLION * 75n) / 10n);
    expect(() => parse(`${MINIMAL}fees: { taker: "0.0000000001" }\n`)).toThrow(ConfigError);
  });

  it("config - seeds may be integers or strings; start times may carry an offset", () => {
    const venue2 = parse(`${MINIMAL}seed: "run-7"\nstart: "2024-06-01T02:00:00+02:00"\n`);
    expect(venue2.seed).toBe("run-7");
    expect(venue2.startMs).toBe(Date.UTC(2024, 5, 1));
  });

  it("config - optional gbm extras are kept, absent ones stay absent", () => {
    const text = edit([
      "volatility: 0.6 }",
      "volatility: 0.6, jumps: { probability: 0.001, meanPct: 0, stdPct: 2 }, regimes: { volMultipliers: [0.5, 1, 2.5], switchProbability: 0.002 } }",
    ]);
    const data = parse(text).markets["BTC/USDT"]?.data;
    expect(data).toMatchObject({
      jumps: { probability: 0.001, meanPct: 0, stdPct: 2 },
      regimes: { volMultipliers: [0.5, 1, 2.5], switchProbability: 0.002 },
    });
    expect(data && "volume" in data).toBe(false);
  });
});
