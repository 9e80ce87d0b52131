/** Templates: the three actor kinds' human-edited YAML, loaded strictly and learned into. */

export { type Candidate, type OrderOptions, orderCandidates } from "./candidates.js";
export {
  MAX_OUTCOMES_PER_PAIR,
  markFailedStrategy,
  markLosingAsset,
  recordTraderOutcome,
} from "./learning.js";
export {
  holderPairs,
  loadDeskTemplate,
  loadHolderTemplate,
  loadTraderTemplate,
  type ParseTemplateOptions,
  parseDeskTemplate,
  parseHolderTemplate,
  parseTraderTemplate,
} from "./load.js";
export { EXCHANGE_MODES, type ExchangeMode, TEMPLATE_DEFAULTS } from "./schema.js";
export type {
  DeskRisk,
  DeskTemplate,
  ExchangeSettings,
  FailedStrategy,
  HolderTemplate,
  LosingAsset,
  ParamBound,
  TraderOutcome,
  TraderStrategy,
  TraderTemplate,
} from "./types.js";
