/**
 * Sending JSON to a WebSocket client without letting a slow one grow the server's memory: a client
 * that has more than MAX_BUFFERED_BYTES unsent is cut off, as an exchange drops a consumer that
 * cannot keep up, and a message to a socket that is no longer open is dropped.
 *
 * With a network hop (the venue file's latency, wire-faults.ts), each message leaves one hop after
 * it was sent, and never before one sent earlier: messages are queued in order, each due at
 * max(sent + hop, the previous one's due time). Messages sent in the same millisecond (an order's
 * execution report and the balance it changed) travel together, on one hop.
 */
import { WebSocket } from "ws";

/** Sends one message, as JSON text. */
export type Outbox = (message: object) => void;

export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export function sendJson(ws: WebSocket, hopMs: () => number = () => 0): Outbox {
  const write = (text: string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(text);
  };
  const queue: { sent: number; due: number; text: string }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && queue[0]!.due <= now) write(queue.shift()!.text);
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
  };
  ws.once("close", () => {
    clearTimeout(timer);
    queue.length = 0;
  });
  return (message) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const sent = Date.now();
    const last = queue.at(-1);
    if (last !== undefined && last.sent === sent) {
      queue.push({ sent, due: last.due, text: JSON.stringify(message) });
      return;
    }
    const hop = hopMs();
    if (hop <= 0 && last === undefined) {
      write(JSON.stringify(message));
      return;
    }
    const due = Math.max(sent + hop, last?.due ?? 0);
    queue.push({ sent, due, text: JSON.stringify(message) });
    timer ??= setTimeout(flush, due - sent);
  };
}
