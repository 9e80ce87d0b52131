export { type CandleColumns, CandleSeries } from "../../store/candle-series.js";
export {
  type CandlesCsvOptions,
  loadCandles,
  parseCandlesCsv,
} from "../../store/csv/candles-csv.js";
export {
  loadTrades,
  parseTradesCsv,
  TAKER_BUY,
  TAKER_SELL,
  type TradeColumns,
  TradeSeries,
  type TradesCsvOptions,
  tradesToCandles,
} from "../../store/csv/trades-csv.js";
export { type GbmOptions, generateCandles, MS_PER_YEAR } from "./gbm.js";
export { candlePublishedAt, PATH_POINTS, pathOffsetMs, pathPrice } from "./price-path.js";
