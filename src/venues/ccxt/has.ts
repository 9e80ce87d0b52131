/**
 * crypy's `has` from ccxt's own: the same three answers (true, "emulated", false), read feature
 * by feature so a venue never claims what ccxt does not do for it. ccxt leaves many features
 * undefined (unknown); crypy calls those false, because calling one would fail at run time.
 * `watch*` comes from ccxt pro's class, and is false when ccxt has no pro class for the exchange.
 * `fetchLedger` is "emulated" where deposit and withdrawal histories stand in for it (ledger.ts).
 * The derivatives features are ccxt's own names, so they read the same way (CcxtVenue maps each
 * onto the ccxt method of that name; mark candles are ccxt's fetchMarkOHLCV).
 */

import { type FeatureSupport, VENUE_FEATURES, type VenueFeature, type VenueHas } from "../venue.js";
import { ledgerSupport } from "./ledger.js";

/**
 * @example
 * hasFromCcxt({ fetchTicker: true, fetchOHLCV: "emulated", watchTicker: undefined }, true)
 * // { loadMarkets: true, fetchTicker: true, fetchOHLCV: "emulated", watchTicker: false, … }
 */
export function hasFromCcxt(ccxtHas: Readonly<Record<string, unknown>>, pro: boolean): VenueHas {
  const out = {} as Record<VenueFeature, FeatureSupport>;
  for (const feature of VENUE_FEATURES) {
    if (feature === "fetchLedger") {
      out[feature] = ledgerSupport(ccxtHas);
      continue;
    }
    const value = feature === "loadMarkets" ? true : ccxtHas[feature];
    const support: FeatureSupport =
      value === true ? true : value === "emulated" ? "emulated" : false;
    out[feature] = feature.startsWith("watch") && !pro ? false : support;
  }
  return Object.freeze(out);
}
