/**
 * Binance's SIGNED endpoint security: the client names its key in the X-MBX-APIKEY header and adds
 * `timestamp` (epoch ms), an optional `recvWindow` (default 5000, at most 60000) and `signature`,
 * the hex HMAC-SHA256 under its secret of totalParams: the query string concatenated with the
 * request body, `signature` itself left out. The signature is not case sensitive.
 *
 * The timestamp is checked against the wall clock (`now`), not the simulated one: recvWindow
 * guards a request's freshness on the network, which a simulation's speed does not change.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ApiKeyConfig } from "../sim/config/types.js";
import {
  apiKeyFormatInvalid,
  illegalParameter,
  invalidApiKey,
  invalidSignature,
  mandatoryParameter,
  recvWindowTooLarge,
  timestampAhead,
  timestampOutsideWindow,
} from "./binance-error.js";

const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60_000;
/** Binance refuses a timestamp more than this far ahead of its own clock. */
const AHEAD_MS = 1000;

/**
 * Binance's signature of `totalParams` under `secret`: lowercase hex HMAC-SHA256.
 *
 * @example
 * sign("secret", "symbol=LTCBTC&timestamp=1499827319559"); // 64 hex digits
 */
export function sign(secret: string, totalParams: string): string {
  return createHmac("sha256", secret).update(totalParams).digest("hex");
}

export interface SignedRequest {
  /** The raw query string, without its leading "?" ("" if none). */
  query: string;
  /** The raw form-encoded body ("" if none). */
  body: string;
  /** The X-MBX-APIKEY header, if sent. */
  apiKey: string | undefined;
  /** USER_STREAM security (listen keys): the key alone, no signature or timestamp. */
  keyOnly?: boolean | undefined;
}

export interface Authenticated {
  account: string;
  /** Query and body parameters together, `signature` included. */
  params: URLSearchParams;
}

export class ApiKeys {
  private readonly byKey = new Map<string, ApiKeyConfig>();

  constructor(
    keys: readonly ApiKeyConfig[],
    private readonly now: () => number,
  ) {
    for (const k of keys) this.byKey.set(k.key, k);
  }

  /** The account a signed request acts for, or Binance's error for why it may not. */
  authenticate(req: SignedRequest): Authenticated {
    if (req.apiKey === undefined || req.apiKey === "") throw apiKeyFormatInvalid();
    const key = this.byKey.get(req.apiKey);
    if (key === undefined) throw invalidApiKey();
    if (req.keyOnly === true) return { account: key.account, params: allParams(req) };

    const query = withoutSignature(req.query);
    const body = withoutSignature(req.body);
    const sent = query.signature ?? body.signature;
    if (sent === undefined || !sameHex(sent, sign(key.secret, query.rest + body.rest))) {
      throw invalidSignature();
    }

    const params = allParams(req);
    checkTimestamp(params, this.now());
    return { account: key.account, params };
  }
}

/** Query and body parameters together. */
function allParams(req: SignedRequest): URLSearchParams {
  const params = new URLSearchParams(req.query);
  for (const [name, value] of new URLSearchParams(req.body)) params.append(name, value);
  return params;
}

/** The raw parameter string with its `signature=` parameter removed, and that signature. */
function withoutSignature(raw: string): { rest: string; signature: string | undefined } {
  let signature: string | undefined;
  const rest: string[] = [];
  for (const part of raw === "" ? [] : raw.split("&")) {
    if (part.startsWith("signature=")) signature = decodeURIComponent(part.slice(10));
    else rest.push(part);
  }
  return { rest: rest.join("&"), signature };
}

function sameHex(sent: string, expected: string): boolean {
  const a = Buffer.from(sent.toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkTimestamp(params: URLSearchParams, now: number): void {
  const timestamp = params.get("timestamp");
  if (timestamp === null || timestamp === "") throw mandatoryParameter("timestamp");
  if (!/^\d{1,20}$/.test(timestamp)) throw illegalParameter("timestamp");
  const windowText = params.get("recvWindow");
  let recvWindow = DEFAULT_RECV_WINDOW;
  if (windowText !== null) {
    if (!/^\d{1,20}$/.test(windowText)) throw illegalParameter("recvWindow");
    recvWindow = Number(windowText);
    if (recvWindow > MAX_RECV_WINDOW) throw recvWindowTooLarge();
  }
  const t = Number(timestamp);
  if (t >= now + AHEAD_MS) throw timestampAhead();
  if (now - t > recvWindow) throw timestampOutsideWindow();
}
