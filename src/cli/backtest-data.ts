/**
 * Where a backtest's candles come from, in order of preference: a file given with --data (read by
 * the same loader as `crypy data import`; a `.parquet` file or a directory of them is a dataset
 * whose --market and --data-venue rows are read) or a `postgres://` URL (`?venue=…&market=…&timeframe=…`
 * select the series; --data-venue its venue when the URL names none), the local store (`crypy data
 * import`; the series of --data-venue, default binance), or the venue file's own source for the
 * market (synthetic or recorded) when the store holds no series of the market at all. Then
 * resampled to --timeframe and cut to --from/--to.
 */
import { stat } from "node:fs/promises";
import { InvalidInputError } from "../domain/errors.js";
import { loadFeeds } from "../sim/build.js";
import type { VenueConfig } from "../sim/config/types.js";
import type { CandleSeries } from "../sim/data/index.js";
import { parseTimeframe } from "../sim/ohlcv.js";
import { describeLoaded, loadMarketFile } from "../store/import-file.js";
import { openStore } from "../store/index.js";
import { isPostgresUrl } from "../store/postgres/url.js";
import { resample } from "../store/resample.js";
import { checkVenue, timeframeName } from "../store/series-key.js";

export interface DataRequest {
  market: string;
  timeframe: string;
  venue: VenueConfig;
  /** A candle or trade CSV (.csv or .csv.gz), or a `postgres://` URL. */
  data?: string | undefined;
  /** The stored series' venue (--data-venue; default "binance", as `crypy data import`). */
  storeVenue?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** The venue a backtest reads stored series of unless --data-venue names another. */
export const DEFAULT_STORE_VENUE = "binance";

export interface LoadedData {
  candles: CandleSeries;
  /** Where they came from, for the report. */
  source: string;
}

/** "2023-03-05", "2023-03-05T12:00", "2023-03-05T12:00:00Z" (no zone: UTC) → epoch ms. */
export function parseDateOption(text: string, option: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?/.test(text)
    ? Date.parse(withZone)
    : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidInputError(
      `${option} must be a date like 2023-03-05 or 2023-03-05T12:00Z, got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

/** The same loader as `crypy data import` without --timeframe: the same verdict on any file. */
async function fromFile(
  path: string,
  select: { market: string; venue: string | undefined },
): Promise<LoadedData> {
  const loaded = await loadMarketFile(path, select);
  return { candles: loaded.series, source: `${path} (${describeLoaded(loaded)})` };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function fromSource(request: DataRequest): Promise<LoadedData> {
  if (request.data !== undefined && isPostgresUrl(request.data)) {
    // Loaded only when asked for: most backtests never touch PostgreSQL.
    const { loadPostgresCandles } = await import("../store/postgres/candle-io.js");
    return loadPostgresCandles(request.data, {
      venue: request.storeVenue ?? DEFAULT_STORE_VENUE,
      market: request.market,
    });
  }
  if (request.data !== undefined) {
    const dataset = request.data.endsWith(".parquet") || (await isDirectory(request.data));
    if (request.storeVenue !== undefined && !dataset) {
      throw new InvalidInputError(
        "--data reads a file and --data-venue a stored series: pass one of them",
      );
    }
    // A Parquet dataset may hold several markets and venues: the backtest's select its rows.
    return fromFile(request.data, { market: request.market, venue: request.storeVenue });
  }
  if (request.storeVenue !== undefined) checkVenue(request.storeVenue);
  const store = openStore();
  const contract = request.venue.markets[request.market]?.contract;
  // A contract without data of its own trades on its index market's path: read that one's.
  const market = contract?.samePathAsIndex === true ? contract.index : request.market;
  const all = await store.list();
  const ofMarket = all.filter((s) => s.market === market);
  const storeVenue = request.storeVenue ?? DEFAULT_STORE_VENUE;
  // The finest stored timeframe: any coarser one the backtest asks for is resampled from it.
  const stored = ofMarket
    .filter((s) => s.venue === storeVenue)
    .sort((a, b) => parseTimeframe(a.timeframe) - parseTimeframe(b.timeframe))[0];
  if (stored !== undefined) {
    const key = { venue: storeVenue, market, timeframe: stored.timeframe };
    return {
      candles: await store.read(key),
      source: `store ${storeVenue} ${market} ${stored.timeframe}`,
    };
  }
  if (request.storeVenue !== undefined || ofMarket.length > 0) {
    // Asked for a venue's series that is not stored, or the market is stored only under other
    // venues: never fall back to the venue file's (perhaps synthetic) prices without a word.
    const listed =
      all.length === 0
        ? "nothing is stored"
        : `stored: ${all.map((s) => `${s.venue} ${s.market} ${s.timeframe}`).join(", ")}`;
    const venues = [...new Set(ofMarket.map((s) => s.venue))];
    const hint =
      venues.length > 0
        ? `pass --data-venue ${venues.join(" or --data-venue ")}`
        : `import it with 'crypy data import FILE --market ${market} --venue ${storeVenue}'`;
    throw new InvalidInputError(
      `no stored ${market} series of venue ${storeVenue} (${listed}); ${hint}`,
    );
  }
  const spec = request.venue.markets[market];
  if (spec === undefined) {
    throw new InvalidInputError(
      `no data for ${request.market}: pass --data FILE, import it with 'crypy data import', or use a market of ${request.venue.file} (${Object.keys(request.venue.markets).join(", ")})`,
    );
  }
  const feeds = await loadFeeds({ ...request.venue, markets: { [market]: spec } });
  return {
    candles: feeds.get(market)!.candles,
    source: `${request.venue.file} (${spec.data.source})`,
  };
}

export async function loadBacktestData(request: DataRequest): Promise<LoadedData> {
  const loaded = await fromSource(request);
  let candles = loaded.candles;
  const tf = parseTimeframe(request.timeframe);
  if (tf !== candles.intervalMs) {
    if (tf < candles.intervalMs || tf % candles.intervalMs !== 0) {
      throw new InvalidInputError(
        `--timeframe ${request.timeframe} is not a multiple of the data's ${timeframeName(candles.intervalMs)} candles`,
      );
    }
    candles = resample(candles, tf);
  }
  const from =
    request.from === undefined ? Number.NEGATIVE_INFINITY : parseDateOption(request.from, "--from");
  const to =
    request.to === undefined ? Number.POSITIVE_INFINITY : parseDateOption(request.to, "--to");
  if (from >= to)
    throw new InvalidInputError(`--from ${request.from} is not before --to ${request.to}`);
  const first = candles.indexAtOrAfter(from);
  const end = to === Number.POSITIVE_INFINITY ? candles.length : candles.indexAtOrAfter(to);
  if (end <= first) {
    const covers =
      candles.length === 0
        ? "no candles"
        : `${new Date(candles.time[0]!).toISOString()} → ${new Date(candles.time[candles.length - 1]!).toISOString()}`;
    throw new InvalidInputError(
      `no ${request.market} candles between ${request.from ?? "the start"} and ${request.to ?? "the end"} (the data covers ${covers})`,
    );
  }
  return { candles: candles.slice(first, end), source: loaded.source };
}
