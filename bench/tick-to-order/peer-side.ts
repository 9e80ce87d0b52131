/**
 * The peer of bench tick-to-order: raw nats.js, its "desk" on the bench's main thread, its
 * "trader" on its own thread (trader-side.ts), the same layout as crypy's. See index.ts.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { nowNs } from "../report.js";
import type { ByteSizes } from "./protocol.js";
import { startTraderThread } from "./trader-thread.js";

const us = (from: bigint, to: bigint) => Number(to - from) / 1_000;

export interface Peer {
  /** End-to-end µs per tick, and its two legs: the tick's hop, the request/reply. */
  ticks(n: number): Promise<{ samples: number[]; tickLeg: number[]; requestLeg: number[] }>;
  close(): Promise<void>;
}

/** The peer's Desk side on this thread (publish, respond), its Trader side on its own thread. */
export async function startPeer(url: string, sizes: ByteSizes): Promise<Peer> {
  const desk: NatsConnection = await connect({ servers: url, name: "peer-desk" });
  const tickBytes = new Uint8Array(sizes.tick).fill(0x78);
  const replyBytes = new Uint8Array(sizes.reply).fill(0x78);
  desk.subscribe("bench.peer.order", { callback: (_err, msg) => void msg.respond(replyBytes) });
  await desk.flush();
  const trader = await startTraderThread({
    kind: "peer",
    url,
    tickSubject: "bench.peer.tick",
    orderSubject: "bench.peer.order",
    sizes,
  });
  return {
    async ticks(n) {
      const samples: number[] = [];
      const tickLeg: number[] = [];
      const requestLeg: number[] = [];
      for (let i = 0; i < n; i++) {
        const handled = trader.nextTick();
        const published = nowNs();
        desk.publish("bench.peer.tick", tickBytes);
        const { received, replied } = await handled;
        samples.push(us(published, replied));
        tickLeg.push(us(published, received));
        requestLeg.push(us(received, replied));
      }
      return { samples, tickLeg, requestLeg };
    },
    async close() {
      await trader.close();
      await desk.close();
    },
  };
}
