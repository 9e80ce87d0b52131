/**
 * Writes a connection's buffered outbound bytes now, for the messages someone is waiting on (a
 * request, a reply).
 *
 * nats.js buffers every publish and writes the buffer from a microtask it queues on the first one
 * (ProtocolHandler.sendCommand → queueMicrotask(flushPending)): batching for free, but the write
 * waits behind every microtask queued before it — on a Desk, the bookkeeping and events of the
 * order just answered. A reply or a request is a round trip's latency, so it goes at once.
 *
 * `protocol.flushPending` is internal to nats.js v3 (NatsConnectionImpl's ProtocolHandler): read
 * defensively, so that without it (another version) the microtask still sends the bytes, only
 * later. flushPending itself writes nothing while disconnected; the buffer then waits for the
 * reconnect, as every publish does.
 */
import type { NatsConnection } from "@nats-io/transport-node";

interface WithProtocol {
  protocol?: { flushPending?: () => void };
}

export function flushNow(nc: NatsConnection): void {
  const protocol = (nc as unknown as WithProtocol).protocol;
  if (typeof protocol?.flushPending === "function") protocol.flushPending();
}
