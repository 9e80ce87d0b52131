/** The standalone HTML backtest report and its parts. */
export { escapeHtml } from "./escape.js";
export { type PriceSeries, renderReport } from "./html.js";
export {
  downsampleMinMax,
  MAX_CHART_POINTS,
  type Marker,
  niceTicks,
  type Series,
  type SvgChartOptions,
  svgLineChart,
  tickDecimals,
} from "./svg-chart.js";
export { MAX_TRADE_ROWS, metricsTable, runTable, tradesTable } from "./tables.js";
