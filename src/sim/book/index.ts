/** The simulator's matching core: a price-time order book in ticks and lots, and a stop book. */
export { OrderBook } from "./order-book.js";
export { StopBook } from "./stop-book.js";
export {
  AddResult,
  type BookListener,
  BUY,
  type CrossingVisitor,
  NO_STP_OWNER,
  type OrderBookOptions,
  type RestingOrder,
  SELL,
  type Side,
  STP_MODES,
  type StpMode,
  type TimeInForce,
} from "./types.js";
