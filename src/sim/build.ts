/**
 * Building a simulator from a loaded venue config: feeds for each market's data source, the
 * instruments, the ledger with the accounts' and market makers' initial balances, the exchange.
 */
import { InternalError } from "../domain/errors.js";
import { childLogger, type Logger } from "../log/logger.js";
import type { Clock } from "../time/clock.js";
import type { VenueConfig } from "./config/types.js";
import {
  CandleSeries,
  generateCandles,
  loadCandles,
  loadTrades,
  tradesToCandles,
} from "./data/index.js";
import { Exchange } from "./exchange.js";
import { CandleFeed, type MarketFeed, TradeFeed } from "./feed.js";
import { Instrument } from "./instrument.js";
import { INSURANCE_FUND_ACCOUNT, Ledger, MARKET_MAKER_ACCOUNT } from "./ledger.js";
import { LiquidityModel } from "./liquidity.js";
import { Random } from "./random.js";
import { hasRecordedBook, loadRecorded } from "./recorded.js";
import { RecordedBookLiquidity } from "./recorded-book.js";
import type { MarketSetup } from "./sim-market.js";
import { type SimListener, Simulator } from "./simulator.js";

/** Synthetic data generated per market when the caller does not say how much: 30 days. */
export const DEFAULT_SYNTHETIC_MS = 30 * 86_400_000;

export interface FeedOptions {
  /** How much synthetic (gbm) data to generate per market, from the config's start. */
  syntheticMs?: number;
}

/** One feed per market, from its data source (files are read here). */
export async function loadFeeds(
  config: VenueConfig,
  options: FeedOptions = {},
): Promise<Map<string, MarketFeed>> {
  const random = new Random(config.seed);
  const feeds = new Map<string, MarketFeed>();
  const ordered = Object.entries(config.markets);
  for (const [symbol, market] of ordered) {
    if (market.contract?.samePathAsIndex === true) continue; // after its index, below
    const data = market.data;
    if (data.source === "gbm") {
      const count = Math.ceil((options.syntheticMs ?? DEFAULT_SYNTHETIC_MS) / data.timeframeMs);
      const series = generateCandles({
        seed: random.fork(`data:${symbol}`).seed,
        startMs: config.startMs,
        intervalMs: data.timeframeMs,
        count,
        startPrice: Number(data.startPrice),
        drift: data.drift,
        volatility: data.volatility,
        ...(data.jumps === undefined ? {} : { jumps: data.jumps }),
        ...(data.regimes === undefined
          ? {}
          : { regimes: { ...data.regimes, volMultipliers: [...data.regimes.volMultipliers] } }),
        ...(data.volume === undefined ? {} : { volume: data.volume }),
      });
      feeds.set(symbol, new CandleFeed(onTickGrid(series, market.tickSize)));
    } else if (data.source === "candles") {
      const series = await loadCandles(
        data.path,
        data.timeframeMs === undefined ? {} : { intervalMs: data.timeframeMs },
      );
      feeds.set(symbol, new CandleFeed(series));
    } else if (data.source === "recorded") {
      feeds.set(symbol, await loadRecorded(data, symbol));
    } else {
      const trades = await loadTrades(data.path);
      feeds.set(symbol, new TradeFeed(trades, tradesToCandles(trades, 60_000)));
    }
  }
  // A contract without data of its own replays its index market's candles: the same path.
  const withIndexPath = new Map<string, MarketFeed>();
  for (const [symbol, market] of ordered) {
    if (market.contract?.samePathAsIndex !== true) continue;
    const index = feeds.get(market.contract.index);
    if (index === undefined) throw new InternalError(`no feed for ${market.contract.index}`);
    withIndexPath.set(symbol, new CandleFeed(index.candles));
  }
  // In venue-file order: the simulator breaks time ties by it.
  return new Map(
    ordered.map(([symbol]) => [symbol, feeds.get(symbol) ?? withIndexPath.get(symbol)!]),
  );
}

/**
 * Synthetic prices moved onto the market's tick grid, as a real venue's prices are (rounding is
 * monotonic, so each candle's high and low stay its extremes).
 */
export function onTickGrid(series: CandleSeries, tickSize: string): CandleSeries {
  const tick = Number(tickSize);
  const decimals = (tickSize.split(".")[1] ?? "").length;
  const round = (column: Float64Array) =>
    column.map((p) => Math.max(tick, Number((Math.round(p / tick) * tick).toFixed(decimals))));
  return new CandleSeries(
    {
      time: series.time,
      open: round(series.open),
      high: round(series.high),
      low: round(series.low),
      close: round(series.close),
      volume: series.volume,
    },
    series.intervalMs,
  );
}

/** When the first market event happens: where a clock for this simulation starts. */
export function firstEventTime(feeds: ReadonlyMap<string, MarketFeed>): number {
  let t = Number.POSITIVE_INFINITY;
  for (const feed of feeds.values()) t = Math.min(t, feed.nextTime());
  return t;
}

export interface BuildOptions {
  clock: Clock;
  /** Receives every candle, order, fill, balance and trade event (a journal, a determinism hash). */
  eventLog?: SimListener;
  logger?: Logger;
}

export function buildSimulator(
  config: VenueConfig,
  feeds: ReadonlyMap<string, MarketFeed>,
  options: BuildOptions,
): Simulator {
  const decimals = new Map(Object.entries(config.assets).map(([a, c]) => [a, c.decimals]));
  const ledger = new Ledger(decimals);
  for (const [account, holdings] of Object.entries(config.accounts)) {
    ledger.open(account);
    for (const [asset, amount] of Object.entries(holdings))
      ledger.deposit(account, asset, amount.units);
  }
  for (const [asset, amount] of Object.entries(config.liquidity.inventory)) {
    ledger.deposit(MARKET_MAKER_ACCOUNT, asset, amount.units);
  }
  for (const [asset, amount] of Object.entries(config.derivatives.insuranceFund)) {
    ledger.deposit(INSURANCE_FUND_ACCOUNT, asset, amount.units);
  }
  const setups: MarketSetup[] = Object.values(config.markets).map((m) => {
    const feed = feeds.get(m.symbol);
    if (feed === undefined) throw new InternalError(`no feed for ${m.symbol}`);
    const instrument = new Instrument({
      symbol: m.symbol,
      base: m.base,
      quote: m.quote,
      baseDecimals: config.assets[m.base]!.decimals,
      quoteDecimals: config.assets[m.quote]!.decimals,
      tickSize: m.tickSize,
      lotSize: m.lotSize,
      minQty: m.minQty,
      maxQty: m.maxQty,
      minNotional: m.minNotional,
      makerFee: m.fees.maker,
      takerFee: m.fees.taker,
      ...(m.contract === undefined
        ? {}
        : { contractSize: m.contract.contractSize, contract: m.contract.spec }),
    });
    return {
      instrument,
      feed,
      liquidity: hasRecordedBook(feed)
        ? new RecordedBookLiquidity(instrument, feed.recordedBook)
        : new LiquidityModel(m.liquidity, instrument),
      fillRule: m.liquidity.fillRule,
      queuePosition: m.liquidity.queuePosition,
      ...(m.contract === undefined ? {} : { terms: m.contract }),
    };
  });
  const exchange = new Exchange(
    setups,
    ledger,
    {
      venue: config.name,
      orderTypes: new Set(config.orderTypes),
      timeInForce: new Set(config.timeInForce),
      stp: config.selfTradePrevention,
    },
    options.clock,
    { leverage: config.derivatives.leverage, mode: config.derivatives.marginMode },
  );
  const log = options.logger ?? childLogger("sim", { venue: config.name });
  return new Simulator(config.name, exchange, options.clock, log, options.eventLog);
}
