/**
 * Where the Recorder reads a Binance book's raw diffs: the URLs ccxt itself uses (its own
 * defaults, the testnet after the sandbox switch, or a template's overrides), and nowhere for a
 * venue that is not Binance-speaking. No request leaves the machine: only URLs are derived.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  binanceDepthEndpoints,
  parseDepthEvent,
  parseDepthSnapshot,
} from "../../../src/actors/recorder/binance-depth-wire.js";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { CcxtVenue } from "../../../src/venues/ccxt/ccxt-venue.js";
import type { Market } from "../../../src/venues/venue.js";

const SPOT = { id: "BTCUSDT", symbol: "BTC/USDT", spot: true } as Market;
const PERP = {
  id: "BTCUSDT",
  symbol: "BTC/USDT:USDT",
  spot: false,
  contract: true,
  linear: true,
} as Market;
const INVERSE = { ...PERP, symbol: "BTC/USD:BTC", id: "BTCUSD_PERP", linear: false } as Market;

const opened: CcxtVenue[] = [];
afterEach(async () => {
  for (const v of opened.splice(0)) await v.close();
});
async function open(exchange: string, extra: Record<string, unknown> = {}): Promise<CcxtVenue> {
  const venue = await CcxtVenue.open({ exchange, ...extra });
  opened.push(venue);
  return venue;
}

describe("recorder - Binance raw depth endpoints", () => {
  it("depth wire - binance spot and binanceusdm: ccxt's own stream and REST URLs, the futures stream at /public/ws", async () => {
    expect(binanceDepthEndpoints(await open("binance"), SPOT)).toEqual({
      rule: "spot",
      streamUrl: "wss://stream.binance.com:9443/ws/btcusdt@depth@100ms",
      snapshotUrl: "https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000",
      weigh: expect.any(Function),
    });
    expect(binanceDepthEndpoints(await open("binanceusdm"), PERP)).toEqual({
      rule: "futures",
      streamUrl: "wss://fstream.binance.com/public/ws/btcusdt@depth@100ms",
      snapshotUrl: "https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000",
      weigh: expect.any(Function),
    });
  });

  it("depth wire - the sandbox's URLs and a template's overrides are followed", async () => {
    const sandbox = binanceDepthEndpoints(await open("binanceusdm", { mode: "sandbox" }), PERP);
    expect(sandbox?.streamUrl).toMatch(/^wss:\/\/fstream\.binancefuture\.com\/public\/ws\//);
    expect(sandbox?.snapshotUrl).toMatch(/^https:\/\/(testnet|demo-fapi)\.binancefuture\.com\//);
    const local = await open("binance", {
      urls: { api: { public: "http://127.0.0.1:9/api/v3", ws: { spot: "ws://127.0.0.1:9/ws" } } },
    });
    expect(binanceDepthEndpoints(local, SPOT)).toEqual({
      rule: "spot",
      streamUrl: "ws://127.0.0.1:9/ws/btcusdt@depth@100ms",
      snapshotUrl: "http://127.0.0.1:9/api/v3/depth?symbol=BTCUSDT&limit=1000",
      weigh: expect.any(Function),
    });
  });

  it("depth wire - no raw feed for another exchange, an inverse contract, or spot through binanceusdm", async () => {
    expect(binanceDepthEndpoints(await open("kraken"), SPOT)).toBeUndefined();
    expect(binanceDepthEndpoints(await open("binance"), INVERSE)).toBeUndefined();
    expect(binanceDepthEndpoints(await open("binanceusdm"), SPOT)).toBeUndefined();
  });

  it("depth wire - payloads: raw or combined events read, other messages skipped, a bad field named", () => {
    const event = { e: "depthUpdate", E: 5, T: 4, U: 10, u: 12, pu: 9, b: [["1", "2"]], a: [] };
    expect(parseDepthEvent({ stream: "btcusdt@depth@100ms", data: event })).toEqual({
      first: 10,
      last: 12,
      previous: 9,
      bids: [["1", "2"]],
      asks: [],
      time: 4,
    });
    expect(parseDepthEvent({ result: null, id: 1 })).toBeUndefined();
    expect(() => parseDepthEvent({ ...event, U: "10" })).toThrow(InvalidInputError);
    expect(() => parseDepthEvent({ ...event, b: [[1, 2]] })).toThrow(/b holds a level/);
    expect(parseDepthSnapshot({ lastUpdateId: 7, bids: [], asks: [["3", "1"]] })).toEqual({
      id: 7,
      bids: [],
      asks: [["3", "1"]],
      time: undefined,
    });
    expect(() => parseDepthSnapshot({ bids: [], asks: [] })).toThrow(/lastUpdateId/);
  });
});
