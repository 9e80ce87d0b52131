/**
 * Listen keys: Binance's older way to a user data stream, still served by Binance's spot API (and
 * by clients that predate its WebSocket API subscriptions). `POST /api/v3/userDataStream` with only
 * the X-MBX-APIKEY header (security type USER_STREAM, no signature) gives the key's account a
 * listen key, valid 60 minutes, the same key again (extended) while one is active; `PUT` with
 * `listenKey` extends it; `DELETE` closes it. The stream is `/ws/<listenKey>` (or a combined stream
 * naming the key): the account's events, unwrapped. When a key expires, its streams get
 * `listenKeyExpired` and nothing more; a key closed by DELETE just stops.
 *
 * Validity runs on the wall clock (`now`), like recvWindow: it concerns the client's connection,
 * not the simulated market.
 *
 * USDⓈ-M has its own listen keys (`/fapi/v1/listenKey`, its own instance over the futures
 * events): its PUT and DELETE take no `listenKey` and act on the account's active key.
 */
import { randomBytes } from "node:crypto";
import { BinanceError, mandatoryParameter } from "../binance-error.js";
import type { Query } from "../binance-spot.js";
import type { UserEvents, UserSink } from "./user-events.js";

export const LISTEN_KEY_VALIDITY_MS = 60 * 60_000;
const KEY_LENGTH = 64;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export const listenKeyDoesNotExist = () =>
  new BinanceError(400, -1125, "This listenKey does not exist.");

interface ListenKey {
  account: string;
  expiresAt: number;
  /** Stops each stream reading this key, telling it (or not) that the key expired. */
  streams: Set<(expired: boolean) => void>;
}

export class ListenKeys {
  private readonly keys = new Map<string, ListenKey>();

  constructor(
    private readonly events: UserEvents,
    private readonly now: () => number,
    /** false: PUT and DELETE without `listenKey` act on the account's key (USDⓈ-M). */
    private readonly keyParamRequired = true,
  ) {}

  /** POST: the account's active key, extended, or a new one. */
  create(account: string): { listenKey: string } {
    this.expire();
    for (const [listenKey, key] of this.keys) {
      if (key.account !== account) continue;
      key.expiresAt = this.now() + LISTEN_KEY_VALIDITY_MS;
      return { listenKey };
    }
    const listenKey = newKey();
    this.keys.set(listenKey, {
      account,
      expiresAt: this.now() + LISTEN_KEY_VALIDITY_MS,
      streams: new Set(),
    });
    return { listenKey };
  }

  /** PUT: extends the key by another 60 minutes. */
  keepAlive(account: string, q: Query): object {
    this.own(account, q).expiresAt = this.now() + LISTEN_KEY_VALIDITY_MS;
    return {};
  }

  /** DELETE: closes the key and its streams. */
  close(account: string, q: Query): object {
    const key = this.own(account, q);
    for (const [name, k] of this.keys) if (k === key) this.keys.delete(name);
    for (const stop of key.streams) stop(false);
    return {};
  }

  /** The user stream named by a listen key, or undefined if `name` is no active key. */
  stream(name: string, sink: UserSink): (() => void) | undefined {
    this.expire();
    const key = this.keys.get(name);
    if (key === undefined) return undefined;
    const unsubscribe = this.events.subscribe(key.account, sink);
    const stop = (expired: boolean): void => {
      unsubscribe();
      key.streams.delete(stop);
      if (expired) sink({ e: "listenKeyExpired", E: Math.floor(this.now()), listenKey: name });
    };
    key.streams.add(stop);
    return () => stop(false);
  }

  /** Ends the keys whose validity has run out. */
  expire(): void {
    const now = this.now();
    for (const [name, key] of this.keys) {
      if (key.expiresAt > now) continue;
      this.keys.delete(name);
      for (const stop of key.streams) stop(true);
    }
  }

  /** The key a PUT or DELETE names, which must be active and the requesting account's. */
  private own(account: string, q: Query): ListenKey {
    const name = q.get("listenKey");
    this.expire();
    if ((name === null || name === "") && !this.keyParamRequired) {
      const mine = [...this.keys.values()].find((k) => k.account === account);
      if (mine === undefined) throw listenKeyDoesNotExist();
      return mine;
    }
    if (name === null || name === "") throw mandatoryParameter("listenKey");
    const key = this.keys.get(name);
    if (key === undefined || key.account !== account) throw listenKeyDoesNotExist();
    return key;
  }
}

function newKey(): string {
  return [...randomBytes(KEY_LENGTH)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
}
