/**
 * The streams `crypy replay` publishes, opened from the local store or PostgreSQL, and the line
 * it prints at the end.
 *
 * Ranges: --from and --to are inclusive (a candle's open time, a trade's or a book update's
 * time). The replay's clock starts at --from, or at the first candle's open (so the first candle
 * goes out one interval in, at its close), or at the first message.
 */
import { InvalidInputError } from "../domain/errors.js";
import type { CandleSeries } from "../store/candle-series.js";
import type { ReplayCounts, ReplayMessage } from "../store/replay-streams.js";

export interface ReplayRequest {
  venue: string;
  market: string;
  timeframe: string;
  kinds: ReadonlySet<"candles" | "trades" | "book">;
  /** A local store directory (default: crypy's data directory) or postgres://… */
  store: string | undefined;
  from?: number;
  to?: number;
}

export interface OpenedReplay {
  streams: AsyncIterable<ReplayMessage>[];
  start: number | undefined;
  describe(counts: ReplayCounts): string;
  close(): Promise<void>;
}

/** Far enough for "to the last": PostgreSQL's timestamptz and JavaScript's Date both hold it. */
const END_OF_TIME = Date.UTC(9999, 11, 31);

export async function openReplay(r: ReplayRequest): Promise<OpenedReplay> {
  const { isPostgresUrl } = await import("../store/postgres/url.js");
  const sources = await import("../store/replay-sources.js");
  const target = { venue: r.venue, market: r.market };
  const streams: AsyncIterable<ReplayMessage>[] = [];
  let close = async () => {};
  let series: CandleSeries | undefined;
  let where: string;
  if (r.store !== undefined && isPostgresUrl(r.store)) {
    const { openPostgresStore } = await import("../store/postgres/store.js");
    const { readCandles } = await import("../store/postgres/read-candles.js");
    const store = await openPostgresStore(r.store);
    close = () => store.close();
    where = "PostgreSQL";
    try {
      if (r.kinds.has("candles")) {
        series = await readCandles(store.sql, {
          venue: r.venue,
          market: r.market,
          timeframe: r.timeframe,
          ...(r.from === undefined ? {} : { from: r.from }),
          ...(r.to === undefined ? {} : { to: r.to + 1 }),
        });
        // Alone, no candles is a mistake worth saying; beside trades or a book it is a quiet range.
        if (series.length === 0 && r.kinds.size === 1)
          throw new InvalidInputError(
            `no ${r.timeframe} candles of ${r.market} (${r.venue}) in PostgreSQL in that range`,
          );
      }
      if (r.kinds.has("trades"))
        streams.push(
          sources.tradeMessages(store.sql, {
            ...target,
            ...(r.from === undefined ? {} : { from: r.from }),
            ...(r.to === undefined ? {} : { to: r.to + 1 }),
          }),
        );
      if (r.kinds.has("book"))
        streams.push(
          sources.bookMessages(store.sql, {
            ...target,
            from: r.from ?? 0,
            to: r.to ?? END_OF_TIME,
          }),
        );
    } catch (err) {
      await close();
      throw err;
    }
  } else {
    const { openStore } = await import("../store/candle-store.js");
    where = "the local store";
    series = await openStore(r.store).read(
      { venue: r.venue, market: r.market, timeframe: r.timeframe },
      {
        ...(r.from === undefined ? {} : { from: r.from }),
        ...(r.to === undefined ? {} : { to: r.to }),
      },
    );
  }
  if (series !== undefined)
    streams.unshift(sources.candleMessages(series, { ...target, timeframe: r.timeframe }));
  const start = r.from ?? (series !== undefined && series.length > 0 ? series.time[0] : undefined);
  return {
    streams,
    start,
    close,
    describe(counts) {
      const of = (kind: string) =>
        [...counts.bySubject]
          .filter(([s]) => s.endsWith(`.${kind}`))
          .reduce((n, [, c]) => n + c, 0);
      const parts: string[] = [];
      if (r.kinds.has("candles")) parts.push(`${of(`candle-${r.timeframe}`)} candles`);
      if (r.kinds.has("trades")) parts.push(`${of("trade")} trade messages`);
      if (r.kinds.has("book")) parts.push(`${of("book")} book events`);
      const list =
        parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
      const what =
        r.kinds.size === 1 && r.kinds.has("candles")
          ? ` (${r.venue}, ${r.timeframe})`
          : ` (${r.venue})`;
      return `replayed ${list} of ${r.market}${what} as replay-${r.venue} from ${where}`;
    },
  };
}
