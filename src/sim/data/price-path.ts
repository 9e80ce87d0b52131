/**
 * The path the market takes inside a candle during candle replay. A candle says where the price
 * opened, closed and how far it went, not in which order; the simulator needs an order to trigger
 * stops and fill limits, and it must not let anyone see the candle before it is over.
 *
 * The rule: the market visits four points, at fixed fractions of the interval,
 *
 *   k   offset          bullish (C >= O)   bearish (C < O)
 *   0   open + 0        O                  O
 *   1   open + 1/4      L                  H
 *   2   open + 1/2      H                  L
 *   3   open + 3/4      C                  C
 *
 * and the completed candle is published only at open + interval, after all four.
 *
 * Why this order:
 * - A bullish bar dips before it rises and a bearish bar rallies before it falls: the common OHLC
 *   replay convention. It makes the last leg run in the candle's direction (the close is reached
 *   from the far extreme), and a bar range that holds both a stop and a target of a position in
 *   the bar's direction triggers the stop first — the cautious reading for momentum strategies.
 * - Every candle's high and low are visited, so any limit or stop the real market would have reached
 *   is reached here.
 * - No look-ahead: a strategy that sees candle t (published at its close) can only act on candle
 *   t+1's path, whose first point is candle t+1's open.
 */

/** Points per candle on the path. */
export const PATH_POINTS = 4;

/**
 * When path point k (0…3) happens, in ms after the candle's open: ⌊k·interval/4⌋. Strictly
 * increasing and below the interval for any interval of at least 4 ms.
 */
export function pathOffsetMs(k: number, intervalMs: number): number {
  return Math.floor((k * intervalMs) / PATH_POINTS);
}

/**
 * The price at path point k (0…3) of a candle; see the table in the module header.
 * @example
 * pathPrice(100, 110, 95, 105, 1); // 95: a bullish bar visits its low first
 */
export function pathPrice(
  open: number,
  high: number,
  low: number,
  close: number,
  k: number,
): number {
  if (k === 0) return open;
  if (k === 3) return close;
  // k is 1 or 2: the low comes first (k = 1) on a bullish bar, second on a bearish one.
  return (k === 1) === close >= open ? low : high;
}

/** When a candle opened at `openMs` becomes visible: at its close, after its whole path. */
export function candlePublishedAt(openMs: number, intervalMs: number): number {
  return openMs + intervalMs;
}
