/**
 * A history request as it arrives from the bus, checked once: `{ from, to, limit?, cursor? }`.
 *
 * Rules:
 * - `from` and `to` are epoch milliseconds or ISO 8601 texts with a zone; the range is [from, to)
 *   and must not be empty.
 * - `limit` bounds the items of one reply (default 1000, at most 10000); a reply also stops short
 *   of the bus's payload limit. A reply that stopped early carries `next`: the request that reads
 *   on, to be sent as it is.
 * - `cursor` comes only from a `next`: a trade id (trades) or an update id (books) the next page
 *   follows.
 * Anything else is refused with an InvalidInputError naming the field.
 */
import { parseInstant } from "../../config/time-text.js";
import { InvalidInputError } from "../../domain/errors.js";

export const DEFAULT_LIMIT = 1_000;
export const MAX_LIMIT = 10_000;

export interface HistoryRequest {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  limit: number;
  cursor?: string;
}

const FIELDS = new Set(["from", "to", "limit", "cursor"]);

function instant(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "string") {
    const ms = parseInstant(value);
    if (ms !== undefined) return ms;
  }
  throw new InvalidInputError(
    `history request: ${field} ${JSON.stringify(value) ?? "missing"} is not a time: give epoch ms or ISO 8601 with a zone, e.g. 2024-01-01T00:00:00Z`,
  );
}

export function parseHistoryRequest(data: unknown): HistoryRequest {
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new InvalidInputError(
      "history request: expected an object { from, to, limit?, cursor? }",
    );
  const body = data as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `history request: unknown field ${unknown.map((k) => JSON.stringify(k)).join(", ")}: expected from, to, limit, cursor`,
    );
  const from = instant(body.from, "from");
  const to = instant(body.to, "to");
  if (from >= to)
    throw new InvalidInputError(
      `history request: the range is empty: from ${new Date(from).toISOString()} is not before to ${new Date(to).toISOString()}`,
    );
  const limit = body.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new InvalidInputError(
      `history request: limit ${JSON.stringify(limit)} must be a whole number from 1 to ${MAX_LIMIT}`,
    );
  const cursor = body.cursor;
  if (cursor !== undefined && (typeof cursor !== "string" || cursor.length === 0))
    throw new InvalidInputError("history request: cursor must be the text a reply's next carried");
  return { from, to, limit, ...(cursor === undefined ? {} : { cursor }) };
}
