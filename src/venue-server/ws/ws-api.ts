/**
 * One connection to Binance's WebSocket API (`/ws-api/v3`), for what a client needs of it to
 * follow its account: requests `{id, method, params}` answered `{id, status, result}` or
 * `{id, status, error: {code, msg}}`, and user data stream subscriptions whose events arrive as
 * `{subscriptionId, event}` (web-socket-api.md).
 *
 * Methods: `ping`, `time`, `userDataStream.subscribe.signature` (SIGNED with the API key in
 * `params`: the HMAC-SHA256, under the key's secret, of every other param sorted by name as
 * `name=value` joined by `&`; checked by binance-auth.ts, timestamp and recvWindow included),
 * `userDataStream.unsubscribe` (one `subscriptionId`, or all), `session.subscriptions`,
 * `session.status`. Session logon is left out: Binance allows it for Ed25519 keys only, and the
 * venue file's keys are HMAC secrets. A method name may carry Binance's version prefix (`v3/`).
 */
import type { WebSocket } from "ws";
import type { ApiKeys } from "../binance-auth.js";
import { BinanceError } from "../binance-error.js";
import { type Outbox, sendJson } from "./outbox.js";
import type { UserEvents } from "./user-events.js";

type Params = Record<string, unknown>;

export interface WsApiContext {
  keys: ApiKeys;
  events: UserEvents;
  /** The simulated time, for `time` and event times. */
  simulatedNow: () => number;
  /** The wall clock, for `connectedSince`. */
  now: () => number;
  /** The network hop each message waits, in wall-clock ms (none if absent). */
  hopMs?: () => number;
}

const invalidJson = () => new BinanceError(400, -1135, "Invalid JSON Request");
// Binance documents no code for a method it does not know; -1000 is its catch-all.
const unknownMethod = (method: string) =>
  new BinanceError(400, -1000, `Unknown method '${method}'.`);

export class WsApiSocket {
  private readonly subscriptions = new Map<number, { account: string; stop: () => void }>();
  private nextSubscriptionId = 0;
  private readonly connectedSince: number;
  private readonly out: Outbox;

  constructor(
    ws: WebSocket,
    private readonly ctx: WsApiContext,
  ) {
    this.connectedSince = Math.floor(ctx.now());
    this.out = sendJson(ws, ctx.hopMs);
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.onMessage(data.toString());
    });
    ws.on("close", () => this.close());
  }

  close(): void {
    for (const { stop } of this.subscriptions.values()) stop();
    this.subscriptions.clear();
  }

  private onMessage(text: string): void {
    let id: unknown = null;
    const after: (() => void)[] = [];
    try {
      let request: { id?: unknown; method?: unknown; params?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        throw invalidJson();
      }
      if (typeof request !== "object" || request === null) throw invalidJson();
      id = request.id ?? null;
      const params = request.params ?? {};
      if (typeof params !== "object" || params === null || Array.isArray(params)) {
        throw invalidJson();
      }
      const method = typeof request.method === "string" ? request.method.replace(/^v3\//, "") : "";
      const result = this.answer(method, params as Params, after);
      this.out({ id, status: 200, result });
    } catch (err) {
      if (!(err instanceof BinanceError)) throw err;
      this.out({ id, status: err.status, error: err.body });
    }
    for (const then of after) then();
  }

  /** The result of `method`; `after` gets what must follow the response (events). */
  private answer(method: string, params: Params, after: (() => void)[]): unknown {
    switch (method) {
      case "ping":
        return {};
      case "time":
        return { serverTime: Math.floor(this.ctx.simulatedNow()) };
      case "userDataStream.subscribe.signature":
        return { subscriptionId: this.subscribe(params) };
      case "userDataStream.unsubscribe":
        this.unsubscribe(params.subscriptionId, after);
        return {};
      case "session.subscriptions":
        return [...this.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }));
      case "session.status":
        return {
          apiKey: null,
          authorizedSince: null,
          connectedSince: this.connectedSince,
          returnRateLimits: false,
          serverTime: Math.floor(this.ctx.simulatedNow()),
          userDataStream: this.subscriptions.size > 0,
        };
      default:
        throw unknownMethod(method);
    }
  }

  private subscribe(params: Params): number {
    const { signature, ...signed } = params;
    const payload = Object.keys(signed)
      .sort()
      .map((name) => `${name}=${String(signed[name])}`)
      .join("&");
    const { account } = this.ctx.keys.authenticate({
      query:
        typeof signature === "string"
          ? `${payload}&signature=${encodeURIComponent(signature)}`
          : payload,
      body: "",
      apiKey: typeof params.apiKey === "string" ? params.apiKey : undefined,
    });
    // One subscription per account per connection, as on Binance.
    for (const [subscriptionId, sub] of this.subscriptions) {
      if (sub.account === account) return subscriptionId;
    }
    const subscriptionId = this.nextSubscriptionId++;
    const stop = this.ctx.events.subscribe(account, (event) => this.out({ subscriptionId, event }));
    this.subscriptions.set(subscriptionId, { account, stop });
    return subscriptionId;
  }

  private unsubscribe(which: unknown, after: (() => void)[]): void {
    const ids =
      which === undefined
        ? [...this.subscriptions.keys()]
        : [Number(which)].filter(Number.isInteger);
    for (const subscriptionId of ids) {
      const sub = this.subscriptions.get(subscriptionId);
      if (sub === undefined) continue;
      sub.stop();
      this.subscriptions.delete(subscriptionId);
      after.push(() =>
        this.out({
          subscriptionId,
          event: { e: "eventStreamTerminated", E: Math.floor(this.ctx.simulatedNow()) },
        }),
      );
    }
  }
}
