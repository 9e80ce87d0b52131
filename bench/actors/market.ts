/**
 * The market the actors benchmark runs on: 100 spot markets `M<m>/USDT` on a simulated venue, each
 * with a past (HISTORY one-minute candles the Desk seeds its cache from) and a live stream of
 * closed candles and tickers the benchmark publishes on the Desk's subjects, in the Desk's shapes.
 *
 * The path is chosen so that nobody's strategy signals while it is measured, without silencing
 * any strategy: each market oscillates, then rises steadily for its last RISE candles, and the live
 * candles go on rising. sma-cross(5, 20) is long-biased (fast above slow) from then on: a Trader
 * waiting for an entry sees no cross up, a Trader holding sees no cross down, and the live prices
 * stay far inside the holders' stop loss and take profit — so every Trader's state stays as set up
 * and each one does its full work on every message (strategy update per candle; feed health,
 * marking and, holding, the exit check per ticker).
 */
import { marketData } from "../../src/bus/subjects.js";
import type { OHLCV, Ticker } from "../../src/domain/market-data.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import type { VenueConfig } from "../../src/sim/config/types.js";
import { CandleFeed, type MarketFeed } from "../../src/sim/feed.js";
import { CandleSeries, emptyColumns } from "../../src/store/candle-series.js";

export const DESK = "sim-main";
export const MARKETS = 100;
/** Candles each market has before any Trader starts (the Desk's cache; warm-ups take 60). */
export const HISTORY = 120;
/** The last candles of the history rise steadily: enough for sma-cross(5, 20) to lead long. */
const RISE = 40;
/** Live and rising candles: each close this fraction above the last. */
const STEP = 0.0005;
/** A live minute per market: 59 tickers (the Desk sends one a second), then the closed candle. */
export const TICKERS_PER_CANDLE = 59;
const MINUTE_MS = 60_000;
export const T0 = Date.UTC(2024, 0, 1);
/** When the venue's clock starts: the history has just closed. */
export const LIVE_MS = T0 + HISTORY * MINUTE_MS;

export const marketOf = (m: number) => `M${m}/USDT`;

export function venueConfig(): VenueConfig {
  const assets = ["  USDT: { decimals: 8 }"];
  const markets: string[] = [];
  for (let m = 0; m < MARKETS; m++) {
    assets.push(`  M${m}: { decimals: 8 }`);
    markets.push(
      `  ${marketOf(m)}:`,
      `    tickSize: "0.01"`,
      `    lotSize: "0.001"`,
      `    minQty: "0.001"`,
      `    maxQty: "100000"`,
      `    minNotional: "1"`,
      // Replaced by the feeds below; the file names a source as every venue file must.
      `    data: { source: gbm, startPrice: "100", volatility: 0.5 }`,
    );
  }
  const yaml = [
    "name: sim",
    "seed: 5",
    `start: "${new Date(T0).toISOString()}"`,
    "assets:",
    ...assets,
    "markets:",
    ...markets,
    'accounts: { main: { USDT: "1000000" } }',
    "latency: { fixedMs: 0, jitterMs: 0 }",
    "rateLimit: { requests: 1000000000, windowMs: 1 }",
    "liquidity:",
    '  levelNotional: "50000"',
    `  inventory: { USDT: "10000000000", ${Array.from({ length: MARKETS }, (_, m) => `M${m}: "100000000"`).join(", ")} }`,
    "",
  ].join("\n");
  return parseVenueConfig(yaml, { file: "bench/actors (venue)", baseDir: "." });
}

const cents = (x: number) => Math.round(x * 100) / 100;

/** Market m's history closes: an oscillation around its base price, then a steady rise. */
function historyCloses(m: number): number[] {
  const base = 100 + m;
  const closes: number[] = [];
  for (let i = 0; i < HISTORY - RISE; i++)
    closes.push(cents(base * (1 + 0.03 * Math.sin((2 * Math.PI * (i + m)) / 16))));
  for (let i = HISTORY - RISE; i < HISTORY; i++) closes.push(cents(closes[i - 1]! * (1 + STEP)));
  return closes;
}

/** The venue's data: every market's history, as the simulator replays candles. */
export function historyFeeds(): Map<string, MarketFeed> {
  const feeds = new Map<string, MarketFeed>();
  for (let m = 0; m < MARKETS; m++) {
    const closes = historyCloses(m);
    const c = emptyColumns(HISTORY);
    for (let i = 0; i < HISTORY; i++) {
      const open = i === 0 ? closes[0]! : closes[i - 1]!;
      c.time[i] = T0 + i * MINUTE_MS;
      c.open[i] = open;
      c.high[i] = Math.max(open, closes[i]!);
      c.low[i] = Math.min(open, closes[i]!);
      c.close[i] = closes[i]!;
      c.volume[i] = 5;
    }
    feeds.set(marketOf(m), new CandleFeed(new CandleSeries(c, MINUTE_MS)));
  }
  return feeds;
}

export interface Message {
  subject: string;
  payload: unknown;
}

/**
 * The live market: minute after minute, per market, 59 tickers then the minute's closed candle —
 * the rate a Desk publishes them — interleaved across markets as they would arrive. Candles and
 * tickers are numbered per subject, as the Desk numbers them (a Trader checks candles for gaps).
 */
export class LiveMarket {
  #minute = 0;
  readonly #close: number[];
  readonly #candleSeq: number[] = new Array(MARKETS).fill(0);
  readonly #tickerSeq: number[] = new Array(MARKETS).fill(0);
  readonly #candleSubjects = Array.from({ length: MARKETS }, (_, m) =>
    marketData(DESK, marketOf(m), "candle-1m"),
  );
  readonly #tickerSubjects = Array.from({ length: MARKETS }, (_, m) =>
    marketData(DESK, marketOf(m), "ticker"),
  );

  /** `template`: a ticker as the venue gives it, for the fields a ticker carries. */
  constructor(private readonly template: Readonly<Ticker>) {
    this.#close = Array.from({ length: MARKETS }, (_, m) => historyCloses(m)[HISTORY - 1]!);
  }

  /** The last price of market m (the last close until a ticker moves it). */
  last(m: number): number {
    return this.#close[m]!;
  }

  /** One ticker per market at its last close: the feed is fresh before anyone trades on it. */
  tickers(): Message[] {
    const start = LIVE_MS + this.#minute * MINUTE_MS;
    return Array.from({ length: MARKETS }, (_, m) => this.#ticker(m, this.#close[m]!, start));
  }

  /** The next `minutes` minutes of every market, in the order they would arrive. */
  minutes(minutes: number): Message[] {
    const out: Message[] = [];
    for (let k = 0; k < minutes; k++) {
      const start = LIVE_MS + this.#minute * MINUTE_MS;
      const next = this.#close.map((c) => cents(c * (1 + STEP)));
      for (let t = 1; t <= TICKERS_PER_CANDLE; t++) {
        for (let m = 0; m < MARKETS; m++) {
          const from = this.#close[m]!;
          const price = cents(from + ((next[m]! - from) * t) / (TICKERS_PER_CANDLE + 1));
          out.push(this.#ticker(m, price, start + t * 1_000));
        }
      }
      for (let m = 0; m < MARKETS; m++) {
        const open = this.#close[m]!;
        const close = next[m]!;
        const candle: OHLCV = [start, open, close, open, close, 5];
        this.#close[m] = close;
        out.push({
          subject: this.#candleSubjects[m]!,
          payload: { market: marketOf(m), candle, seq: ++this.#candleSeq[m]! },
        });
      }
      this.#minute++;
    }
    return out;
  }

  #ticker(m: number, price: number, timestamp: number): Message {
    const last = price.toFixed(2);
    const ticker: Ticker = {
      ...this.template,
      symbol: marketOf(m),
      timestamp,
      bid: (price - 0.01).toFixed(2),
      ask: (price + 0.01).toFixed(2),
      last,
    };
    return {
      subject: this.#tickerSubjects[m]!,
      payload: { market: marketOf(m), ticker, seq: ++this.#tickerSeq[m]! },
    };
  }
}
