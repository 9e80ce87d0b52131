/**
 * The sources `crypy record` follows, opened from the command line: a venue file is the simulator
 * on a wall clock at --speed (named by the file's `name`), any other word an exchange whose desk
 * template names it (ccxt pro's public market data: no keys needed).
 *
 * One simulated source alone gives the Recorder its clock (its staleness and polling then run on
 * simulated time); otherwise the Recorder runs on the wall clock.
 *
 * An exchange's REST requests spend the request-weight budget a Desk on the same venue address
 * keeps (`crypy binance` serves it on crypy.budget.<venue>): together they keep to the venue's
 * limit. With no Desk answering, the Recorder keeps to the limit alone (src/venues/budget).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RecorderSource } from "../actors/recorder/recorder.js";
import type { Bus } from "../bus/bus.js";
import { InvalidInputError } from "../domain/errors.js";
import { parseTimeframe } from "../domain/timeframe.js";
import type { Clock } from "../time/clock.js";
import { WallClock } from "../time/wall-clock.js";
import { type BudgetMode, budgetKey, SharedBudget } from "../venues/budget/index.js";
import type { CcxtVenue } from "../venues/ccxt/ccxt-venue.js";

export interface OpenedSources {
  sources: RecorderSource[];
  /** The exchanges' venues and their budget keys, for `shareBudgets`. */
  exchanges: { key: string; venue: CcxtVenue }[];
  clock: Clock;
  /** Resolves at SIGINT, SIGTERM, or after `exitAfter` of the clock. */
  until(exitAfter: string | undefined): Promise<void>;
  close(): Promise<void>;
}

export async function openSources(
  words: readonly string[],
  options: { speed: number; templates?: string | undefined },
): Promise<OpenedSources> {
  const closers: Array<() => Promise<void>> = [];
  const sources: RecorderSource[] = [];
  const exchanges: OpenedSources["exchanges"] = [];
  const clocks: Clock[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    for (const word of words) {
      if (/\.ya?ml$/.test(word) || existsSync(word)) {
        const { createSimulation } = await import("../venues/sim/simulation.js");
        const simulation = await createSimulation(word, { clock: { speed: options.speed } });
        simulation.start();
        closers.push(() => simulation.stop());
        const account = Object.keys(simulation.config.accounts)[0];
        if (account === undefined) throw new InvalidInputError(`${word} has no account`);
        sources.push({ name: simulation.config.name, venue: simulation.venue(account) });
        clocks.push(simulation.clock);
        continue;
      }
      const { venue, key } = await exchangeVenue(word, options.templates);
      closers.push(() => venue.close());
      sources.push({ name: venue.id, venue });
      exchanges.push({ key, venue });
    }
  } catch (err) {
    await close();
    throw err;
  }
  const clock = clocks.length === 1 && sources.length === 1 ? clocks[0]! : new WallClock();
  return {
    sources,
    exchanges,
    clock,
    close,
    until: (exitAfter) =>
      new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
        if (exitAfter !== undefined) clock.setTimeout(resolve, parseTimeframe(exitAfter));
      }),
  };
}

/** An exchange's public market data through ccxt, as its desk template names the exchange. */
async function exchangeVenue(word: string, templates: string | undefined) {
  const { userTemplatesDir, SHIPPED_TEMPLATES } = await import(
    "../control/session/user-templates.js"
  );
  const candidates = [
    join(templates ?? userTemplatesDir(), "desk", `${word}.yaml`),
    join(SHIPPED_TEMPLATES, "desk", `${word}.yaml`),
  ];
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) {
    throw new InvalidInputError(
      `${word} is neither a venue file nor an exchange with a desk template (looked for ${candidates.join(", ")})`,
    );
  }
  const { loadDeskTemplate } = await import("../actors/templates/load.js");
  const template = await loadDeskTemplate(file);
  const exchange = template.exchange;
  if (exchange === undefined)
    throw new InvalidInputError(`${file} trades the simulator: give its venue file instead`);
  const { CcxtVenue } = await import("../venues/ccxt/ccxt-venue.js");
  const venue = await CcxtVenue.open({
    exchange: exchange.id,
    mode: "live",
    ...(exchange.urls === undefined ? {} : { urls: { ...exchange.urls } }),
    ...(exchange.options === undefined ? {} : { options: { ...exchange.options } }),
    ...(exchange.requestWeight === undefined ? {} : { requestWeight: exchange.requestWeight }),
  });
  return { venue, key: budgetKey(exchange.id, exchange.urls) };
}

/** Each exchange source spends its venue address's shared budget over `bus` from now on. */
export function shareBudgets(
  opened: OpenedSources,
  bus: Bus,
  onMode: (key: string, mode: BudgetMode) => void,
): void {
  for (const { key, venue } of opened.exchanges) {
    venue.useBudget(
      new SharedBudget({
        bus,
        key,
        limit: venue.requestWeightLimit,
        clock: new WallClock(),
        onMode: (mode) => onMode(key, mode),
      }),
    );
  }
}
