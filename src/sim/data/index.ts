export { type CandleColumns, CandleSeries } from "./candle-series.js";
export { type CandlesCsvOptions, loadCandles, parseCandlesCsv } from "./candles-csv.js";
export { type GbmOptions, generateCandles, MS_PER_YEAR } from "./gbm.js";
export { candlePublishedAt, PATH_POINTS, pathOffsetMs, pathPrice } from "./price-path.js";
export {
  loadTrades,
  parseTradesCsv,
  TAKER_BUY,
  TAKER_SELL,
  type TradeColumns,
  TradeSeries,
  type TradesCsvOptions,
  tradesToCandles,
} from "./trades-csv.js";
