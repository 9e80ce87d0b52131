/**
 * The sources `crypy record` follows, opened from the command line: a venue file is the simulator
 * on a wall clock at --speed (named by the file's `name`), any other word an exchange whose desk
 * template names it (ccxt pro's public market data: no keys needed).
 *
 * One simulated source alone gives the Recorder its clock (its staleness and polling then run on
 * simulated time); otherwise the Recorder runs on the wall clock.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RecorderSource } from "../actors/recorder/recorder.js";
import { InvalidInputError } from "../domain/errors.js";
import { parseTimeframe } from "../domain/timeframe.js";
import type { Clock } from "../time/clock.js";
import { WallClock } from "../time/wall-clock.js";

export interface OpenedSources {
  sources: RecorderSource[];
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
      const venue = await exchangeVenue(word, options.templates);
      closers.push(() => venue.close());
      sources.push({ name: venue.id, venue });
    }
  } catch (err) {
    await close();
    throw err;
  }
  const clock = clocks.length === 1 && sources.length === 1 ? clocks[0]! : new WallClock();
  return {
    sources,
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
  return CcxtVenue.open({
    exchange: exchange.id,
    mode: "live",
    ...(exchange.urls === undefined ? {} : { urls: { ...exchange.urls } }),
    ...(exchange.options === undefined ? {} : { options: { ...exchange.options } }),
  });
}
