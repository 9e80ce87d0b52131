/**
 * Strategy parameters: from text (the CLI, templates) to checked values, and the search spaces a
 * sweep walks.
 *
 * - `resolveParams` fills in defaults, parses each given value against its spec and runs the
 *   strategy's cross-parameter `validate`; every error names the strategy, the parameter and what
 *   is allowed. The step of a numeric spec shapes searches only: a user may pass any value in range.
 * - `gridOf` and `randomOf` draw from the same per-parameter value lists (`valuesOf`): numeric
 *   specs from min to max by step (default 1 for int, a tenth of the range for float), choices in
 *   their declared order; `fixed` pins some parameters to one value. Combinations that fail
 *   `validate` are never produced.
 *
 * Results are frozen, with keys in schema order.
 */

import { InvalidInputError } from "../domain/errors.js";
import { Random } from "../sim/random.js";
import type { ParamSpec, ParamValue, ParamValues, Strategy } from "./strategy.js";

/** The grid size `gridOf` refuses to exceed unless told otherwise. */
export const DEFAULT_MAX_COMBINATIONS = 10_000;

/** A decimal number, as a user types it: `10`, `-2`, `0.5`, `.5`, `1e3`. */
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Default values merged with `given`, each parsed and checked against the strategy's schema.
 *
 * @example
 * resolveParams(getStrategy("sma-cross"), { fast: "5" }); // { fast: 5, slow: 30 }
 * resolveParams(getStrategy("sma-cross"), { fast: "abc" });
 * // InvalidInputError: sma-cross: parameter 'fast' must be an integer from 2 to 200, got "abc"
 */
export function resolveParams(
  strategy: Strategy,
  given: Readonly<Record<string, string | number>>,
): ParamValues {
  const parsed = parseGiven(strategy, given);
  const values: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(strategy.params)) {
    values[name] = parsed.get(name) ?? spec.default;
  }
  const problem = strategy.validate?.(values);
  if (problem !== undefined) throw new InvalidInputError(`${strategy.name}: ${problem}`);
  return Object.freeze(values);
}

/** Each given value parsed against its spec; unknown names and bad values throw. */
function parseGiven(
  strategy: Strategy,
  given: Readonly<Record<string, string | number>>,
): Map<string, ParamValue> {
  const schema = strategy.params;
  const parsed = new Map<string, ParamValue>();
  for (const [name, raw] of Object.entries(given)) {
    const spec = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (spec === undefined) {
      const names = Object.keys(schema);
      const known = names.length > 0 ? `parameters: ${names.join(", ")}` : "it takes no parameters";
      throw new InvalidInputError(`${strategy.name} has no parameter '${name}' (${known})`);
    }
    const value = parseValue(spec, raw);
    if (value === undefined) {
      throw new InvalidInputError(
        `${strategy.name}: parameter '${name}' must be ${allowed(spec)}, got ${JSON.stringify(raw)}`,
      );
    }
    parsed.set(name, value);
  }
  return parsed;
}

/** The value `raw` stands for under `spec`, or undefined when it does not fit. */
function parseValue(spec: ParamSpec, raw: string | number): ParamValue | undefined {
  if (spec.type === "choice") {
    const text = String(raw);
    return spec.options.includes(text) ? text : undefined;
  }
  let n: number;
  if (typeof raw === "number") n = raw;
  else {
    const text = raw.trim();
    if (!NUMBER_TEXT.test(text)) return undefined;
    n = Number(text);
  }
  if (!Number.isFinite(n) || n < spec.min || n > spec.max) return undefined;
  if (spec.type === "int" && !Number.isInteger(n)) return undefined;
  return n;
}

/** What a spec accepts, for error messages: "an integer from 2 to 200". */
function allowed(spec: ParamSpec): string {
  switch (spec.type) {
    case "int":
      return `an integer from ${spec.min} to ${spec.max}`;
    case "float":
      return `a number from ${spec.min} to ${spec.max}`;
    case "choice":
      return `one of ${spec.options.join(", ")}`;
  }
}

/**
 * `name=value` pairs separated by commas, as typed on a command line; spaces around pieces are
 * ignored and an empty text is an empty list.
 *
 * @example
 * parseParamList("fast=10, slow=30"); // { fast: "10", slow: "30" }
 */
export function parseParamList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text.trim() === "") return out;
  for (const rawPiece of text.split(",")) {
    const piece = rawPiece.trim();
    const eq = piece.indexOf("=");
    const name = eq < 0 ? "" : piece.slice(0, eq).trim();
    const value = eq < 0 ? "" : piece.slice(eq + 1).trim();
    if (name === "" || value === "") {
      throw new InvalidInputError(
        `parameter list ${JSON.stringify(text)}: ${JSON.stringify(piece)} is not name=value`,
      );
    }
    if (Object.hasOwn(out, name)) {
      throw new InvalidInputError(
        `parameter list ${JSON.stringify(text)}: parameter '${name}' is given twice`,
      );
    }
    out[name] = value;
  }
  return out;
}

/**
 * Why a schema cannot work (naming the parameter), or undefined: min ≤ max, a positive step (an
 * integer one for int), a default inside the range (an integer for int), at least one option and
 * a default among them for choice. Built-ins pass by test; files are checked when loaded.
 */
export function schemaProblem(params: unknown): string | undefined {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return "'params' must be an object of parameter specs";
  }
  for (const [name, spec] of Object.entries(params)) {
    const problem = specProblem(spec as Record<string, unknown> | null);
    if (problem !== undefined) return `parameter '${name}': ${problem}`;
  }
  return undefined;
}

function specProblem(spec: Record<string, unknown> | null): string | undefined {
  if (typeof spec !== "object" || spec === null) return "expected an object with a 'type'";
  const { type, min, max, step, options } = spec;
  const dflt = spec.default;
  if (type === "choice") {
    if (!Array.isArray(options) || options.length === 0) return "'options' must list strings";
    const texts: unknown[] = options;
    if (!texts.every((o) => typeof o === "string")) return "'options' must list strings";
    return texts.some((o) => o === dflt) ? undefined : "'default' must be one of the options";
  }
  if (type !== "int" && type !== "float") return "'type' must be int, float or choice";
  const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (!isNum(min) || !isNum(max) || min > max) return "'min' and 'max' must be numbers, min ≤ max";
  if (!isNum(dflt) || dflt < min || dflt > max) return "'default' must be a number in min..max";
  if (step !== undefined && (!isNum(step) || step <= 0)) return "'step' must be a number > 0";
  if (type === "int") {
    if (![min, max, dflt].every(Number.isInteger))
      return "'min', 'max', 'default' must be integers";
    if (step !== undefined && !Number.isInteger(step)) return "'step' must be an integer";
  }
  return undefined;
}

/**
 * The values a search tries for one parameter, in order. Float values are rounded to 12
 * significant digits so that a step like 0.1 gives 0.3, not 0.30000000000000004.
 */
export function valuesOf(spec: ParamSpec): readonly ParamValue[] {
  if (spec.type === "choice") return spec.options;
  const span = spec.max - spec.min;
  const step = spec.step ?? (spec.type === "int" ? 1 : span / 10);
  if (!(step > 0)) return [spec.min];
  const count = Math.floor(span / step + 1e-9) + 1;
  const out: number[] = new Array(count);
  for (let k = 0; k < count; k++) out[k] = Number((spec.min + k * step).toPrecision(12));
  return out;
}

export interface SearchOptions {
  /**
   * Parameters held at one value instead of searched (parsed like resolveParams' input), e.g.
   * `{ stopLossPct: 0 }` to rank signals alone.
   */
  fixed?: Readonly<Record<string, string | number>>;
}

export interface GridOptions extends SearchOptions {
  /** Refuse grids with more combinations than this (before `validate` filters). Default 10,000. */
  maxCombinations?: number;
}

/**
 * Every combination of the parameters' search values, the first parameter varying slowest;
 * combinations failing the strategy's `validate` are skipped.
 *
 * @example
 * gridOf(getStrategy("sma-cross")).length; // fast × slow pairs with fast < slow
 */
export function gridOf(strategy: Strategy, options: GridOptions = {}): ParamValues[] {
  const limit = options.maxCombinations ?? DEFAULT_MAX_COMBINATIONS;
  const { names, lists } = searchSpace(strategy, options.fixed);
  const total = lists.reduce((n, list) => n * list.length, 1);
  if (total > limit) {
    throw new InvalidInputError(
      `${strategy.name}: the parameter grid has ${formatCount(total)} combinations, more than ` +
        `the limit of ${formatCount(limit)}`,
    );
  }
  const out: ParamValues[] = [];
  const index = new Array<number>(names.length).fill(0);
  for (let k = 0; k < total; k++) {
    const combo = comboAt(names, lists, index);
    if (strategy.validate?.(combo) === undefined) out.push(combo);
    // Odometer: the last parameter turns fastest.
    for (let d = names.length - 1; d >= 0; d--) {
      if (++index[d]! < lists[d]!.length) break;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * Up to `count` distinct valid combinations drawn uniformly from the grid, reproducibly from
 * `seed`. Fewer only when the grid holds fewer valid ones (or, past 100,000 combinations, when
 * valid ones are too rare to find in count × 100 draws). A longer draw with the same seed starts
 * with the shorter one.
 *
 * @example
 * randomOf(getStrategy("sma-cross"), 20, "night-run"); // the same 20 every time
 */
export function randomOf(
  strategy: Strategy,
  count: number,
  seed: number | string,
  options: SearchOptions = {},
): ParamValues[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidInputError(`${strategy.name}: count must be an integer >= 0, got ${count}`);
  }
  const random = new Random(seed);
  const { names, lists } = searchSpace(strategy, options.fixed);
  const total = lists.reduce((n, list) => n * list.length, 1);
  // A small grid is enumerated and shuffled (exhaustive, no retries); a large one is sampled.
  if (total <= ENUMERATE_LIMIT) {
    const valid = gridOf(strategy, { ...options, maxCombinations: ENUMERATE_LIMIT });
    const n = Math.min(count, valid.length);
    for (let k = 0; k < n; k++) {
      const j = random.int(k, valid.length - 1);
      const picked = valid[j]!;
      valid[j] = valid[k]!;
      valid[k] = picked;
    }
    return valid.slice(0, n);
  }
  const out: ParamValues[] = [];
  const seen = new Set<string>();
  const index = new Array<number>(names.length).fill(0);
  const attempts = count * 100 + 1000;
  for (let a = 0; a < attempts && out.length < count; a++) {
    for (let d = 0; d < names.length; d++) index[d] = random.int(0, lists[d]!.length - 1);
    const key = index.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    const combo = comboAt(names, lists, index);
    if (strategy.validate?.(combo) === undefined) out.push(combo);
  }
  return out;
}

/** Grids up to this size are enumerated by `randomOf` rather than sampled. */
const ENUMERATE_LIMIT = 100_000;

function searchSpace(
  strategy: Strategy,
  fixed: Readonly<Record<string, string | number>> = {},
): { names: string[]; lists: (readonly ParamValue[])[] } {
  const pinned = parseGiven(strategy, fixed);
  const names = Object.keys(strategy.params);
  const lists = names.map((name) => {
    const value = pinned.get(name);
    return value === undefined ? valuesOf(strategy.params[name]!) : [value];
  });
  return { names, lists };
}

function comboAt(
  names: readonly string[],
  lists: readonly (readonly ParamValue[])[],
  index: readonly number[],
): ParamValues {
  const combo: Record<string, ParamValue> = {};
  for (let d = 0; d < names.length; d++) combo[names[d]!] = lists[d]![index[d]!]!;
  return Object.freeze(combo);
}

function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
