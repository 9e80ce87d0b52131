/**
 * Where strategies come from: the built-ins by name, or a user's file (.js/.mjs imported natively,
 * .ts through tsx) whose default export — or `strategy` export — is checked to look like a
 * Strategy before anything runs it. Every error names the file or the name that was asked for.
 */

import { InvalidInputError } from "../domain/errors.js";
import { bollingerBreakout } from "./builtins/bollinger-breakout.js";
import { donchianBreakout } from "./builtins/donchian-breakout.js";
import { emaCross } from "./builtins/ema-cross.js";
import { macd } from "./builtins/macd.js";
import { rsiReversion } from "./builtins/rsi-reversion.js";
import { smaCross } from "./builtins/sma-cross.js";
import { smaLongShort } from "./builtins/sma-long-short.js";
import type { Strategy } from "./strategy.js";
import { loadStrategyFile, looksLikeStrategyFile } from "./strategy-file.js";

export { strategyProblem } from "./strategy-file.js";

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

/**
 * A built-in by name, or the strategy a file exports when `nameOrPath` looks like a path (it
 * contains a slash or ends in .js/.mjs/.ts). Relative paths resolve from the working directory.
 *
 * @example
 * await loadStrategy("macd");
 * await loadStrategy("./strategies/my-breakout.ts");
 */
export async function loadStrategy(nameOrPath: string): Promise<Strategy> {
  return looksLikeStrategyFile(nameOrPath) ? loadStrategyFile(nameOrPath) : getStrategy(nameOrPath);
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
