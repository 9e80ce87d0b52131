/**
 * Building a paper venue: the data venue's markets become the simulator's instruments (tick, lot,
 * min/max quantity, min notional, maker/taker fees from `loadMarkets()`), each with a BookLiquidity
 * and a LiveFeed; the ledger holds the paper account's starting balances and the live market's
 * side of every trade.
 *
 * Money: the live market is one ledger account (MARKET_MAKER_ACCOUNT) given a practically unbounded
 * inventory (MARKET_DEPTH of each asset) at setup, so every paper fill is still a two-sided
 * transfer and each asset's total over all accounts stays constant. Asset decimals: at least 8, and
 * as many as every market's tick × lot, and the starting balances, need to be exact.
 */
import { InvalidInputError, NotSupportedError } from "../../domain/errors.js";
import { parseDecimal, parseIncrement } from "../../domain/fixed.js";
import { ORDER_TYPES, TIMES_IN_FORCE } from "../../domain/order.js";
import { childLogger, type Logger } from "../../log/logger.js";
import { BookLiquidity } from "../../sim/book-liquidity.js";
import { Exchange } from "../../sim/exchange.js";
import { Instrument } from "../../sim/instrument.js";
import { Ledger, MARKET_MAKER_ACCOUNT } from "../../sim/ledger.js";
import { LiveFeed } from "../../sim/live-feed.js";
import type { SavedExchange } from "../../sim/saved-state.js";
import type { MarketSetup } from "../../sim/sim-market.js";
import { Simulator } from "../../sim/simulator.js";
import type { Clock } from "../../time/clock.js";
import type { Market, Venue, VenueFeature } from "../venue.js";
import { LiveMarket } from "./live-market.js";
import { PAPER_ACCOUNT, PaperVenue } from "./paper-venue.js";

/** The live market's inventory of each asset, in whole units: deep enough never to run out. */
export const MARKET_DEPTH = 10n ** 15n;
const MIN_DECIMALS = 8;
/** What a data venue must support for the fill model (book and tape). */
const NEEDED: readonly VenueFeature[] = [
  "loadMarkets",
  "fetchOrderBook",
  "watchOrderBook",
  "watchTrades",
];

export interface PaperVenueOptions {
  /** Market data: any Venue's market-data half (a CcxtVenue not trading, a SimVenue, …). */
  data: Venue;
  /** Starting balances of the paper account, decimal strings per asset. */
  balances: Readonly<Record<string, string>>;
  /** Stamps orders and fills, and times retries (the data venue's clock in a simulation). */
  clock: Clock;
  /** The markets to paper-trade; default every market the data venue lists. */
  symbols?: readonly string[];
  /** Book levels per side asked of the data venue; default 20. */
  depth?: number;
  /** Wait after a failed market-data watch before watching again; default 1000 ms. */
  retryMs?: number;
  /** Close the data venue when the paper venue closes; default true. */
  closeData?: boolean;
  /** Venue id; default `<data id>-paper`. */
  id?: string;
  /**
   * The paper account as an earlier run saved it (PaperVenue.save): it replaces `balances`, and
   * its open orders rest again, in their places in the queue.
   */
  resume?: SavedExchange;
  logger?: Logger;
}

/**
 * @example
 * const paper = await createPaperVenue({ data: ccxtVenue, balances: { USDT: "10000" }, clock });
 * await paper.createOrder("BTC/USDT", "market", "buy", "0.01"); // walks the live book
 */
export async function createPaperVenue(options: PaperVenueOptions): Promise<PaperVenue> {
  const { data, clock } = options;
  const id = options.id ?? `${data.id}-paper`;
  const missing = NEEDED.filter((f) => data.has[f] === false);
  if (missing.length > 0) {
    throw new NotSupportedError(
      `paper trading needs a data venue with ${NEEDED.join(", ")}; ${data.id} lacks ${missing.join(", ")}`,
    );
  }
  const all = await data.loadMarkets();
  const symbols = options.symbols ?? Object.keys(all);
  const markets = symbols.map((symbol) => {
    const market = all[symbol];
    if (market === undefined) {
      throw new InvalidInputError(`${data.id} has no market ${symbol} to paper-trade`);
    }
    return market;
  });
  const decimals = assetDecimals(markets, options.balances);
  const ledger = new Ledger(decimals);
  ledger.open(PAPER_ACCOUNT);
  for (const [asset, amount] of Object.entries(options.balances)) {
    ledger.deposit(PAPER_ACCOUNT, asset, parseAmount(asset, amount, decimals.get(asset)!));
  }
  for (const [asset, places] of decimals) {
    ledger.deposit(MARKET_MAKER_ACCOUNT, asset, MARKET_DEPTH * 10n ** BigInt(places));
  }
  const liquidity = new Map<string, BookLiquidity>();
  const feeds = new Map<string, LiveFeed>();
  const setups: MarketSetup[] = markets.map((market) => {
    const instrument = instrumentOf(market, decimals);
    const book = new BookLiquidity(instrument);
    const feed = new LiveFeed();
    liquidity.set(market.symbol, book);
    feeds.set(market.symbol, feed);
    return { instrument, feed, liquidity: book, fillRule: "touch", queuePosition: true };
  });
  const exchange = new Exchange(
    setups,
    ledger,
    {
      venue: id,
      orderTypes: new Set(ORDER_TYPES),
      timeInForce: new Set(TIMES_IN_FORCE),
      stp: "expire_maker",
    },
    clock,
  );
  const log = options.logger ?? childLogger("paper", { venue: id });
  const sim = new Simulator(id, exchange, clock, log);
  const inputs = {
    data,
    sim,
    clock,
    depth: options.depth ?? 20,
    retryMs: options.retryMs ?? 1_000,
    log,
  };
  const live = new Map(
    markets.map((m) => [
      m.symbol,
      new LiveMarket(m.symbol, liquidity.get(m.symbol)!, feeds.get(m.symbol)!, inputs),
    ]),
  );
  const paper = new PaperVenue(id, data, sim, live, options.closeData ?? true);
  // After the venue measured the live market's setup inventory: its net stays counted from there.
  if (options.resume !== undefined) paper.load(options.resume);
  return paper;
}

function instrumentOf(market: Market, decimals: ReadonlyMap<string, number>): Instrument {
  return new Instrument({
    symbol: market.symbol,
    base: market.base,
    quote: market.quote,
    baseDecimals: decimals.get(market.base)!,
    quoteDecimals: decimals.get(market.quote)!,
    tickSize: market.precision.price,
    lotSize: market.precision.amount,
    minQty: market.limits.amount.min,
    maxQty: market.limits.amount.max,
    minNotional: market.limits.cost.min,
    makerFee: market.maker,
    takerFee: market.taker,
  });
}

function assetDecimals(
  markets: readonly Market[],
  balances: Readonly<Record<string, string>>,
): Map<string, number> {
  const out = new Map<string, number>();
  const need = (asset: string, places: number) =>
    out.set(asset, Math.max(out.get(asset) ?? MIN_DECIMALS, places));
  for (const m of markets) {
    const tick = parseIncrement(m.precision.price).scale;
    const lot = parseIncrement(m.precision.amount).scale;
    need(m.base, lot);
    need(m.quote, tick + lot);
  }
  for (const [asset, amount] of Object.entries(balances)) {
    need(asset, (amount.split(".")[1] ?? "").length);
  }
  return out;
}

function parseAmount(asset: string, amount: string, places: number): bigint {
  const units = parseDecimal(amount, places);
  if (units < 0n) {
    throw new InvalidInputError(`starting balance of ${asset} is negative: ${amount}`);
  }
  return units;
}
