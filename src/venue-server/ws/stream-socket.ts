/**
 * One connection to the stream endpoints: raw streams at `/ws/<name>` (payloads as they are) and
 * combined streams at `/stream?streams=<a>/<b>` (each payload wrapped `{stream, data}`), with
 * Binance's live methods on either: SUBSCRIBE and UNSUBSCRIBE (`params`: stream names),
 * LIST_SUBSCRIPTIONS, SET_PROPERTY and GET_PROPERTY (`combined`). A successful request is answered
 * `{result, id}`; a bad one `{error: {code, msg}, id}` with Binance's codes: 0 unknown property,
 * 1 a value of the wrong type, 2 an invalid request (method, id, parameters, stream), 3 invalid JSON.
 *
 * Names in the URL that are no stream are ignored (ccxt connects to `/ws/<n>` and subscribes by
 * message); a name in a SUBSCRIBE that is no stream is an error and subscribes to nothing.
 *
 * `dropEvery` (the venue file's faults.streams.dropConnectionEvery): after that many stream
 * payloads the connection is terminated, no close frame, as a lost connection.
 */
import type { WebSocket } from "ws";
import { type Outbox, sendJson } from "./outbox.js";

/** Subscribes `sink` to stream `name`; undefined if there is no such stream. */
export type StreamSource = (
  name: string,
  sink: (payload: object) => void,
) => (() => void) | undefined;

/** Binance's limit of streams per connection. */
export const MAX_STREAMS = 1024;

const METHODS = ["SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY"];

class RequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

const invalid = (what: string) => new RequestError(2, `Invalid request: ${what}`);

type RequestId = number | string | null;

export class StreamSocket {
  private readonly streams = new Map<string, () => void>();
  private readonly out: Outbox;
  private sent = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly source: StreamSource,
    private combined: boolean,
    names: readonly string[],
    hopMs?: () => number,
    private readonly dropEvery = 0,
  ) {
    this.out = sendJson(ws, hopMs);
    for (const name of names) this.subscribe(name);
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.onMessage(data.toString());
    });
    ws.on("close", () => this.close());
  }

  /** Stops every subscription (the socket closed). */
  close(): void {
    for (const stop of this.streams.values()) stop();
    this.streams.clear();
  }

  private subscribe(name: string): boolean {
    if (this.streams.has(name)) return true;
    const stop = this.source(name, (payload) => {
      this.out(this.combined ? { stream: name, data: payload } : payload);
      if (this.dropEvery > 0 && ++this.sent % this.dropEvery === 0) this.ws.terminate();
    });
    if (stop === undefined) return false;
    this.streams.set(name, stop);
    return true;
  }

  private onMessage(text: string): void {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch (err) {
      this.out({ error: { code: 3, msg: `Invalid JSON: ${(err as Error).message}` }, id: null });
      return;
    }
    let id: RequestId = null;
    try {
      if (typeof request !== "object" || request === null || Array.isArray(request)) {
        throw invalid("expected an object");
      }
      const r = request as { id?: unknown; method?: unknown; params?: unknown };
      id = requestId(r.id);
      this.out({ result: this.answer(r.method, r.params), id });
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      this.out({ error: { code: err.code, msg: err.message }, id });
    }
  }

  private answer(method: unknown, params: unknown): unknown {
    if (method === undefined) throw invalid("missing field `method`");
    if (typeof method !== "string" || !METHODS.includes(method)) {
      throw invalid(
        `unknown variant \`${String(method)}\`, expected one of ${METHODS.map((m) => `\`${m}\``).join(", ")}`,
      );
    }
    switch (method) {
      case "SUBSCRIBE": {
        const names = streamNames(params);
        if (this.streams.size + names.length > MAX_STREAMS) throw invalid("too many streams");
        const unknown = names.filter((n) => !this.streams.has(n) && !this.subscribe(n));
        if (unknown.length > 0) throw invalid(`invalid stream ${unknown[0]}`);
        return null;
      }
      case "UNSUBSCRIBE":
        for (const name of streamNames(params)) {
          this.streams.get(name)?.();
          this.streams.delete(name);
        }
        return null;
      case "LIST_SUBSCRIPTIONS":
        return [...this.streams.keys()];
      case "SET_PROPERTY": {
        const [, value] = property(params, 2);
        if (typeof value !== "boolean")
          throw new RequestError(1, "Invalid value type: expected Boolean");
        this.combined = value;
        return null;
      }
      default: {
        property(params, 1);
        return this.combined;
      }
    }
  }
}

function requestId(id: unknown): RequestId {
  if (id === null) return null;
  if (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === "string" && /^[A-Za-z0-9]{1,36}$/.test(id)) return id;
  throw invalid("request ID must be an unsigned integer");
}

function streamNames(params: unknown): string[] {
  if (!Array.isArray(params) || !params.every((p) => typeof p === "string")) {
    throw invalid("params must be a list of stream names");
  }
  return params as string[];
}

/** SET_PROPERTY's [name, value] or GET_PROPERTY's [name]: only `combined` exists. */
function property(params: unknown, length: number): unknown[] {
  if (!Array.isArray(params)) throw invalid("property name must be a string");
  if (params.length > length) throw invalid("too many parameters");
  if (typeof params[0] !== "string") throw invalid("property name must be a string");
  if (params[0] !== "combined") throw new RequestError(0, "Unknown property");
  return params;
}
