/** The strategy layer's public names: the Strategy API, parameters, built-ins and their registry. */

export { bollingerBreakout } from "./builtins/bollinger-breakout.js";
export { donchianBreakout } from "./builtins/donchian-breakout.js";
export { emaCross } from "./builtins/ema-cross.js";
export { macd } from "./builtins/macd.js";
export { rsiReversion } from "./builtins/rsi-reversion.js";
export { smaCross } from "./builtins/sma-cross.js";
export { smaLongShort } from "./builtins/sma-long-short.js";
export {
  DEFAULT_MAX_COMBINATIONS,
  type GridOptions,
  gridOf,
  parseParamList,
  randomOf,
  resolveParams,
  type SearchOptions,
  schemaProblem,
  valuesOf,
} from "./params.js";
export {
  BUILTIN_STRATEGIES,
  getStrategy,
  loadStrategy,
  strategyNames,
  strategyProblem,
} from "./registry.js";
export {
  type CandleArrays,
  defineStrategy,
  type ParamSchema,
  type ParamSpec,
  type ParamValue,
  type ParamValues,
  type Signal,
  type Strategy,
  type StrategyContext,
  type StrategyInstance,
} from "./strategy.js";
