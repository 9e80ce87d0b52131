/**
 * bench bus, codec part: MessagePack (msgpackr) against crypy's JSON codec, on the messages the
 * hot paths carry — a ticker (market data), a signed order request with its mandate (Trader →
 * Desk) and the filled order in reply (Desk → Trader) — both ways in the same run:
 * - encode + decode of each message, in process (what each side of a hop pays);
 * - raw nats.js publish → subscriber throughput of the ticker, each codec encoding before publish
 *   and decoding in the callback.
 * Every decoded value is checked against the original (same fields, same values) for both codecs
 * before anything is timed; a codec that changes a message fails the run.
 *
 * msgpackr is plain MessagePack here (`useRecords: false`): records would need both ends to share
 * structures, which a NATS subscriber in another language, or `nats sub`, does not.
 */
import { isDeepStrictEqual } from "node:util";
import { Packr } from "msgpackr";
import { decode, encode } from "../src/bus/codec.js";
import { elapsedSeconds, median, nowNs } from "./report.js";

/** What the comparison needs of a codec: bytes out, a value back. */
export interface BytesCodec {
  name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

export const JSON_CODEC: BytesCodec = { name: "JSON (crypy's codec)", encode, decode };

/** msgpackr as plain MessagePack (a dev dependency: measured here, not used on crypy's wire). */
const packr = new Packr({ useRecords: false });
export const MSGPACKR: BytesCodec = {
  name: "MessagePack (msgpackr)",
  encode: (value) => packr.pack(value),
  decode: (bytes) => packr.unpack(bytes),
};

export const TICKER = {
  ticker: {
    symbol: "BTC/USDT",
    timestamp: 1677628800000,
    bid: "23140.48",
    ask: "23140.49",
    last: "23140.48",
    baseVolume: "2.131777",
    quoteVolume: "49332.91",
  },
  seq: 123456,
};

const B64_KEY = `${"Q".repeat(43)}=`;
const B64_SIGNATURE = `${"s".repeat(86)}==`;

/** As bench tick-to-order's Trader sends it: fields, the mandate, sequence and signature. */
export const ORDER_REQUEST = {
  op: "place",
  trader: "sim-main_BTC-USDT",
  market: "BTC/USDT",
  side: "buy",
  type: "market",
  amount: "0.001",
  mandate: {
    trader: "sim-main_BTC-USDT",
    traderKey: B64_KEY,
    desk: "sim-main",
    market: "BTC/USDT",
    sides: ["buy", "sell"],
    maxNotional: "1000000000",
    expiresAt: 1735689600000,
    nonce: "bench-tick-to-order",
    holder: "sim-main_USDT",
    signature: B64_SIGNATURE,
  },
  seq: 1234,
  signature: B64_SIGNATURE,
};

export const ORDER_REPLY = {
  id: "1000234",
  clientOrderId: "sim-main-BTC-USDT-1234",
  timestamp: 1704067200000,
  symbol: "BTC/USDT",
  type: "limit",
  side: "buy",
  timeInForce: "IOC",
  price: "42063.07",
  amount: "0.001",
  filled: "0.001",
  remaining: "0",
  average: "42021.01",
  cost: "42.02101",
  status: "closed",
  postOnly: false,
  reduceOnly: false,
  fee: { currency: "BTC", cost: "0.000001" },
};

export const MESSAGES = {
  ticker: TICKER,
  "order request": ORDER_REQUEST,
  "order reply": ORDER_REPLY,
};

/** Throws unless `codec` gives back each message exactly. */
export function checkRoundTrip(codec: BytesCodec): void {
  for (const [name, message] of Object.entries(MESSAGES)) {
    const back = codec.decode(codec.encode(message));
    if (!isDeepStrictEqual(back, message))
      throw new Error(`${codec.name} changed the ${name}: ${JSON.stringify(back)}`);
  }
}

/** Encode + decode round trips per second of `message`, median of `rounds` runs of `n`. */
export function roundTripsPerSecond(
  codec: BytesCodec,
  message: unknown,
  n: number,
  rounds: number,
): number {
  const rates: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const start = nowNs();
    for (let i = 0; i < n; i++) {
      const bytes = codec.encode(message);
      sink += bytes.length;
      codec.decode(bytes);
    }
    rates.push(n / elapsedSeconds(start));
  }
  if (sink === 0) throw new Error("nothing was encoded");
  return median(rates);
}
