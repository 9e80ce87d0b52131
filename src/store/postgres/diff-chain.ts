/**
 * Whether a stored book diff follows the book it is applied to, by Binance's rules
 * (domain/book-sync.ts), from the ids migration 4 stores beside each diff's last (schema-diff-ids.ts).
 *
 * Rules, with `id` the book's last update id and the diff's last above it:
 * - Joining (the first diff after a snapshot, or after a resumed read's last id): spot needs
 *   first <= id + 1 <= last; futures needs first <= id <= last, or prev == id.
 * - Chained (every later diff): spot needs first == id + 1; futures needs prev == id.
 * - A diff without a first (stored before migration 4) is taken as following: the reader can only
 *   assume it, as it did before. A diff with a prev follows the futures rule, one without the spot.
 */

export interface StoredDiffIds {
  /** Binance U; undefined for rows stored before migration 4. */
  first: number | undefined;
  /** Binance u: the row's `sequence`. */
  last: number;
  /** Binance pu (futures only). */
  prev: number | undefined;
}

/** Why `diff` does not follow the book at update id `id`; undefined when it does. */
export function chainBreak(id: number, joining: boolean, diff: StoredDiffIds): string | undefined {
  const { first, last, prev } = diff;
  if (first === undefined) return undefined;
  if (prev !== undefined) {
    if (prev === id || (joining && first <= id && id <= last)) return undefined;
    return joining
      ? `diff U ${first} u ${last} pu ${prev} does not join update id ${id}`
      : `pu ${prev} is not the last u ${id}`;
  }
  if (joining ? first <= id + 1 && id + 1 <= last : first === id + 1) return undefined;
  return joining
    ? `diff U ${first} u ${last} does not join update id ${id} + 1`
    : `U ${first} is not the last u ${id} + 1`;
}

/**
 * The last update id a break lost (as the Recorder records a gap: depth-feed.ts): a snapshot at
 * or past it can take the book on. Never at or below `id`, so a restart always moves forward.
 */
export function lostThrough(id: number, diff: StoredDiffIds): number {
  const lost = diff.prev ?? (diff.first ?? id + 1) - 1;
  return Math.max(id + 1, lost);
}
