/**
 * Where strategies come from: the built-ins by name, or a user's file (.js/.mjs imported natively,
 * .ts through tsx) whose default export — or `strategy` export — is checked to look like a
 * Strategy before anything runs it. Every error names the file or the name that was asked for.
 */

import { stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../domain/errors.js";
import { bollingerBreakout } from "./builtins/bollinger-breakout.js";
import { donchianBreakout } from "./builtins/donchian-breakout.js";
import { emaCross } from "./builtins/ema-cross.js";
import { macd } from "./builtins/macd.js";
import { rsiReversion } from "./builtins/rsi-reversion.js";
import { smaCross } from "./builtins/sma-cross.js";
import { smaLongShort } from "./builtins/sma-long-short.js";
import { schemaProblem } from "./params.js";
import type { Strategy } from "./strategy.js";

const builtins: readonly Strategy[] = [
  smaCross,
  emaCross,
  macd,
  rsiReversion,
  bollingerBreakout,
  donchianBreakout,
  smaLongShort,
];

/** The built-in strategies by name. */
export const BUILTIN_STRATEGIES: Readonly<Record<string, Strategy>> = Object.freeze(
  Object.fromEntries(builtins.map((s) => [s.name, s])),
);

/** Names of the built-ins, trend followers first, the one that needs shorting last. */
export function strategyNames(): string[] {
  return builtins.map((s) => s.name);
}

/**
 * @example
 * getStrategy("sma-cross").params.fast.default; // 10
 * getStrategy("sma-cros"); // InvalidInputError: unknown strategy 'sma-cros' (did you mean 'sma-cross'?) …
 */
export function getStrategy(name: string): Strategy {
  const strategy = Object.hasOwn(BUILTIN_STRATEGIES, name) ? BUILTIN_STRATEGIES[name] : undefined;
  if (strategy !== undefined) return strategy;
  const guess = closestName(name, strategyNames());
  const hint = guess === undefined ? "" : ` (did you mean '${guess}'?)`;
  throw new InvalidInputError(
    `unknown strategy '${name}'${hint}; built-ins: ${strategyNames().join(", ")}`,
  );
}

const SCRIPT_EXTENSIONS = new Set([".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]);
const TYPESCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);

/**
 * A built-in by name, or the strategy a file exports when `nameOrPath` looks like a path (it
 * contains a slash or ends in .js/.mjs/.ts). Relative paths resolve from the working directory.
 *
 * @example
 * await loadStrategy("macd");
 * await loadStrategy("./strategies/my-breakout.ts");
 */
export async function loadStrategy(nameOrPath: string): Promise<Strategy> {
  const looksLikePath =
    nameOrPath.includes("/") ||
    nameOrPath.includes("\\") ||
    SCRIPT_EXTENSIONS.has(extname(nameOrPath));
  if (!looksLikePath) return getStrategy(nameOrPath);

  const file = resolve(nameOrPath);
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw new InvalidInputError(`strategy file not found: ${file}`);
  if (!info.isFile()) throw new InvalidInputError(`strategy file is not a file: ${file}`);

  let module: Record<string, unknown>;
  try {
    if (TYPESCRIPT_EXTENSIONS.has(extname(file))) {
      // Loaded on demand: only TypeScript strategy files need the transpiler.
      const { tsImport } = await import("tsx/esm/api");
      module = await tsImport(pathToFileURL(file).href, import.meta.url);
    } else {
      module = await import(pathToFileURL(file).href);
    }
  } catch (err) {
    // One line for the CLI: module errors append a multi-line require stack.
    const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    const hint = /Cannot find (module|package) ['"]crypy['"]/.test(reason ?? "")
      ? ` (outside a project that depends on crypy, import types only: import type { Strategy } from "crypy")`
      : "";
    throw new InvalidInputError(`cannot load strategy file ${file}: ${reason}${hint}`, {
      cause: err,
    });
  }

  const exported = exportOf(module);
  if (exported === undefined) {
    throw new InvalidInputError(
      `${file}: no strategy exported (expected \`export default defineStrategy({...})\` or ` +
        "`export const strategy`)",
    );
  }
  const problem = strategyProblem(exported);
  if (problem !== undefined) throw new InvalidInputError(`${file}: not a strategy: ${problem}`);
  return exported as Strategy;
}

/** The default export, else the `strategy` export. */
function exportOf(module: Record<string, unknown>): unknown {
  const exported = module.default ?? module.strategy;
  // A .ts file outside an ESM package is compiled to CommonJS and arrives wrapped: its exports
  // object is the default export.
  if (
    typeof exported === "object" &&
    exported !== null &&
    !("create" in exported) &&
    ("default" in exported || "strategy" in exported)
  ) {
    const wrapped = exported as Record<string, unknown>;
    return wrapped.default ?? wrapped.strategy;
  }
  return exported;
}

/** What keeps `value` from being a usable Strategy, or undefined. */
export function strategyProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return `expected an object, got ${typeof value}`;
  const s = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof s.name !== "string" || s.name === "") missing.push("'name' (a non-empty string)");
  if (typeof s.description !== "string") missing.push("'description' (a string)");
  if (typeof s.params !== "object" || s.params === null) missing.push("'params' (an object)");
  if (typeof s.warmup !== "function") missing.push("'warmup' (a function)");
  if (typeof s.create !== "function") missing.push("'create' (a function)");
  for (const optional of ["validate", "positions"]) {
    if (s[optional] !== undefined && typeof s[optional] !== "function") {
      missing.push(`'${optional}' (a function, when present)`);
    }
  }
  if (missing.length > 0) return `missing or wrong ${missing.join(", ")}`;
  return schemaProblem(s.params);
}

/** The candidate nearest to `name` by edit distance, if near enough to be a plausible typo. */
function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d =
      candidate.includes(wanted) && wanted.length >= 3 ? 0 : editDistance(wanted, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + cost);
    }
    row = next;
  }
  return row[b.length]!;
}
