/** The derivatives model's pure core: instruments, margin, liquidation, mark price, funding. */
export {
  type BracketSpec,
  bracketFor,
  type LeverageBracket,
  parseBrackets,
} from "./brackets.js";
export {
  averagePremium,
  capFromMaintenance,
  type FundingRule,
  type FundingSettlement,
  type FundingTransfer,
  fundingRate,
  impactMarginNotional,
  impactPrice,
  PremiumAverage,
  premiumIndex,
  settleFunding,
} from "./funding.js";
export {
  type ContractKind,
  type DerivativeMarket,
  type DerivativeSpec,
  deliverySymbol,
  formatMoney,
  formatPrice,
  moneyUnits,
  notional,
  parseDerivativeMarket,
  priceUnits,
  qtyUnits,
} from "./instrument.js";
export {
  bankruptcyPrice,
  type ExactPrice,
  type Liquidation,
  type LiquidationInput,
  liquidationPrice,
  roundToTick,
} from "./liquidation-price.js";
export {
  crossMargin,
  initialMargin,
  isolatedMargin,
  type MarginState,
  maintenanceAt,
  maintenanceMargin,
  marginRatio,
  openPosition,
  type Position,
  positionNotional,
  sideOf,
  unrealizedPnl,
} from "./margin.js";
export {
  type BasisSample,
  FundingCarry,
  fundingAdjustedIndex,
  type IndexSource,
  type MarkInputs,
  markPrice,
  priceIndex,
  RollingBasis,
} from "./mark-price.js";
export { formatRate, parseRate, RATE_ONE, RATE_SCALE } from "./rate.js";
export {
  type Delivery,
  deliver,
  SETTLEMENT_WINDOW_SAMPLES,
  settlementPrice,
} from "./settlement.js";
