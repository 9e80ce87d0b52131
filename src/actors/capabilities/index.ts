/** Capabilities flowing down the actors: Desk (venue) → Holder (template) → Trader. */

export { type Dropped, enabledCandidates } from "./enable.js";
export {
  type CapabilitySwitches,
  deskCapabilities,
  kindOf,
  ROUTED_ORDER_TYPES,
  type VenueRules,
} from "./from-venue.js";
export { holderCapabilities } from "./narrow.js";
export { lacking, needsSomething, readNeeds } from "./needs.js";
export { type StopMechanism, stopMechanism } from "./stop.js";
export {
  type Capabilities,
  DEFAULT_MAY,
  type HolderMay,
  MARKET_KINDS,
  type MarketKind,
  type Needs,
  type Switchable,
} from "./types.js";
