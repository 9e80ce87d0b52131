/**
 * Strategies from a user's file: .js/.mjs imported natively, .ts through tsx, its default export —
 * or `strategy` export — checked to look like a Strategy before anything runs it. Apart from the
 * registry so that loading a file does not load every built-in (and their indicator library).
 */
import { stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../domain/errors.js";
import { schemaProblem } from "./params.js";
import type { Strategy } from "./strategy.js";

const SCRIPT_EXTENSIONS = new Set([".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]);
const TYPESCRIPT_EXTENSIONS = new Set([".ts", ".mts", ".cts"]);

/** True when `nameOrPath` names a file (a slash, or a script's extension), not a built-in. */
export function looksLikeStrategyFile(nameOrPath: string): boolean {
  return (
    nameOrPath.includes("/") ||
    nameOrPath.includes("\\") ||
    SCRIPT_EXTENSIONS.has(extname(nameOrPath))
  );
}

/** The strategy a file exports; relative paths resolve from the working directory. */
export async function loadStrategyFile(path: string): Promise<Strategy> {
  const file = resolve(path);
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
