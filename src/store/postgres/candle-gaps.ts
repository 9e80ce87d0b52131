/**
 * The gaps of a stored candle series, kept in the gaps table: after an import, the series' gaps
 * are recomputed from the candles themselves and replace the ones recorded before, so a later
 * import that fills a gap removes it. Kind `candles/<timeframe>`; from_time is the first missing
 * open time, to_time the next stored one (exclusive). A gap is where two stored candles are more
 * than one interval apart; before the first and after the last candle nothing is known.
 */

import { parseTimeframe } from "../../domain/timeframe.js";
import type { Sql } from "./connect.js";
import { isoTime } from "./copy-text.js";

export interface CandleGap {
  /** Epoch ms: first missing open time. */
  from: number;
  /** Epoch ms: the next stored candle's open time. */
  to: number;
}

export async function refreshCandleGaps(
  sql: Sql,
  series: { venue: string; market: string; timeframe: string },
): Promise<CandleGap[]> {
  const intervalMs = parseTimeframe(series.timeframe);
  const kind = `candles/${series.timeframe}`;
  const { venue, market, timeframe } = series;
  return sql.begin(async (tx) => {
    const rows = await tx<{ from: number; to: number }[]>`
      WITH s AS (
        SELECT open_time, lag(open_time) OVER (ORDER BY open_time) AS prev
        FROM candles WHERE venue = ${venue} AND market = ${market} AND timeframe = ${timeframe}
      )
      SELECT (extract(epoch FROM prev) * 1000)::float8 + ${intervalMs}::float8 AS from,
        (extract(epoch FROM open_time) * 1000)::float8 AS to
      FROM s WHERE open_time - prev > make_interval(secs => ${intervalMs / 1000})
      ORDER BY open_time`;
    await tx`DELETE FROM gaps WHERE venue = ${venue} AND market = ${market} AND kind = ${kind}`;
    for (const gap of rows) {
      await tx`
        INSERT INTO gaps (venue, market, kind, from_time, to_time, reason)
        VALUES (${venue}, ${market}, ${kind}, ${isoTime(gap.from)}::text::timestamptz,
          ${isoTime(gap.to)}::text::timestamptz, 'no candles stored')`;
    }
    return rows.map((r) => ({ from: r.from, to: r.to }));
  });
}
