/**
 * A raw WebSocket stream read one message at a time, the way a ccxt pro `watch*` call is read:
 * `watch()` resolves with the next message `parse` accepts, so a RecordedStream (stream.ts) can
 * follow it with its numbering, staleness watchdog and backoff.
 *
 * Rules:
 * - The connection opens on the first `watch` and after each failure; a closed or failed
 *   connection rejects every pending `watch` (the RecordedStream then backs off and watches
 *   again, which reconnects).
 * - Messages nobody waits for are queued, at most QUEUE_LIMIT (the oldest dropped beyond).
 * - A message `parse` throws on rejects the waiting `watch` with that error (feed.reconnect names
 *   it); one it returns undefined for (a subscription reply, another event) is skipped.
 * - `close` ends the connection; no watch resolves after it.
 */
import WebSocket from "ws";

const QUEUE_LIMIT = 1_000;

export interface RawWatch<T> {
  watch(): Promise<T>;
  close(): void;
}

export function rawWatch<T>(url: string, parse: (message: unknown) => T | undefined): RawWatch<T> {
  let ws: WebSocket | undefined;
  let closed = false;
  const queue: T[] = [];
  const waiting: Array<{ resolve: (value: T) => void; reject: (err: Error) => void }> = [];
  const fail = (err: Error) => {
    for (const w of waiting.splice(0)) w.reject(err);
  };
  const connect = () => {
    const socket = new WebSocket(url);
    ws = socket;
    socket.on("message", (data) => {
      let value: T | undefined;
      try {
        value = parse(JSON.parse(String(data)));
      } catch (err) {
        fail(err as Error);
        return;
      }
      if (value === undefined) return;
      const next = waiting.shift();
      if (next !== undefined) next.resolve(value);
      else if (queue.push(value) > QUEUE_LIMIT) queue.shift();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      if (ws === socket) ws = undefined;
      fail(new Error(`stream ${new URL(url).pathname} closed`));
    });
  };
  return {
    watch: () => {
      if (closed) return Promise.reject(new Error("stream closed"));
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (ws === undefined) connect();
      return new Promise<T>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    close: () => {
      closed = true;
      ws?.terminate();
      ws = undefined;
      fail(new Error("stream closed"));
    },
  };
}
