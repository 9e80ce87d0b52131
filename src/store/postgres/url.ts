/**
 * `postgres://` URLs, without loading the client: crypy's own query parameters (`venue`,
 * `market`, `timeframe`) select a series and are taken off the URL before it reaches the client,
 * which would otherwise send them to the server as settings.
 */

import { InvalidInputError } from "../../domain/errors.js";

/** crypy's parameters on a `postgres://` URL. */
export interface PostgresSelection {
  venue?: string;
  market?: string;
  timeframe?: string;
}

export interface PostgresTarget {
  /** The URL the client connects to (crypy's parameters removed). */
  url: string;
  selection: PostgresSelection;
}

const SELECTION_KEYS = ["venue", "market", "timeframe"] as const;

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/**
 * @example
 * parsePostgresUrl("postgres://db/crypy?venue=binance&market=BTC/USDT");
 * // { url: "postgres://db/crypy", selection: { venue: "binance", market: "BTC/USDT" } }
 */
export function parsePostgresUrl(text: string): PostgresTarget {
  if (!isPostgresUrl(text)) {
    throw new InvalidInputError(`expected a postgres:// URL, got ${JSON.stringify(text)}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch (cause) {
    throw new InvalidInputError(`not a valid postgres:// URL: ${JSON.stringify(text)}`, { cause });
  }
  const selection: PostgresSelection = {};
  for (const key of SELECTION_KEYS) {
    const value = parsed.searchParams.get(key);
    if (value !== null) selection[key] = value;
    parsed.searchParams.delete(key);
  }
  return { url: parsed.toString(), selection };
}
