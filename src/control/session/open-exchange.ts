/**
 * The venue of a Desk on a real exchange (`crypy binance`, …), as its desk template and the
 * command line choose it:
 *
 * - `paper`: the exchange's live market data (public: no keys needed), fills from crypy's matching
 *   engine against that live book, balances crypy keeps (`exchange.paperBalances` at first, then
 *   as the Desk's journal last saved them).
 * - `sandbox`: the exchange's testnet or demo, with the account's keys.
 * - `live`: real money. Only when the template says `mode: live` AND the command line says
 *   `--mode live`: one alone is refused with what to do.
 *
 * Keys come from the file the template names (0600) or the environment, never from the template.
 * It also derives the venue's rules (src/venues/ccxt/venue-rules.ts) for the Desk and the Traders.
 */
import type { DeskTemplate, ExchangeMode, ExchangeSettings } from "../../actors/templates/index.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { SavedExchange } from "../../sim/saved-state.js";
import type { Clock } from "../../time/clock.js";
import { budgetKey, WeightWindow, WindowBudget } from "../../venues/budget/index.js";
import type { CcxtVenue as CcxtVenueType } from "../../venues/ccxt/ccxt-venue.js";
import type { Venue } from "../../venues/venue.js";

export interface OpenedExchange {
  venue: Venue;
  /** Paper mode: the paper account's state, for the Desk's journal (venue-state.ts). */
  saveState?: (keep: ReadonlySet<string>) => SavedExchange;
  rules: VenueConfig;
  mode: ExchangeMode;
  /** What the session shows the user: the exchange and how it trades. */
  banner: string;
  /** The venue address's request-weight budget, which the session serves to a Recorder. */
  budget: { key: string; window: WeightWindow };
}

const WHAT_MODE_MEANS: Record<ExchangeMode, string> = {
  paper: "live market data, fills simulated by crypy against the live book, balances kept by crypy",
  sandbox: "the exchange's testnet: no real money",
  live: "REAL MONEY",
};

/** The mode a session runs in: the command line's choice, within what the template allows. */
export function sessionMode(
  template: DeskTemplate,
  exchange: ExchangeSettings,
  requested: ExchangeMode | undefined,
): ExchangeMode {
  const mode = requested ?? exchange.mode;
  if (mode !== "live") return mode;
  if (exchange.mode !== "live") {
    throw new InvalidInputError(
      `--mode live: ${template.file} sets exchange.mode ${exchange.mode}; trading real money needs mode: live there too`,
    );
  }
  if (requested !== "live") {
    throw new InvalidInputError(
      `${template.file} trades real money (exchange.mode live): start it with --mode live to confirm, or --mode paper to try it first`,
    );
  }
  return mode;
}

export async function openExchange(
  template: DeskTemplate,
  exchange: ExchangeSettings,
  options: {
    account: string;
    mode: ExchangeMode;
    clock: Clock;
    /** Paper mode: the paper account as the journal last saved it. */
    resume?: SavedExchange | undefined;
  },
): Promise<OpenedExchange> {
  const { CcxtVenue } = await import("../../venues/ccxt/ccxt-venue.js");
  const { venueRules } = await import("../../venues/ccxt/venue-rules.js");
  const { mode, clock } = options;
  const common = {
    exchange: exchange.id,
    ...(exchange.urls === undefined ? {} : { urls: { ...exchange.urls } }),
    ...(exchange.options === undefined ? {} : { options: { ...exchange.options } }),
    ...(exchange.requestWeight === undefined ? {} : { requestWeight: exchange.requestWeight }),
  };
  // One budget for every request this session makes to the venue (paper mode's market data too),
  // kept here and served on the bus so a Recorder on the same address spends it as well.
  let budget: OpenedExchange["budget"] | undefined;
  const spend = (ccxtVenue: CcxtVenueType) => {
    budget = {
      key: budgetKey(exchange.id, exchange.urls),
      window: new WeightWindow(ccxtVenue.requestWeightLimit),
    };
    ccxtVenue.useBudget(new WindowBudget(budget.window, clock));
  };
  let venue: Venue;
  let saveState: OpenedExchange["saveState"];
  if (mode === "paper") {
    const { createPaperVenue } = await import("../../venues/paper/create.js");
    // Market data is public: paper trading needs no keys.
    const data = await CcxtVenue.open({ ...common, mode: "live" });
    spend(data);
    try {
      const paper = await createPaperVenue({
        data,
        balances: exchange.paperBalances,
        clock,
        symbols: template.watch,
        ...(options.resume === undefined ? {} : { resume: options.resume }),
      });
      venue = paper;
      saveState = (keep) => paper.save(keep);
    } catch (err) {
      await data.close();
      throw err;
    }
  } else {
    const ccxtVenue = await CcxtVenue.open({
      ...common,
      mode,
      credentials:
        exchange.credentials === undefined ? { env: true } : { file: exchange.credentials },
    });
    spend(ccxtVenue);
    venue = ccxtVenue;
  }
  try {
    const rules = await rulesOf(venue, template, options.account, clock, venueRules);
    const banner = `${exchange.id} in ${mode} mode (${WHAT_MODE_MEANS[mode]})`;
    return {
      venue,
      rules,
      mode,
      banner,
      budget: budget!,
      ...(saveState === undefined ? {} : { saveState }),
    };
  } catch (err) {
    await venue.close();
    throw err;
  }
}

async function rulesOf(
  venue: Venue,
  template: DeskTemplate,
  account: string,
  clock: Clock,
  venueRules: typeof import("../../venues/ccxt/venue-rules.js").venueRules,
): Promise<VenueConfig> {
  const markets = await venue.loadMarkets();
  const watched = template.watch.map((symbol) => {
    const market = markets[symbol];
    if (market === undefined) {
      throw new InvalidInputError(
        `${template.file}: ${venue.id} has no market ${symbol} (watch lists it)`,
      );
    }
    return market;
  });
  const balances = await venue.fetchBalance();
  const lastPrices: Record<string, string> = {};
  for (const symbol of template.watch) {
    const ticker = await venue.fetchTicker(symbol);
    const last = ticker.last ?? ticker.bid;
    if (last !== undefined) lastPrices[symbol] = last;
  }
  return venueRules({
    exchange: template.name,
    account,
    markets: watched,
    balances,
    lastPrices,
    startMs: clock.now(),
  });
}
