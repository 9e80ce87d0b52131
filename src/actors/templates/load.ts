/**
 * Loading templates: YAML → shape (schema.ts) → what needs the file system (referenced files, the
 * venue, strategies and their parameters) → one frozen template. Every issue of a pass is reported
 * at once, each as `file:line:col: field: message`, in one ConfigError (an InvalidInputError); an
 * invalid template yields nothing, so nothing starts from it.
 *
 * Nothing is cached: each load reads the file again, so a human's edit applies at the next spawn.
 * Relative paths in a template are resolved against the template's own directory; a desk
 * template's venue may instead be a shipped venue's name.
 */

import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { z } from "zod";
import { deepFreeze } from "../../config/freeze.js";
import type { Issue } from "../../config/issues.js";
import { YamlSource } from "../../config/source.js";
import { parseDuration, parseInstant } from "../../config/time-text.js";
import { readConfigText } from "../../config/yaml-file.js";
import { InternalError } from "../../domain/errors.js";
import { parseMarket } from "../../domain/market.js";
import { DEFAULT_VENUE_FILE, loadVenueConfig, shippedVenues } from "../../sim/config/load.js";
import { deskTemplateSchema, holderTemplateSchema, traderTemplateSchema } from "./schema.js";
import { fileProblem, resolveStrategies } from "./strategies.js";
import type { DeskTemplate, HolderTemplate, TraderOutcome, TraderTemplate } from "./types.js";

export interface ParseTemplateOptions {
  /** Names the source in errors, e.g. "templates/desk/sim.yaml". */
  readonly file: string;
  /** Paths in the template are resolved against this directory. */
  readonly baseDir: string;
}

/**
 * @example
 * const desk = await loadDeskTemplate("templates/desk/sim.yaml");
 * desk.watch; // ["BTC/USDT", "ETH/USDT"]
 */
export async function loadDeskTemplate(path: string): Promise<DeskTemplate> {
  return parseDeskTemplate(await readConfigText(path, "desk template"), optionsFor(path));
}

/** @example const holder = await loadHolderTemplate("templates/holder/default.yaml"); */
export async function loadHolderTemplate(path: string): Promise<HolderTemplate> {
  return parseHolderTemplate(await readConfigText(path, "holder template"), optionsFor(path));
}

/** @example const trader = await loadTraderTemplate("templates/trader/moving-average.yaml"); */
export async function loadTraderTemplate(path: string): Promise<TraderTemplate> {
  return parseTraderTemplate(await readConfigText(path, "trader template"), optionsFor(path));
}

function optionsFor(path: string): ParseTemplateOptions {
  return { file: path, baseDir: dirname(resolve(path)) };
}

/**
 * Desk template text → DeskTemplate. Besides its own fields, checks that the venue file and the
 * holder template exist, and against the venue: the account exists, every watched market is
 * listed, every asset is held by the account. A venue file with problems fails with its own errors.
 */
export async function parseDeskTemplate(
  text: string,
  options: ParseTemplateOptions,
): Promise<DeskTemplate> {
  const source = YamlSource.parse(text, options.file);
  const shaped = source.shape(deskTemplateSchema);
  const holderTemplate = resolve(options.baseDir, shaped.holderTemplate);
  const issues: Issue[] = [];
  const holderProblem = await fileProblem(holderTemplate);
  if (holderProblem !== undefined)
    issues.push({ path: ["holderTemplate"], message: holderProblem });
  let venue: string | undefined;
  if (shaped.exchange === undefined) {
    venue = await checkAgainstVenue(shaped, options.baseDir, issues);
  } else {
    if (shaped.venue !== undefined) {
      issues.push({
        path: ["venue"],
        message:
          "a Desk trades either a simulated venue or a real exchange: remove venue or exchange",
      });
    }
    checkExchange(shaped.exchange, shaped.assets, issues);
  }
  if (issues.length > 0) throw source.error(issues);
  return deepFreeze({
    file: options.file,
    name: shaped.name,
    venue,
    exchange:
      shaped.exchange === undefined
        ? undefined
        : {
            id: shaped.exchange.id,
            mode: shaped.exchange.mode,
            credentials:
              shaped.exchange.credentials === undefined
                ? undefined
                : resolveHome(options.baseDir, shaped.exchange.credentials),
            urls: shaped.exchange.urls,
            options: shaped.exchange.options,
            requestWeight: shaped.exchange.requestWeight,
            paperBalances: shaped.exchange.paperBalances ?? {},
          },
    account: shaped.account,
    watch: shaped.watch,
    marketData: shaped.marketData,
    assets: shaped.assets,
    risk: shaped.risk,
    balanceTolerance: shaped.balanceTolerance,
    holderTemplate,
    learned: {
      losingAssets: shaped.learned.losingAssets.map((entry) => ({
        ...entry,
        since: instantMs(entry.since),
      })),
    },
  });
}

type ShapedDesk = z.output<typeof deskTemplateSchema>;

/**
 * Checks a simulated Desk against its venue file: the account exists, every watched market is
 * listed, every asset is held by the account. Returns the venue file's absolute path.
 */
async function checkAgainstVenue(
  shaped: ShapedDesk,
  baseDir: string,
  issues: Issue[],
): Promise<string> {
  const { venue, problem: venueProblem } = await venueFile(shaped.venue, baseDir);
  if (venueProblem !== undefined) {
    issues.push({ path: ["venue"], message: venueProblem });
    return venue;
  }
  const config = await loadVenueConfig(venue);
  const holdings = Object.hasOwn(config.accounts, shaped.account)
    ? config.accounts[shaped.account]
    : undefined;
  if (holdings === undefined) {
    const known = Object.keys(config.accounts).join(", ");
    issues.push({
      path: ["account"],
      message: `no account "${shaped.account}" in ${venue} (accounts: ${known})`,
    });
  }
  shaped.watch.forEach((symbol, i) => {
    if (!Object.hasOwn(config.markets, symbol)) {
      issues.push({ path: ["watch", i], message: `no market "${symbol}" in ${venue}` });
    }
  });
  if (holdings !== undefined) {
    shaped.assets.forEach((asset, i) => {
      const held = Object.hasOwn(holdings, asset) ? holdings[asset] : undefined;
      if (held === undefined || held.units === 0n) {
        issues.push({
          path: ["assets", i],
          message: `account "${shaped.account}" holds no ${asset} in ${venue}`,
        });
      }
    });
  }
  return venue;
}

/**
 * A real exchange's settings: paper mode trades balances crypy keeps, so each asset needs one.
 * Markets and live balances are the exchange's, checked when the Desk starts.
 */
function checkExchange(
  exchange: NonNullable<ShapedDesk["exchange"]>,
  assets: readonly string[],
  issues: Issue[],
): void {
  if (exchange.mode !== "paper") return;
  const balances = exchange.paperBalances ?? {};
  assets.forEach((asset, i) => {
    if (!Object.hasOwn(balances, asset)) {
      issues.push({
        path: ["assets", i],
        message: `paper mode holds only exchange.paperBalances (${Object.keys(balances).join(", ") || "none"}): add ${asset} there`,
      });
    }
  });
}

/** A path from a template: `~/` is the home directory, anything else relative to the file. */
function resolveHome(baseDir: string, path: string): string {
  return path === "~" || path.startsWith("~/")
    ? join(homedir(), path.slice(1))
    : resolve(baseDir, path);
}

/**
 * A desk template's `venue`: a shipped venue by name (`sim`: the package's venues/sim.yaml, so a
 * copied templates folder still starts), else a venue file relative to the template.
 */
async function venueFile(
  ref: string | undefined,
  baseDir: string,
): Promise<{ venue: string; problem?: string }> {
  if (ref === undefined) return { venue: DEFAULT_VENUE_FILE };
  const shipped = await shippedVenues();
  const named = Object.hasOwn(shipped, ref) ? shipped[ref] : undefined;
  if (named !== undefined) return { venue: named };
  const venue = resolve(baseDir, ref);
  const problem = await fileProblem(venue);
  if (problem === undefined) return { venue };
  const names = Object.keys(shipped).join(", ") || "none";
  return {
    venue,
    problem: `"${ref}" is neither a shipped venue (${names}) nor a venue file (${problem})`,
  };
}

/** Holder template text → HolderTemplate; every trader template it names must exist. */
export async function parseHolderTemplate(
  text: string,
  options: ParseTemplateOptions,
): Promise<HolderTemplate> {
  const source = YamlSource.parse(text, options.file);
  const shaped = source.shape(holderTemplateSchema);
  const traderTemplates = shaped.traderTemplates.map((path) => resolve(options.baseDir, path));
  const issues: Issue[] = [];
  for (const [i, path] of traderTemplates.entries()) {
    const problem = await fileProblem(path);
    if (problem !== undefined) issues.push({ path: ["traderTemplates", i], message: problem });
  }
  if (issues.length > 0) throw source.error(issues);
  return deepFreeze({
    file: options.file,
    criteria: shaped.criteria,
    allocation: shaped.allocation,
    mandateTtlMs: parseDuration(shaped.mandateTtl)!,
    approval: shaped.approval,
    reviewMs: parseDuration(shaped.reviewWindow)!,
    may: shaped.may,
    traderTemplates,
    pairs: shaped.pairs,
    learned: shaped.learned,
  });
}

/**
 * Trader template text → TraderTemplate: each strategy is a built-in or a file that loads, and
 * each parameter bound fits that strategy (see strategies.ts).
 */
export async function parseTraderTemplate(
  text: string,
  options: ParseTemplateOptions,
): Promise<TraderTemplate> {
  const source = YamlSource.parse(text, options.file);
  const shaped = source.shape(traderTemplateSchema);
  const { strategies, issues } = await resolveStrategies(shaped.strategies, options.baseDir);
  if (issues.length > 0) throw source.error(issues);
  const outcomes: Record<string, readonly TraderOutcome[]> = {};
  for (const [pair, list] of Object.entries(shaped.learned.outcomes)) {
    outcomes[pair] = list.map((o) => ({ ...o, at: instantMs(o.at) }));
  }
  // The narrowed strategies carry functions (and may be shared built-ins): frozen one level only.
  const frozenStrategies = strategies.map((s) =>
    Object.freeze({
      ...s,
      params: deepFreeze(s.params),
      strategy: Object.freeze({ ...s.strategy, params: deepFreeze(s.strategy.params) }),
    }),
  );
  return Object.freeze({
    file: options.file,
    strategies: Object.freeze(frozenStrategies),
    warmup: deepFreeze(shaped.warmup),
    evaluation: deepFreeze(shaped.evaluation),
    exits: deepFreeze(shaped.exits),
    learned: deepFreeze({ outcomes }),
  });
}

/**
 * The markets a Holder of `asset` trades: the template's `pairs` that the venue lists and that are
 * quoted in `asset` (one holder template serves every asset of a Desk), or when it names none,
 * every market of the venue quoted in `asset`, in the venue's order.
 *
 * @example
 * holderPairs(holder, "USDT", ["BTC/USDT", "ETH/USDT", "ETH/BTC"]); // ["BTC/USDT", "ETH/USDT"]
 */
export function holderPairs(
  template: HolderTemplate,
  asset: string,
  venueMarkets: readonly string[],
): string[] {
  const quotedIn = (symbol: string) => parseMarket(symbol).quote === asset;
  if (template.pairs === undefined) return venueMarkets.filter(quotedIn);
  return template.pairs.filter((symbol) => quotedIn(symbol) && venueMarkets.includes(symbol));
}

function instantMs(text: string): number {
  const ms = parseInstant(text);
  // The schema admitted it, so it parses; a failure here is a bug, not bad input.
  if (ms === undefined) throw new InternalError(`not an instant: ${text}`);
  return ms;
}
