/**
 * Venues: the interface every exchange implements, the simulated one, real exchanges through ccxt
 * (loaded only when a CcxtVenue opens), and paper trading.
 */
export { CcxtVenue } from "./ccxt/ccxt-venue.js";
export { clientOrderIdRules, venueClientOrderId } from "./ccxt/client-order-id.js";
export { Credentials, type CredentialsSource, resolveCredentials } from "./ccxt/credentials.js";
export { type CcxtVenueOptions, VENUE_MODES, type VenueMode } from "./ccxt/options.js";
export { venueRules } from "./ccxt/venue-rules.js";
export { createPaperVenue, MARKET_DEPTH, type PaperVenueOptions } from "./paper/create.js";
export { PAPER_ACCOUNT, type PaperLedger, PaperVenue } from "./paper/paper-venue.js";
export { SimGate } from "./sim/gate.js";
export { SimVenue } from "./sim/sim-venue.js";
export { createSimulation, Simulation, type SimulationOptions } from "./sim/simulation.js";
export {
  type CreateOrderParams,
  type FeatureSupport,
  type FetchOrderParams,
  type Market,
  NOTHING_SUPPORTED,
  type Num,
  notSupported,
  numToString,
  VENUE_FEATURES,
  type Venue,
  type VenueFeature,
  type VenueHas,
} from "./venue.js";
