/**
 * The Trader side of bench tick-to-order, on its own thread as a Trader in its own process would
 * be: the Desk's work after its reply (reports, events, the simulator's next steps) does not delay
 * the Trader's receipt, and the Trader's decoding does not delay the Desk. Both crypy and the peer
 * run their Trader side here, so the layout is the same for both.
 *
 * crypy: a NatsBus subscriber decodes the ticker, updates a 20-tick SMA of `last`, decides a side
 * (buy when flat, sell when long: a position that never grows) and requests the Desk's order
 * subject with a signed mandate, each order signed by its key at the next sequence. peer: raw
 * nats.js, the callback requests with bytes of the same size, no codec.
 */
import { parentPort, workerData } from "node:worker_threads";
import { connect } from "@nats-io/transport-node";
import { ActorKeys } from "../../src/actors/identity/keys.js";
import { signOrder } from "../../src/actors/order-signature.js";
import { encode } from "../../src/bus/codec.js";
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import type { Ticker } from "../../src/domain/market-data.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import type { TraderCommand, TraderReport, TraderSetup } from "./protocol.js";

const SMA_WINDOW = 20;
const port = parentPort;
if (port === null) throw new Error("trader-side.ts runs as a worker thread");
const setup = workerData as TraderSetup;
const post = (report: TraderReport) => port.postMessage(report);
const fail = (err: unknown) =>
  post({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });

async function crypyTrader(
  s: Extract<TraderSetup, { kind: "crypy" }>,
): Promise<() => Promise<void>> {
  const bus = await NatsBus.connect(s.url, {
    name: "trader",
    logger: createLogger({ level: "silent" }),
  });
  const keys = ActorKeys.load(s.keysDir, s.trader);
  let seq = 0;
  const window: number[] = [];
  let sum = 0;
  let long = false;
  let ticks = 0;
  const onTick = async (message: { ticker: Ticker; seq: number }): Promise<void> => {
    const received = process.hrtime.bigint();
    const last = Number(message.ticker.last);
    window.push(last);
    sum += last;
    if (window.length > SMA_WINDOW) sum -= window.shift()!;
    const sma = sum / window.length;
    if (!Number.isFinite(sma)) throw new Error(`bad tick ${JSON.stringify(message)}`);
    const fields = {
      trader: s.trader,
      market: s.market,
      side: long ? "sell" : "buy",
      type: "market",
      amount: s.amount,
    };
    // Every order signed, at the next sequence, as the live Trader does.
    const proof = signOrder(keys, s.desk, fields, s.mandate.nonce, ++seq);
    const signed = process.hrtime.bigint();
    const request = { op: "place", ...fields, mandate: s.mandate, ...proof };
    const order = await bus.request<Order>(s.orderSubject, request, { timeoutMs: 30_000 });
    const replied = process.hrtime.bigint();
    if (order.status !== "closed") throw new Error(`order not filled: ${JSON.stringify(order)}`);
    long = !long;
    ticks++;
    const sizes =
      ticks <= s.measureSizesFor
        ? {
            tick: encode(message).length,
            request: encode(request).length,
            reply: encode(order).length,
          }
        : undefined;
    post({ type: "tick", received, signed, replied, ...(sizes === undefined ? {} : { sizes }) });
  };
  bus.subscribe<{ ticker: Ticker; seq: number }>(s.tickSubject, (m) => onTick(m).catch(fail));
  await bus.flush();
  return () => bus.close();
}

async function peerTrader(s: Extract<TraderSetup, { kind: "peer" }>): Promise<() => Promise<void>> {
  // The option crypy's NatsBus connects with: no Error built per request for its stack.
  const nc = await connect({ servers: s.url, name: "peer-trader", noAsyncTraces: true });
  const requestBytes = new Uint8Array(s.sizes.request).fill(0x78);
  nc.subscribe(s.tickSubject, {
    callback: () => {
      const received = process.hrtime.bigint();
      nc.request(s.orderSubject, requestBytes, { timeout: 30_000 })
        .then((reply) => {
          const replied = process.hrtime.bigint();
          // The same work as crypy's: a reply of the size crypy's Desk sends.
          if (reply.data.length !== s.sizes.reply)
            throw new Error(`peer reply of ${reply.data.length} B, not ${s.sizes.reply} B`);
          post({ type: "tick", received, replied });
        })
        .catch(fail);
    },
  });
  await nc.flush();
  return () => nc.close();
}

const close = await (setup.kind === "crypy" ? crypyTrader(setup) : peerTrader(setup));
port.on("message", (command: TraderCommand) => {
  if (command.type === "close") void close().then(() => port.close(), fail);
});
post({ type: "ready" });
