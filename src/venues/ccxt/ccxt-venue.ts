/**
 * CcxtVenue: the Venue interface over any exchange ccxt supports, one account per instance.
 *
 * Why it is built this way:
 * - ccxt is imported lazily, inside `CcxtVenue.open`: it costs about a second and 120 MB, and
 *   `crypy --version`, `crypy sim` and backtests never need it (a test proves they never load
 *   it). This file imports ccxt's types only.
 * - One ccxt client serves REST and streams: ccxt pro's class for the exchange extends the REST
 *   class, so fetch/create/cancel go over REST and `watch*` over WebSocket with one set of
 *   markets and one rate limiter. `enableRateLimit` is always on.
 * - Numbers stay exact: `client.number = String` (decimal.ts says why and what is left).
 *   Outgoing amounts and prices must already be on the market's grid: crypy never rounds them.
 * - Every ccxt call goes through `call`, which turns any failure into crypy's error tree with
 *   secrets scrubbed (errors.ts); after `close`, a call or a pending watch fails with ClosedError.
 * - Client order ids are checked against the venue's rule and sent in a venue-legal form
 *   (client-order-id.ts); what comes back carries the caller's id again.
 */
import type { Balances } from "../../domain/balance.js";
import type {
  FundingRate,
  FundingRateHistory,
  MarginMode,
  Position,
} from "../../domain/derivatives.js";
import {
  ClosedError,
  InvalidInputError,
  InvalidOrderError,
  NotSupportedError,
  OrderNotFoundError,
  UnknownMarketError,
} from "../../domain/errors.js";
import type { Fill } from "../../domain/fill.js";
import type { BalancesAt, LedgerEntry } from "../../domain/ledger-entry.js";
import type { OHLCV, OrderBook, PublicTrade, Ticker } from "../../domain/market-data.js";
import type { Order, OrderType, Side } from "../../domain/order.js";
import { parseTimeframe } from "../../domain/timeframe.js";
import type { RequestBudget, WeightLimit } from "../budget/index.js";
import {
  type CreateOrderParams,
  type FetchOrderParams,
  type Market,
  type Num,
  notSupported,
  numToString,
  type Venue,
  type VenueFeature,
  type VenueHas,
} from "../venue.js";
import { clientIdLookup, venueClientOrderId } from "./client-order-id.js";
import {
  isPartialBalance,
  type Raw,
  toBalances,
  toFill,
  toMarket,
  toOHLCV,
  toOrder,
  toOrderBook,
  toPublicTrade,
  toTicker,
} from "./convert.js";
import { resolveCredentials } from "./credentials.js";
import { onStep } from "./decimal.js";
import { CcxtDerivatives } from "./derivatives-calls.js";
import { useMarketTypeErrors, venueCallError } from "./errors.js";
import { hasFromCcxt } from "./has.js";
import { fromLedgerEntry, fromTransaction } from "./ledger.js";
import { type CcxtVenueOptions, checkOptions, type VenueMode } from "./options.js";

type Call<R = Raw> = (...args: unknown[]) => Promise<R>;

/** The part of a ccxt Exchange that CcxtVenue uses, with its results read as untrusted data. */
interface CcxtClient {
  has: Record<string, unknown>;
  enableRateLimit: boolean;
  rateLimit: number;
  features?: { spot?: { fetchOHLCV?: { limit?: number } } };
  tokenBucket: { algorithm?: string; windowSize?: number; maxWeight?: number };
  throttle(cost?: unknown): Promise<unknown>;
  /** ccxt's endpoint table: api → method → path → its config (cost, byLimit, …). */
  api?: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  calculateRateLimiterCost(
    api: string,
    method: string,
    path: string,
    params: Record<string, unknown>,
    config: Record<string, unknown>,
  ): number;
  urls: Record<string, unknown>;
  markets?: Record<string, Raw>;
  precisionMode: number;
  number: unknown;
  setSandboxMode(enabled: boolean): void;
  deepExtend(...objects: unknown[]): Record<string, unknown>;
  close?(): Promise<void>;
  loadHttpProxyAgent?(): Promise<unknown>;
  loadMarkets: Call<Record<string, Raw>>;
  fetchTicker: Call;
  fetchOrderBook: Call;
  fetchOHLCV: Call<unknown[]>;
  fetchTrades: Call<Raw[]>;
  fetchBalance: Call;
  createOrder: Call;
  editOrder: Call;
  cancelOrder: Call;
  cancelAllOrders: Call<Raw[]>;
  fetchOrder: Call;
  fetchOpenOrders: Call<Raw[]>;
  fetchClosedOrders: Call<Raw[]>;
  fetchMyTrades: Call<Raw[]>;
  fetchLedger: Call<Raw[]>;
  fetchDeposits: Call<Raw[]>;
  fetchWithdrawals: Call<Raw[]>;
  watchTicker: Call;
  watchTrades: Call<Raw[]>;
  watchOrderBook: Call;
  watchOHLCV: Call<unknown[]>;
  watchOrders: Call<Raw[]>;
  watchBalance: Call;
  exceptions?: Record<string, unknown>;
  /** Set when the exchange was given credentials. */
  apiKey?: string;
  fetchPositions: Call<Raw[]>;
  fetchLeverages: Call<Record<string, Raw>>;
  fetchLeverageTiers: Call<Record<string, Array<{ maxLeverage?: number }>>>;
  setLeverage: Call;
  setMarginMode: Call;
  fetchFundingRate: Call;
  fetchFundingRateHistory: Call<Raw[]>;
}

type CcxtClass = new (config: Record<string, unknown>) => CcxtClient;

/**
 * Exchanges whose limits are a budget per time window, for which ccxt states the window (its
 * `rollingWindowSize`: binance 60 s — 1,200 weight a minute at its 50 ms rateLimit —, kraken
 * 10 s, bybit 5 s, bitget 1 s): ccxt's rolling-window limiter lets a request through at once while
 * the window's budget lasts, as the exchange counts. ccxt's default leaky bucket never credits
 * idle time, so it held every request back by cost × rateLimit even after an idle minute (about
 * 10 ms on each binance order, `npm run bench -- venue`). Elsewhere the leaky bucket stays.
 */
const ROLLING_WINDOW: ReadonlySet<string> = new Set([
  "binance",
  "binanceusdm",
  "kraken",
  "bybit",
  "bitget",
]);

/** Exchanges whose cancel of all a market's orders answers with a code, not the orders. */
const ACKNOWLEDGES_CANCEL_ALL: ReadonlySet<string> = new Set(["binanceusdm", "binancecoinm"]);

export class CcxtVenue implements Venue {
  readonly has: VenueHas;
  readonly streamsFormingCandles = true;
  private closed = false;
  private markets: Record<string, Market> | undefined;
  /** Venue-legal client id → the caller's, for every id this instance sent or looked up. */
  private readonly callerIds = new Map<string, string>();

  /**
   * ccxt's rate limiter as this venue runs it: always on; `rollingWindow` (a weight budget per
   * `windowMs`) or `leakyBucket` (one request per `rateLimitMs` of cost).
   */
  get rateLimiter(): {
    enabled: boolean;
    algorithm: string;
    rateLimitMs: number;
    windowMs: number | undefined;
  } {
    const bucket = this.client.tokenBucket;
    const algorithm = bucket.algorithm ?? "leakyBucket";
    return {
      enabled: this.client.enableRateLimit,
      algorithm,
      rateLimitMs: this.client.rateLimit,
      windowMs: algorithm === "rollingWindow" ? bucket.windowSize : undefined,
    };
  }

  /**
   * The venue's request-weight limit: the one the options state, or ccxt's own — its rolling
   * window and `windowMs / rateLimit` of cost in it (binance: 1,200 a minute); where ccxt runs a
   * leaky bucket, the same rate over one second, so no burst passes what the bucket allowed.
   */
  get requestWeightLimit(): WeightLimit {
    if (this.weightLimit !== undefined) return this.weightLimit;
    const windowMs = this.rateLimiter.windowMs ?? 1_000;
    return { weight: Math.max(1, windowMs / this.client.rateLimit), windowMs };
  }

  /**
   * From now on every REST request takes its ccxt cost from `budget` instead of ccxt's own limiter,
   * so processes on one venue address spend one budget (src/venues/budget).
   */
  useBudget(budget: RequestBudget): void {
    this.client.throttle = (cost?: unknown) => budget.take(cost === undefined ? 1 : Number(cost));
  }

  /**
   * ccxt's `urls.api` as this client uses it (after crypy's URL overrides and the sandbox switch):
   * where a reader of the exchange's own raw streams (the Recorder's Binance depth feed) finds the
   * server ccxt talks to. URLs only: no credential is in them.
   */
  get apiUrls(): Readonly<Record<string, unknown>> {
    return (this.client.urls.api ?? {}) as Record<string, unknown>;
  }

  /**
   * Spends the weight of a request made outside ccxt (the Recorder's raw depth snapshots) from
   * this venue's limiter, shared budget or ccxt's own: ccxt's cost of `api`'s GET `path`.
   */
  async spend(api: string, path: string, params: Record<string, unknown> = {}): Promise<void> {
    const config = this.client.api?.[api]?.get?.[path] ?? {};
    await this.client.throttle(
      this.client.calculateRateLimiterCost(api, "GET", path, params, config),
    );
  }

  private weightLimit: WeightLimit | undefined;
  private readonly derivatives: CcxtDerivatives;

  private constructor(
    readonly id: string,
    readonly mode: VenueMode,
    private readonly client: CcxtClient,
    pro: boolean,
  ) {
    this.has = hasFromCcxt(client.has, pro);
    this.derivatives = new CcxtDerivatives(client, {
      call: (op) => this.call(op),
      market: (symbol) => this.market(symbol),
      require: (feature) => this.require(feature),
    });
  }

  /**
   * Opens a venue on `options.exchange`: loads ccxt, resolves the credentials, applies the mode,
   * `urls` and `options`. Markets load on the first call that needs them (or `loadMarkets`).
   *
   * @example
   * const venue = await CcxtVenue.open({ exchange: "binance", credentials: { env: true } });
   * const markets = await venue.loadMarkets();
   */
  static async open(input: CcxtVenueOptions): Promise<CcxtVenue> {
    const options = checkOptions(input);
    const { exchange, mode } = options;
    if (mode === "paper") {
      throw new NotSupportedError(
        `${exchange}: paper mode is PaperVenue's (live market data, crypy's own fills and balances); CcxtVenue trades only live or sandbox`,
      );
    }
    const credentials =
      options.credentials === undefined
        ? undefined
        : await resolveCredentials(exchange, options.credentials);
    const ccxt = (await import("ccxt")) as unknown as Record<string, unknown> & {
      pro: Record<string, unknown>;
    };
    if (typeof ccxt[exchange] !== "function" || !Object.hasOwn(ccxt, exchange)) {
      throw new InvalidInputError(`${exchange} is not an exchange ccxt knows (ccxt.exchanges)`);
    }
    const Pro = ccxt.pro[exchange] as CcxtClass | undefined;
    const Rest = ccxt[exchange] as CcxtClass;
    const config: Record<string, unknown> = {
      enableRateLimit: true,
      ...(ROLLING_WINDOW.has(exchange) ? { rateLimiterAlgorithm: "rollingWindow" } : {}),
    };
    // Without a symbol (the kill switch's cancel of everything) open orders cost more weight;
    // ccxt refuses such a call until told the caller knows. crypy does: it is one call per halt.
    const user = options.options ?? {};
    config.options = {
      warnOnFetchOpenOrdersWithoutSymbol: false,
      ...user,
      fetchOpenOrders: {
        warnWithoutSymbol: false,
        ...(user.fetchOpenOrders as Record<string, unknown> | undefined),
      },
    };
    if (options.timeoutMs !== undefined) config.timeout = options.timeoutMs;
    if (credentials !== undefined) {
      config.apiKey = credentials.apiKey;
      config.secret = credentials.secret;
      if (credentials.password !== undefined) config.password = credentials.password;
    }
    const client = new (Pro ?? Rest)(config);
    client.number = String;
    // ccxt reads a request's cost through `number` too: its rolling-window limiter would add the
    // costs as strings ("0" + "4" …) and, never under budget, hold every request forever.
    const throttle = client.throttle.bind(client);
    client.throttle = (cost?: unknown) => throttle(cost === undefined ? undefined : Number(cost));
    if (mode === "sandbox") {
      if (!hasSandbox(client)) {
        throw new NotSupportedError(
          `${exchange} has no sandbox: ccxt lists no testnet URLs (urls.test) and no demo trading for it`,
        );
      }
      client.setSandboxMode(true);
    }
    if (options.urls !== undefined) {
      client.urls = client.deepExtend(client.urls, options.urls);
      useMarketTypeErrors(client, exchange);
      // ccxt pro refuses a plain ws:// URL (a local `crypy venue serve`) until it has an agent.
      if (JSON.stringify(options.urls).includes('"ws://')) await client.loadHttpProxyAgent?.();
    }
    const venue = new CcxtVenue(exchange, mode, client, Pro !== undefined);
    venue.weightLimit = options.requestWeight;
    return venue;
  }

  // ---- market data ----

  async loadMarkets(reload = false): Promise<Record<string, Market>> {
    if (this.markets !== undefined && !reload) return this.markets;
    const raw = await this.call(() => this.client.loadMarkets(reload));
    const out: Record<string, Market> = {};
    for (const m of Object.values(raw)) {
      const market = toMarket(this.id, m, this.client.precisionMode);
      if (market !== undefined) out[market.symbol] = market;
    }
    await this.leverageLimits(out);
    this.markets = out;
    return out;
  }

  /**
   * A contract's leverage limit, where its market does not state one (Binance's lists it only in
   * its leverage brackets, a signed endpoint): the highest tier's, read once. Without a key, or on
   * a venue without tiers, the market states none and a Desk allows it no leverage.
   */
  private async leverageLimits(markets: Record<string, Market>): Promise<void> {
    const missing = Object.values(markets).filter(
      (m) => m.contract === true && m.limits.leverage === undefined,
    );
    if (missing.length === 0 || !this.client.has.fetchLeverageTiers || !this.client.apiKey) return;
    try {
      const tiers = await this.call(() =>
        this.client.fetchLeverageTiers(missing.map((m) => m.symbol)),
      );
      for (const m of missing) {
        const max = Math.max(0, ...(tiers[m.symbol] ?? []).map((t) => t.maxLeverage ?? 0));
        if (max >= 1) m.limits.leverage = { max };
      }
    } catch {
      // Not fatal: the markets trade without leverage until the tiers can be read.
    }
  }

  async fetchTicker(symbol: string): Promise<Ticker> {
    await this.market(symbol);
    return toTicker(await this.call(() => this.client.fetchTicker(symbol)), Date.now());
  }

  async fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
    const market = await this.market(symbol);
    const book = await this.call(() => this.client.fetchOrderBook(symbol, limit));
    return toOrderBook(book, market, Date.now());
  }

  async fetchOHLCV(
    symbol: string,
    timeframe = "1m",
    since?: number,
    limit?: number,
  ): Promise<OHLCV[]> {
    await this.market(symbol);
    const page = this.client.features?.spot?.fetchOHLCV?.limit;
    if (since !== undefined || limit === undefined || page === undefined || limit <= page) {
      const rows = await this.call(() => this.client.fetchOHLCV(symbol, timeframe, since, limit));
      return rows.map(toOHLCV);
    }
    return this.recentCandles(symbol, timeframe, limit, page);
  }

  /**
   * The latest `limit` candles where the exchange gives at most `page` a request (binance 1000,
   * bitget 200): the newest page, then older pages before it, in the exchange's own time (a
   * venue's clock need not be this machine's), until `limit` or the exchange has no older ones.
   */
  private async recentCandles(
    symbol: string,
    timeframe: string,
    limit: number,
    page: number,
  ): Promise<OHLCV[]> {
    const stepMs = parseTimeframe(timeframe);
    const fetch = async (since: number | undefined, count: number) =>
      (await this.call(() => this.client.fetchOHLCV(symbol, timeframe, since, count))).map(toOHLCV);
    let candles = await fetch(undefined, page);
    while (candles.length > 0 && candles.length < limit) {
      const first = candles[0]![0];
      const want = Math.min(page, limit - candles.length);
      const older = (await fetch(first - want * stepMs, want)).filter((c) => c[0] < first);
      if (older.length === 0) break;
      candles = [...older, ...candles];
    }
    return candles.slice(-limit);
  }

  async fetchTrades(symbol: string, since?: number, limit?: number): Promise<PublicTrade[]> {
    await this.market(symbol);
    const trades = await this.call(() => this.client.fetchTrades(symbol, since, limit));
    return trades.map(toPublicTrade);
  }

  // ---- account ----

  async fetchBalance(): Promise<Balances> {
    return toBalances(await this.call(() => this.client.fetchBalance()));
  }

  /** ccxt's balance structure carries the venue time it is as of (binance: `updateTime`). */
  async fetchBalanceAt(): Promise<BalancesAt> {
    return balancesAt(await this.call(() => this.client.fetchBalance()));
  }

  /**
   * Deposits, withdrawals and transfers since `since`: ccxt's ledger where it answers for the
   * account, else its deposit and withdrawal histories (ledger.ts says why).
   */
  async fetchLedger(code?: string, since?: number, limit?: number): Promise<LedgerEntry[]> {
    this.require("fetchLedger");
    if (this.client.has.fetchLedger === true) {
      try {
        const raw = await this.call(() => this.client.fetchLedger(code, since, limit));
        return raw.flatMap((e) => fromLedgerEntry(e) ?? []);
      } catch (err) {
        // Binance's ledger is its futures wallets': on spot the histories stand in.
        const histories =
          this.client.has.fetchDeposits === true && this.client.has.fetchWithdrawals === true;
        if (!(err instanceof NotSupportedError) || !histories) throw err;
      }
    }
    const deposits = await this.call(() => this.client.fetchDeposits(code, since, limit));
    const withdrawals = await this.call(() => this.client.fetchWithdrawals(code, since, limit));
    return [...deposits, ...withdrawals]
      .flatMap((t) => fromTransaction(t) ?? [])
      .sort((a, b) => a.timestamp - b.timestamp);
  }

  async fetchOrder(id: string, symbol?: string, params: FetchOrderParams = {}): Promise<Order> {
    if (symbol !== undefined) await this.market(symbol);
    if (params.clientOrderId === undefined) {
      return this.order(await this.call(() => this.client.fetchOrder(id, symbol)));
    }
    const venueId = this.sendable(params.clientOrderId);
    const lookup = clientIdLookup(this.id, venueId);
    if (lookup.kind === "fetchOrder") {
      return this.order(
        await this.call(() => this.client.fetchOrder(undefined, symbol, lookup.params)),
      );
    }
    for (const list of [this.client.fetchOpenOrders, this.client.fetchClosedOrders]) {
      const found = await this.call(() =>
        list.call(this.client, symbol, undefined, undefined, lookup.params),
      );
      const order = found.find((o) => o.clientOrderId === venueId);
      if (order !== undefined) return this.order(order);
    }
    throw new OrderNotFoundError(
      `${this.id}: no open or closed order with client id ${params.clientOrderId}`,
    );
  }

  async fetchOpenOrders(symbol?: string, since?: number, limit?: number): Promise<Order[]> {
    if (symbol !== undefined) await this.market(symbol);
    const orders = await this.call(() => this.client.fetchOpenOrders(symbol, since, limit));
    return orders.map((o) => this.order(o));
  }

  async fetchMyTrades(symbol?: string, since?: number, limit?: number): Promise<Fill[]> {
    if (symbol !== undefined) await this.market(symbol);
    const trades = await this.call(() => this.client.fetchMyTrades(symbol, since, limit));
    return trades.map((t) => toFill(t, this.markets?.[String(t.symbol)]?.quote ?? ""));
  }

  // ---- orders ----

  async createOrder(
    symbol: string,
    type: OrderType,
    side: Side,
    amount: Num,
    price?: Num,
    params: CreateOrderParams = {},
  ): Promise<Order> {
    this.require("createOrder");
    const market = await this.market(symbol);
    const what = `${this.id} ${symbol}`;
    const limit = type === "limit" || type === "stop_limit";
    const stop = type === "stop_market" || type === "stop_limit";
    const qty = onStep(
      numToString(amount),
      market.precision.amount,
      `${what} amount`,
      "amount step",
    );
    let limitPrice: string | undefined;
    if (limit) {
      if (price === undefined)
        throw new InvalidOrderError(`${what}: a ${type} order needs a price`);
      limitPrice = onStep(
        numToString(price),
        market.precision.price,
        `${what} price`,
        "price tick",
      );
    }
    const extra: Record<string, unknown> = {};
    if (stop) {
      const trigger = params.triggerPrice ?? params.stopPrice;
      if (trigger === undefined) {
        throw new InvalidOrderError(`${what}: a ${type} order needs a trigger price`);
      }
      extra.triggerPrice = onStep(
        numToString(trigger),
        market.precision.price,
        `${what} trigger price`,
        "price tick",
      );
    }
    if (params.clientOrderId !== undefined)
      extra.clientOrderId = this.sendable(params.clientOrderId);
    if (params.postOnly === true || params.timeInForce === "PO") extra.postOnly = true;
    else if (params.timeInForce !== undefined && limit) extra.timeInForce = params.timeInForce;
    if (params.reduceOnly === true) extra.reduceOnly = true;
    const ccxtType = limit ? "limit" : "market";
    const created = await this.call(() =>
      this.client.createOrder(symbol, ccxtType, side, qty, limitPrice, extra),
    );
    return this.order(
      acknowledged(created, {
        symbol,
        type: ccxtType,
        side,
        amount: qty,
        price: limitPrice,
        triggerPrice: extra.triggerPrice,
        clientOrderId: extra.clientOrderId,
      }),
    );
  }

  async editOrder(
    id: string,
    symbol: string,
    type: OrderType,
    side: Side,
    amount?: Num,
    price?: Num,
  ): Promise<Order> {
    this.require("editOrder");
    const market = await this.market(symbol);
    const what = `${this.id} ${symbol}`;
    const qty =
      amount === undefined
        ? undefined
        : onStep(numToString(amount), market.precision.amount, `${what} amount`, "amount step");
    const px =
      price === undefined
        ? undefined
        : onStep(numToString(price), market.precision.price, `${what} price`, "price tick");
    const ccxtType = type === "limit" || type === "stop_limit" ? "limit" : "market";
    return this.order(
      await this.call(() => this.client.editOrder(id, symbol, ccxtType, side, qty, px)),
    );
  }

  async cancelOrder(id: string, symbol?: string): Promise<Order> {
    this.require("cancelOrder");
    if (symbol !== undefined) await this.market(symbol);
    return this.order(await this.call(() => this.client.cancelOrder(id, symbol)));
  }

  /**
   * Every open order of the account, or of `symbol`. Exchanges like binance cancel all only per
   * market: without a symbol, the markets with open orders are cancelled one by one (the kill
   * switch must not depend on which exchange it is).
   */
  async cancelAllOrders(symbol?: string): Promise<Order[]> {
    this.require("cancelAllOrders");
    if (symbol === undefined) {
      const open = await this.fetchOpenOrders();
      const cancelled: Order[] = [];
      for (const market of new Set(open.map((o) => o.symbol))) {
        cancelled.push(...(await this.cancelAllOrders(market)));
      }
      return cancelled;
    }
    await this.market(symbol);
    // Binance USDⓈ-M and COIN-M acknowledge a cancel of all with a code, not the orders: what was
    // open before is read again after, in the state the cancel left it (or a fill before it).
    const before = ACKNOWLEDGES_CANCEL_ALL.has(this.id)
      ? await this.call(() => this.client.fetchOpenOrders(symbol))
      : undefined;
    try {
      const orders = await this.call(() => this.client.cancelAllOrders(symbol));
      if (before === undefined || orders.some((o) => o.id !== undefined)) {
        return orders.map((o) => this.order(o));
      }
      const after: Order[] = [];
      for (const o of before) {
        after.push(this.order(await this.call(() => this.client.fetchOrder(o.id, symbol))));
      }
      return after;
    } catch (err) {
      // Binance answers "Unknown order sent." (-2011) when nothing is open: the orders listed a
      // moment ago have filled meanwhile. Nothing to cancel is not a failure of a kill switch.
      if (err instanceof OrderNotFoundError) return [];
      throw err;
    }
  }

  // ---- derivatives (ccxt's unified methods of the same names: derivatives-calls.ts) ----

  fetchPositions(symbols?: string[]): Promise<Position[]> {
    return this.derivatives.fetchPositions(symbols);
  }

  setLeverage(leverage: number, symbol: string): Promise<{ symbol: string; leverage: number }> {
    return this.derivatives.setLeverage(leverage, symbol);
  }

  setMarginMode(
    marginMode: MarginMode,
    symbol: string,
  ): Promise<{ symbol: string; marginMode: MarginMode }> {
    return this.derivatives.setMarginMode(marginMode, symbol);
  }

  fetchFundingRate(symbol: string): Promise<FundingRate> {
    return this.derivatives.fetchFundingRate(symbol);
  }

  fetchFundingRateHistory(
    symbol: string,
    since?: number,
    limit?: number,
  ): Promise<FundingRateHistory[]> {
    return this.derivatives.fetchFundingRateHistory(symbol, since, limit);
  }

  fetchMarkOHLCV(symbol: string, timeframe = "1m", since?: number, limit?: number) {
    return this.derivatives.fetchMarkOHLCV(symbol, timeframe, since, limit);
  }

  // ---- watches (ccxt pro) ----

  async watchTicker(symbol: string): Promise<Ticker> {
    this.require("watchTicker");
    await this.market(symbol);
    return toTicker(await this.call(() => this.client.watchTicker(symbol)), Date.now());
  }

  async watchTrades(symbol: string): Promise<PublicTrade[]> {
    this.require("watchTrades");
    await this.market(symbol);
    return (await this.call(() => this.client.watchTrades(symbol))).map(toPublicTrade);
  }

  async watchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
    this.require("watchOrderBook");
    const market = await this.market(symbol);
    const book = await this.call(() => this.client.watchOrderBook(symbol, limit));
    return toOrderBook(book, market, Date.now());
  }

  async watchOHLCV(symbol: string, timeframe = "1m"): Promise<OHLCV[]> {
    this.require("watchOHLCV");
    await this.market(symbol);
    return (await this.call(() => this.client.watchOHLCV(symbol, timeframe))).map(toOHLCV);
  }

  async watchOrders(symbol?: string): Promise<Order[]> {
    this.require("watchOrders");
    if (symbol !== undefined) await this.market(symbol);
    return (await this.call(() => this.client.watchOrders(symbol))).map((o) => this.order(o));
  }

  async watchBalance(): Promise<Balances> {
    return toBalances(await this.nextBalance());
  }

  async watchBalanceAt(): Promise<BalancesAt> {
    return balancesAt(await this.nextBalance());
  }

  /**
   * The next balance update; one that states only totals (binance futures' ACCOUNT_UPDATE) is
   * read whole from REST when it comes, so free and used are the venue's, never a made-up 0.
   */
  private async nextBalance(): Promise<Raw> {
    this.require("watchBalance");
    const update = await this.call(() => this.client.watchBalance());
    if (!isPartialBalance(update)) return update;
    return this.call(() => this.client.fetchBalance());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.client.close?.();
    } catch {
      // Closing is best effort: the connections are dropped either way.
    }
  }

  // ---- plumbing ----

  /** Runs one ccxt call; any failure becomes crypy's error, scrubbed of secrets. */
  private async call<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ClosedError(`the ${this.id} connection is closed`);
    try {
      return await op();
    } catch (err) {
      if (this.closed) throw new ClosedError(`the ${this.id} connection is closed`);
      throw venueCallError(err, this.id);
    }
  }

  private require(feature: VenueFeature): void {
    if (this.has[feature] === false) notSupported(this.id, feature);
  }

  private async market(symbol: string): Promise<Market> {
    const markets = await this.loadMarkets();
    const market = markets[symbol];
    if (market === undefined) {
      throw new UnknownMarketError(`${this.id} lists no market ${JSON.stringify(symbol)}`);
    }
    return market;
  }

  /** The venue-legal form of a caller's client id, remembered so replies map back. */
  private sendable(callerId: string): string {
    const venueId = venueClientOrderId(this.id, callerId);
    this.callerIds.set(venueId, callerId);
    return venueId;
  }

  private order(raw: Raw): Order {
    return toOrder(raw, (venueId) => this.callerIds.get(venueId) ?? venueId, Date.now());
  }
}

/** A ccxt balance structure and the venue time it carries (binance: updateTime, or E on a stream). */
function balancesAt(raw: Raw): BalancesAt {
  const t = raw.timestamp;
  const timestamp = typeof t === "number" ? t : typeof t === "string" ? Number(t) : Number.NaN;
  return {
    balances: toBalances(raw),
    timestamp: Number.isFinite(timestamp) ? timestamp : undefined,
  };
}

/**
 * Whether ccxt can switch `client` to a testnet or demo: testnet URLs (urls.test), or its own
 * setSandboxMode (bitget's demo trading sends a header to the live URLs instead).
 */
function hasSandbox(client: { urls: { test?: unknown }; setSandboxMode: unknown }): boolean {
  if (client.urls.test !== undefined) return true;
  const own = Object.getPrototypeOf(client) as { setSandboxMode?: unknown };
  let base: object | null = own;
  // The base Exchange class is the last prototype before Object that defines setSandboxMode.
  let last: unknown;
  while (base !== null && base !== Object.prototype) {
    if (Object.hasOwn(base, "setSandboxMode"))
      last = (base as { setSandboxMode: unknown }).setSandboxMode;
    base = Object.getPrototypeOf(base);
  }
  return client.setSandboxMode !== last;
}

/**
 * A new order as the venue acknowledged it, with what the answer leaves out taken from what was
 * sent: Bybit and Bitget acknowledge with the order's ids only, and Kraken's AddOrder echoes no
 * client id (their documented answers), so ccxt's order has no amount or client id to read.
 */
function acknowledged(created: Raw, sent: Raw): Raw {
  const out: Raw = { ...created };
  for (const [key, value] of Object.entries(sent)) {
    if (value !== undefined && (out[key] === undefined || out[key] === null)) out[key] = value;
  }
  return out;
}
