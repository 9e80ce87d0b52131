/**
 * Learning written back into the templates, under each file's `learned:` section:
 *
 * - trader template: every attempt's outcome per market (`recordTraderOutcome`), which
 *   `orderCandidates` (candidates.ts) reads to try what worked first;
 * - holder template: strategies that failed, with the pairs they failed on (`markFailedStrategy`);
 * - desk template: assets whose trading lost money (`markLosingAsset`).
 *
 * Invariants: only the `learned` section changes (edited through the yaml Document API); every
 * byte of the rest of the file — the human's comments, blank lines, style — stays. Each write
 * is atomic (temp file, fsync, rename) and writes to one file are serialised in this process
 * (src/config/yaml-file.ts). Arguments are checked before the file is touched; a file that is not
 * valid YAML is refused, never rewritten. Times come in as arguments (epoch ms, a fraction dropped)
 * and are written as ISO 8601; money as decimal strings.
 */

import { type Document, isMap, isScalar, isSeq, type YAMLMap, type YAMLSeq } from "yaml";
import { editYamlSection, seqAt } from "../../config/yaml-file.js";
import { InvalidInputError } from "../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import { parseMarket } from "../../domain/market.js";
import type { TraderOutcome } from "./types.js";

/** Outcomes kept per market in a trader template; the oldest go first. */
export const MAX_OUTCOMES_PER_PAIR = 50;

/**
 * Appends `outcome` to `learned.outcomes["<pair>"]` of the trader template at `path`, dropping
 * the oldest beyond MAX_OUTCOMES_PER_PAIR.
 *
 * @example
 * await recordTraderOutcome("templates/trader/moving-average.yaml", "BTC/USDT", {
 *   strategy: "sma-cross", params: { fast: 10, slow: 40 }, trades: 4, pnl: "12.5",
 *   returnPct: 0.5, at: clock.now(),
 * });
 */
export async function recordTraderOutcome(
  path: string,
  pair: string,
  outcome: TraderOutcome,
): Promise<void> {
  checkPair(pair);
  checkName("strategy", outcome.strategy);
  for (const [name, value] of Object.entries(outcome.params)) {
    if (typeof value === "number" ? !Number.isFinite(value) : typeof value !== "string") {
      throw new InvalidInputError(`parameter '${name}' must be a finite number or a text`);
    }
  }
  checkCount(outcome.trades);
  checkDecimal(outcome.pnl);
  if (!Number.isFinite(outcome.returnPct)) {
    throw new InvalidInputError(`returnPct must be a finite number, got ${outcome.returnPct}`);
  }
  const at = isoTime("at", outcome.at);
  await editYamlSection(path, "learned", (doc) => {
    const list = seqAt(doc, ["learned", "outcomes", pair]);
    const entry = doc.createNode({
      strategy: outcome.strategy,
      params: outcome.params,
      trades: outcome.trades,
      pnl: outcome.pnl,
      returnPct: outcome.returnPct,
      at,
    });
    const params = entry.get("params", true);
    if (isMap(params)) params.flow = true;
    list.add(entry);
    const excess = list.items.length - MAX_OUTCOMES_PER_PAIR;
    if (excess > 0) list.items.splice(0, excess);
  });
}

/**
 * Marks `strategy` as failed on `pair` in the holder template at `path`: merged into its entry
 * (pair added once; trades and pnl summed) or a new entry.
 *
 * @example
 * await markFailedStrategy("templates/holder/default.yaml", "macd", "ETH/USDT", 5, "-31.2");
 */
export async function markFailedStrategy(
  path: string,
  strategy: string,
  pair: string,
  trades: number,
  pnl: string,
): Promise<void> {
  checkName("strategy", strategy);
  checkPair(pair);
  checkCount(trades);
  checkDecimal(pnl);
  await editYamlSection(path, "learned", (doc) => {
    const list = seqAt(doc, ["learned", "failedStrategies"]);
    const entry = findBy(list, "strategy", strategy);
    if (entry === undefined) {
      list.add(doc.createNode({ strategy, pairs: flowSeq(doc, [pair]), trades, pnl }));
      return;
    }
    const pairs = entry.get("pairs", true);
    if (!isSeq(pairs)) entry.set("pairs", flowSeq(doc, [pair]));
    else if (!pairs.items.some((item) => scalarValue(item) === pair)) pairs.add(pair);
    setValue(entry, "trades", Number(scalarValue(entry.get("trades", true)) ?? 0) + trades);
    setValue(entry, "pnl", addDecimals(String(scalarValue(entry.get("pnl", true)) ?? "0"), pnl));
  });
}

/**
 * Marks `asset` as losing in the desk template at `path`, with the trades and pnl counted since
 * `since` (epoch ms). The figures are totals: they replace an earlier entry for the asset.
 *
 * @example
 * await markLosingAsset("templates/desk/sim.yaml", "BTC", 12, "-140.5", dayStart);
 */
export async function markLosingAsset(
  path: string,
  asset: string,
  trades: number,
  pnl: string,
  since: number,
): Promise<void> {
  if (!/^[A-Z0-9]{1,20}$/.test(asset)) {
    throw new InvalidInputError(
      `asset must be an asset code like "BTC", got ${JSON.stringify(asset)}`,
    );
  }
  checkCount(trades);
  checkDecimal(pnl);
  const sinceText = isoTime("since", since);
  await editYamlSection(path, "learned", (doc) => {
    const list = seqAt(doc, ["learned", "losingAssets"]);
    const entry = findBy(list, "asset", asset);
    if (entry === undefined) {
      list.add(doc.createNode({ asset, trades, pnl, since: sinceText }));
      return;
    }
    setValue(entry, "trades", trades);
    setValue(entry, "pnl", pnl);
    setValue(entry, "since", sinceText);
  });
}

function findBy(list: YAMLSeq, key: string, value: string): YAMLMap | undefined {
  for (const item of list.items) {
    if (isMap(item) && scalarValue(item.get(key, true)) === value) return item;
  }
  return undefined;
}

/** Changes a value in place, so a comment on it stays. */
function setValue(map: YAMLMap, key: string, value: unknown): void {
  const node = map.get(key, true);
  if (isScalar(node)) node.value = value;
  else map.set(key, value);
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** A list of symbols reads best on one line: `pairs: [BTC/USDT, ETH/USDT]`. */
function flowSeq(doc: Document, items: readonly string[]): YAMLSeq {
  const seq = doc.createNode(items) as YAMLSeq;
  seq.flow = true;
  return seq;
}

const SIGNED_DECIMAL = /^-?\d{1,30}(?:\.\d{1,18})?$/;

function checkDecimal(pnl: string): void {
  if (typeof pnl !== "string" || !SIGNED_DECIMAL.test(pnl)) {
    throw new InvalidInputError(
      `pnl must be a decimal string like "-12.5", got ${JSON.stringify(pnl)}`,
    );
  }
}

function addDecimals(a: string, b: string): string {
  checkDecimal(a);
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  return formatDecimal(parseDecimal(a, scale) + parseDecimal(b, scale), scale);
}

function decimalsOf(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

function checkCount(trades: number): void {
  if (!Number.isSafeInteger(trades) || trades < 0) {
    throw new InvalidInputError(`trades must be a whole number >= 0, got ${trades}`);
  }
}

function checkName(what: string, value: string): void {
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidInputError(`${what} must be a non-empty text`);
  }
}

/** A pair the actors trade: spot or a linear contract (templates' marketSymbol). */
function checkPair(pair: string): void {
  const id = parseMarket(pair);
  if (id.settle !== undefined && id.settle !== id.quote)
    throw new InvalidInputError(`pair must be spot or a linear contract, got ${pair}`);
}

/** Whole milliseconds: a wall clock's now() has a fraction, which ISO 8601 in ms cannot hold. */
function isoTime(what: string, ms: number): string {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
    throw new InvalidInputError(`${what} must be epoch milliseconds, got ${ms}`);
  }
  return new Date(Math.floor(ms)).toISOString();
}

/** The last instant a Date can hold. */
const MAX_EPOCH_MS = 8.64e15;
