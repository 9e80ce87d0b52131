/**
 * Loading one strategy and only the code it needs. A backtest worker's start-up is part of every
 * sweep a user waits for, and the registry imports every built-in — five of them bring in the
 * indicator library, ~170 ms of module loading that sma-cross never uses. Here each built-in is a
 * module loaded on demand; the registry stays the synchronous table the rest of crypy reads.
 */

import type { Strategy } from "./strategy.js";
import { loadStrategyFile, looksLikeStrategyFile } from "./strategy-file.js";

/** Every built-in's module, by the strategy's name (test/strategy/load-one.test.ts keeps it whole). */
export const BUILTIN_MODULES: Readonly<Record<string, () => Promise<Strategy>>> = Object.freeze({
  "sma-cross": async () => (await import("./builtins/sma-cross.js")).smaCross,
  "ema-cross": async () => (await import("./builtins/ema-cross.js")).emaCross,
  macd: async () => (await import("./builtins/macd.js")).macd,
  "rsi-reversion": async () => (await import("./builtins/rsi-reversion.js")).rsiReversion,
  "bollinger-breakout": async () =>
    (await import("./builtins/bollinger-breakout.js")).bollingerBreakout,
  "donchian-breakout": async () =>
    (await import("./builtins/donchian-breakout.js")).donchianBreakout,
  "sma-long-short": async () => (await import("./builtins/sma-long-short.js")).smaLongShort,
});

/**
 * What `loadStrategy` returns, loading only that strategy's modules. An unknown name gets the
 * registry's error (with its did-you-mean), loading the registry only then.
 */
export async function loadOneStrategy(nameOrPath: string): Promise<Strategy> {
  if (looksLikeStrategyFile(nameOrPath)) return loadStrategyFile(nameOrPath);
  const load = Object.hasOwn(BUILTIN_MODULES, nameOrPath) ? BUILTIN_MODULES[nameOrPath] : undefined;
  if (load !== undefined) return load();
  const { getStrategy } = await import("./registry.js");
  return getStrategy(nameOrPath);
}
