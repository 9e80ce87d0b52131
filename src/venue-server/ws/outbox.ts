/**
 * Sending JSON to a WebSocket client without letting a slow one grow the server's memory: a client
 * that has more than MAX_BUFFERED_BYTES unsent is cut off, as an exchange drops a consumer that
 * cannot keep up, and a message to a socket that is no longer open is dropped.
 */
import { WebSocket } from "ws";

/** Sends one message, as JSON text. */
export type Outbox = (message: object) => void;

export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export function sendJson(ws: WebSocket): Outbox {
  return (message) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  };
}
