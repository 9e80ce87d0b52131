/**
 * bench bus — what the Bus costs over its transport.
 *
 * Peers, measured in the same run on the same message (a ticker, ~150 bytes of JSON):
 * - NatsBus throughput vs raw nats.js doing the same codec work in user code (encode before
 *   publish, decode in the callback): the ratio isolates what the bus adds. Raw nats.js sending
 *   pre-encoded bytes with no decode is printed too, for context.
 * - NatsBus request/reply p50/p99 vs raw `nc.request` + `msg.respond` with the same codec work.
 * - LocalBus throughput vs a bare encode+decode loop of the same codec, JSON text (the floor any
 *   bus that encodes pays). Raw nats.js throughput is printed beside it for context only: an
 *   in-process bus against a socket is no goal.
 * - MessagePack (msgpackr) against JSON as the codec (bus-codec.ts): encode + decode of a ticker,
 *   a signed order request and its reply, and raw nats.js throughput with each (msgpackr is a
 *   dev dependency: measured here, not used on crypy's wire).
 *
 * Rounds alternate implementation and peer; medians are reported. A private nats-server on a
 * random port is started for the run, so a local server's other traffic does not interfere.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Bus } from "../src/bus/bus.js";
import { decode, encode, encodeText } from "../src/bus/codec.js";
import { LocalBus } from "../src/bus/local/local-bus.js";
import { NatsBus } from "../src/bus/nats/nats-bus.js";
import { startNatsServer } from "../test/harness/nats-server.js";
import {
  type BytesCodec,
  checkRoundTrip,
  JSON_CODEC,
  MESSAGES,
  MSGPACKR,
  roundTripsPerSecond,
  TICKER,
} from "./bus-codec.js";
import { elapsedSeconds, median, nowNs, quantile, report } from "./report.js";

const MESSAGE = {
  symbol: "BTC/USDT",
  timestamp: 1677628800000,
  bid: "23140.48",
  ask: "23140.49",
  last: "23140.48",
  baseVolume: "2.131777",
  quoteVolume: "49332.91",
  seq: 123456,
};
const MESSAGE_BYTES = encode(MESSAGE);
const THROUGHPUT_MESSAGES = 200_000;
const CHUNK = 5_000;
const ROUNDS = 5;
/**
 * Request latency: 6,000 samples a side, in 20 short rounds alternating the two sides, so that a
 * pause of the machine (another process, a slow tick of the VM) lands on both rather than on
 * whichever side's one long round it hit: p99 is the 60 slowest samples, few enough for one such
 * pause to decide it.
 */
const REQUESTS_PER_ROUND = 300;
const LATENCY_ROUNDS = 20;
/** Encode + decode round trips per codec round. */
const CODEC_LOOP = 100_000;

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
let subjectSeq = 0;
const freshSubject = () => `bench.bus.${++subjectSeq}`;

/** Publishes `n` messages in chunks (yielding between them) and returns messages per second. */
async function measureThroughput(
  n: number,
  subscribe: (subject: string, onMessage: () => void) => Promise<() => void>,
  publish: (subject: string) => void,
): Promise<number> {
  const subject = freshSubject();
  let received = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const stop = await subscribe(subject, () => {
    if (++received === n) finish();
  });
  const start = nowNs();
  for (let i = 0; i < n; i++) {
    publish(subject);
    if (i % CHUNK === CHUNK - 1) await yieldToIo();
  }
  await finished;
  const seconds = elapsedSeconds(start);
  stop();
  return n / seconds;
}

/** Raw nats.js throughput; `codec` encodes `message` before each publish and decodes in the callback. */
function rawNatsThroughput(
  pub: NatsConnection,
  sub: NatsConnection,
  codec: BytesCodec | undefined,
  message: unknown = MESSAGE,
) {
  return measureThroughput(
    THROUGHPUT_MESSAGES,
    async (subject, onMessage) => {
      const s = sub.subscribe(subject, {
        callback: (_err, msg) => {
          if (codec !== undefined) codec.decode(msg.data);
          onMessage();
        },
      });
      await sub.flush();
      return () => s.unsubscribe();
    },
    (subject) => pub.publish(subject, codec === undefined ? MESSAGE_BYTES : codec.encode(message)),
  );
}

function busThroughput(pub: Bus, sub: Bus) {
  return measureThroughput(
    THROUGHPUT_MESSAGES,
    async (subject, onMessage) => {
      const s = sub.subscribe(subject, onMessage);
      await sub.flush();
      return () => s.unsubscribe();
    },
    (subject) => pub.publish(subject, MESSAGE),
  );
}

/** The floor: LocalBus's codec (JSON text) encoding and decoding the message, no bus at all. */
async function codecLoopThroughput(): Promise<number> {
  const start = nowNs();
  for (let i = 0; i < THROUGHPUT_MESSAGES; i++) decode(encodeText(MESSAGE));
  return THROUGHPUT_MESSAGES / elapsedSeconds(start);
}

async function rawRequestLatencies(
  client: NatsConnection,
  server: NatsConnection,
): Promise<number[]> {
  const subject = freshSubject();
  const s = server.subscribe(subject, {
    callback: (_err, msg) => {
      msg.respond(encode(decode(msg.data)));
    },
  });
  await server.flush();
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
    const start = nowNs();
    const reply = await client.request(subject, encode(MESSAGE), { timeout: 5_000 });
    decode(reply.data);
    samples.push(Number(nowNs() - start) / 1_000);
  }
  s.unsubscribe();
  return samples;
}

async function busRequestLatencies(client: Bus, server: Bus): Promise<number[]> {
  const subject = freshSubject();
  const s = server.serve(subject, (data) => data);
  await server.flush();
  const samples: number[] = [];
  for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
    const start = nowNs();
    await client.request(subject, MESSAGE, { timeoutMs: 5_000 });
    samples.push(Number(nowNs() - start) / 1_000);
  }
  s.unsubscribe();
  return samples;
}

/** MessagePack against JSON, alternating rounds; false if a codec changed a message. */
export async function compareCodecs(
  pub: NatsConnection,
  sub: NatsConnection,
  msgpack: BytesCodec = MSGPACKR,
): Promise<boolean> {
  try {
    checkRoundTrip(JSON_CODEC);
    checkRoundTrip(msgpack);
  } catch (err) {
    process.stderr.write(`bus: FAILED: ${(err as Error).message}\n`);
    return false;
  }
  for (const [name, message] of Object.entries(MESSAGES)) {
    const json = encode(message).length;
    const packed = msgpack.encode(message).length;
    roundTripsPerSecond(JSON_CODEC, message, CODEC_LOOP, 1);
    roundTripsPerSecond(msgpack, message, CODEC_LOOP, 1);
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(roundTripsPerSecond(msgpack, message, CODEC_LOOP, 1));
      theirs.push(roundTripsPerSecond(JSON_CODEC, message, CODEC_LOOP, 1));
    }
    report({
      bench: `bus.codec.${name.replace(" ", "-")}`,
      impl: `${msgpack.name} encode+decode, ${packed} B`,
      value: median(ours),
      unit: "msg/s",
      peer: `${JSON_CODEC.name} encode+decode, ${json} B`,
      peer_value: median(theirs),
    });
  }
  await rawNatsThroughput(pub, sub, msgpack, TICKER);
  const packedRates: number[] = [];
  const jsonRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    packedRates.push(await rawNatsThroughput(pub, sub, msgpack, TICKER));
    jsonRates.push(await rawNatsThroughput(pub, sub, JSON_CODEC, TICKER));
  }
  report({
    bench: "bus.codec.nats-throughput",
    impl: `nats.js raw + ${msgpack.name}, ticker`,
    value: median(packedRates),
    unit: "msg/s",
    peer: `nats.js raw + ${JSON_CODEC.name}, ticker`,
    peer_value: median(jsonRates),
  });
  return true;
}

export async function run(): Promise<boolean> {
  const server = await startNatsServer({ jetstream: false });
  // The peer connects with the option NatsBus uses, so only crypy's own code is compared.
  const [rawPub, rawSub] = await Promise.all([
    connect({ servers: server.url, noAsyncTraces: true }),
    connect({ servers: server.url, noAsyncTraces: true }),
  ]);
  const [busPub, busSub] = await Promise.all([
    NatsBus.connect(server.url),
    NatsBus.connect(server.url),
  ]);
  const local = new LocalBus();
  let ok = true;
  try {
    // Warm-up: JIT, connections, route caches.
    await rawNatsThroughput(rawPub, rawSub, JSON_CODEC);
    await busThroughput(busPub, busSub);
    await busThroughput(local, local);
    await codecLoopThroughput();

    const raw: number[] = [];
    const rawBytes: number[] = [];
    const nats: number[] = [];
    const localRates: number[] = [];
    const codec: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      raw.push(await rawNatsThroughput(rawPub, rawSub, JSON_CODEC));
      nats.push(await busThroughput(busPub, busSub));
      rawBytes.push(await rawNatsThroughput(rawPub, rawSub, undefined));
      codec.push(await codecLoopThroughput());
      localRates.push(await busThroughput(local, local));
    }

    ok =
      report({
        bench: "bus.nats.throughput",
        impl: "NatsBus",
        value: median(nats),
        unit: "msg/s",
        peer: "nats.js raw + same codec",
        peer_value: median(raw),
        goal: { atLeast: 0.9 },
      }) && ok;
    report({
      bench: "bus.nats.throughput",
      impl: "NatsBus",
      value: median(nats),
      unit: "msg/s",
      peer: "nats.js raw bytes, no codec (context)",
      peer_value: median(rawBytes),
    });
    ok =
      report({
        bench: "bus.local.throughput",
        impl: "LocalBus",
        value: median(localRates),
        unit: "msg/s",
        peer: "bare encode+decode loop, same codec",
        peer_value: median(codec),
        goal: { atLeast: 0.8 },
      }) && ok;
    report({
      bench: "bus.local.throughput",
      impl: "LocalBus",
      value: median(localRates),
      unit: "msg/s",
      peer: "nats.js raw + same codec (context: an in-process bus against a socket)",
      peer_value: median(raw),
    });
    report({
      bench: "bus.local.throughput",
      impl: "LocalBus",
      value: median(localRates),
      unit: "msg/s",
      peer: "nats.js raw bytes, no codec (context)",
      peer_value: median(rawBytes),
    });

    await rawRequestLatencies(rawPub, rawSub);
    await busRequestLatencies(busPub, busSub);
    const rawLat: number[] = [];
    const busLat: number[] = [];
    for (let r = 0; r < LATENCY_ROUNDS; r++) {
      rawLat.push(...(await rawRequestLatencies(rawPub, rawSub)));
      busLat.push(...(await busRequestLatencies(busPub, busSub)));
    }
    rawLat.sort((a, b) => a - b);
    busLat.sort((a, b) => a - b);
    for (const [name, q] of [
      ["p50", 0.5],
      ["p99", 0.99],
    ] as const) {
      ok =
        report({
          bench: `bus.nats.request.${name}`,
          impl: "NatsBus",
          value: quantile(busLat, q),
          unit: "us",
          peer: "nats.js raw request/respond + same codec",
          peer_value: quantile(rawLat, q),
          goal: { atMost: 1.2 },
        }) && ok;
    }

    ok = (await compareCodecs(rawPub, rawSub)) && ok;
  } finally {
    await Promise.all([
      rawPub.close(),
      rawSub.close(),
      busPub.close(),
      busSub.close(),
      local.close(),
    ]);
    await server.cleanup();
  }
  return ok;
}
