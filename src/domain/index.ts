/** The public names of src/domain, listed by hand so internals stay internal. */

export type { BalanceEntry, Balances } from "./balance.js";
export type { ErrorDetails, WireError } from "./errors.js";
export {
  AuthenticationError,
  asCrypyError,
  BadPayloadError,
  ClosedError,
  CrypyError,
  errorFromWire,
  errorToWire,
  formatError,
  InsufficientFundsError,
  InternalError,
  InvalidInputError,
  InvalidOrderError,
  JournalFailedError,
  MandateDeniedError,
  NetworkError,
  NoRespondersError,
  NotSupportedError,
  OrderNotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  RejectedError,
  RiskDeniedError,
  TimeoutError,
  TransientError,
  UnknownMarketError,
} from "./errors.js";
export type { Fill, TakerOrMaker } from "./fill.js";
export type { Increment, Rounding } from "./fixed.js";
export {
  formatDecimal,
  fromSteps,
  mulDiv,
  parseDecimal,
  parseIncrement,
  rescale,
  roundToStep,
  toSteps,
} from "./fixed.js";
export {
  type BalancesAt,
  LEDGER_KINDS,
  type LedgerEntry,
  type LedgerKind,
} from "./ledger-entry.js";
export type { MarketId, MarketKind } from "./market.js";
export { marketFromToken, marketToken, parseMarket } from "./market.js";
export type { BookLevel, Candle, OHLCV, OrderBook, PublicTrade, Ticker } from "./market-data.js";
export { candleFromOHLCV, candleToOHLCV } from "./market-data.js";
export type {
  Fee,
  Order,
  OrderRequest,
  OrderStatus,
  OrderType,
  Side,
  TimeInForce,
} from "./order.js";
export {
  isOrderStatus,
  isOrderType,
  isSide,
  isTimeInForce,
  ORDER_STATUSES,
  ORDER_TYPES,
  oppositeSide,
  SIDES,
  TIMES_IN_FORCE,
} from "./order.js";
export type { MarginMode, Position, PositionSide } from "./position.js";
