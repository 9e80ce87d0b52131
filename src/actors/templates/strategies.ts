/**
 * A trader template's strategies, checked against the strategies themselves: the name is a
 * built-in or a loadable file, every parameter exists, every value and range fits the strategy's
 * own limits, and at least one combination passes the strategy's cross-parameter check. Each
 * entry yields the strategy narrowed to the template's bounds, so the parameter search code
 * (gridOf, randomOf) draws only what the template allows.
 */

import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { describe, type Issue, type PathSegment } from "../../config/issues.js";
import { randomOf } from "../../strategy/params.js";
import { getStrategy, loadStrategy } from "../../strategy/registry.js";
import type { ParamSpec, Strategy } from "../../strategy/strategy.js";
import type { TraderFile } from "./schema.js";
import type { ParamBound, TraderStrategy } from "./types.js";

type StrategyFile = TraderFile["strategies"][number];

const SCRIPT_FILE = /\.[cm]?[jt]s$/;

/** As registry.loadStrategy decides it: a slash or a script extension means a file. */
export function isStrategyPath(name: string): boolean {
  return name.includes("/") || name.includes("\\") || SCRIPT_FILE.test(name);
}

/** Why `path` cannot be read as a file, or undefined. */
export async function fileProblem(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return `file not found: ${path}`;
  return info.isFile() ? undefined : `not a file: ${path}`;
}

export async function resolveStrategies(
  entries: readonly StrategyFile[],
  baseDir: string,
): Promise<{ strategies: TraderStrategy[]; issues: Issue[] }> {
  const issues: Issue[] = [];
  const strategies: TraderStrategy[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const at: PathSegment[] = ["strategies", index];
    if (seen.has(entry.name)) {
      issues.push({ path: [...at, "name"], message: `duplicate strategy "${entry.name}"` });
      continue;
    }
    seen.add(entry.name);
    const found = await findStrategy(entry.name, baseDir);
    if ("problem" in found) {
      issues.push({ path: [...at, "name"], message: found.problem });
      continue;
    }
    const narrowed = narrow(found.strategy, entry.params, [...at, "params"], issues);
    if (narrowed === undefined) continue;
    strategies.push({ name: entry.name, ref: found.ref, params: entry.params, strategy: narrowed });
  }
  return { strategies, issues };
}

async function findStrategy(
  name: string,
  baseDir: string,
): Promise<{ strategy: Strategy; ref: string } | { problem: string }> {
  if (!isStrategyPath(name)) {
    try {
      return { strategy: getStrategy(name), ref: name };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }
  const file = resolve(baseDir, name);
  const problem = await fileProblem(file);
  if (problem !== undefined) return { problem };
  try {
    return { strategy: await loadStrategy(file), ref: file };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/**
 * The strategy with each parameter's spec narrowed to the template's bound, or undefined (issues
 * added) when a bound does not fit. Parameters the template leaves out are pinned to their default.
 */
function narrow(
  strategy: Strategy,
  bounds: Readonly<Record<string, ParamBound>>,
  at: readonly PathSegment[],
  issues: Issue[],
): Strategy | undefined {
  const before = issues.length;
  const names = Object.keys(strategy.params);
  for (const name of Object.keys(bounds)) {
    if (!Object.hasOwn(strategy.params, name)) {
      const known = names.length === 0 ? "it takes none" : `expected one of: ${names.join(", ")}`;
      issues.push({
        path: [...at, name],
        message: `unknown parameter of ${strategy.name}, ${known}`,
        at: "key",
      });
    }
  }
  const params: Record<string, ParamSpec> = {};
  for (const [name, spec] of Object.entries(strategy.params)) {
    const bound = Object.hasOwn(bounds, name) ? bounds[name] : undefined;
    const where = [...at, name];
    const problem =
      bound === undefined ? undefined : boundProblem(strategy.name, name, spec, bound);
    if (problem !== undefined) issues.push({ path: where, message: problem });
    else params[name] = narrowSpec(spec, bound ?? spec.default);
  }
  if (issues.length > before) return undefined;
  const narrowed: Strategy = { ...strategy, params };
  if (randomOf(narrowed, 1, 0).length === 0) {
    const first = Object.fromEntries(Object.entries(params).map(([n, s]) => [n, lowest(s)]));
    const reason = strategy.validate?.(first);
    issues.push({
      path: at,
      message:
        `no combination in these ranges passes ${strategy.name}'s check` +
        (reason === undefined ? "" : ` (${reason})`),
    });
    return undefined;
  }
  return narrowed;
}

function boundProblem(
  strategy: string,
  name: string,
  spec: ParamSpec,
  bound: ParamBound,
): string | undefined {
  const limits = `${strategy}'s ${name}`;
  if (typeof bound !== "object") {
    return fits(spec, bound)
      ? undefined
      : `expected ${allowed(spec)} (${limits}), got ${describe(bound)}`;
  }
  if (spec.type === "choice") {
    return `expected one value, one of: ${spec.options.join(", ")} (${limits} is a choice, not a range)`;
  }
  const { min, max, step } = bound;
  if (min < spec.min || max > spec.max) {
    return `expected a range within ${spec.min}..${spec.max} (${limits}), got ${min}..${max}`;
  }
  if (spec.type === "int" && ![min, max, step ?? 1].every(Number.isInteger)) {
    return `expected whole numbers for min, max and step (${limits} is an integer)`;
  }
  return undefined;
}

function fits(spec: ParamSpec, value: number | string): boolean {
  if (spec.type === "choice") return spec.options.includes(String(value));
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (value < spec.min || value > spec.max) return false;
  return spec.type === "float" || Number.isInteger(value);
}

function allowed(spec: ParamSpec): string {
  switch (spec.type) {
    case "int":
      return `an integer from ${spec.min} to ${spec.max}`;
    case "float":
      return `a number from ${spec.min} to ${spec.max}`;
    case "choice":
      return `one of: ${spec.options.join(", ")}`;
  }
}

/** The spec searching only `bound`: a value is a range of one. */
function narrowSpec(spec: ParamSpec, bound: ParamBound): ParamSpec {
  if (spec.type === "choice") {
    const value = String(bound);
    return { ...spec, default: value, options: [value] };
  }
  if (typeof bound !== "object") {
    const value = Number(bound);
    const { step: _, ...rest } = spec;
    return { ...rest, default: value, min: value, max: value };
  }
  const inside = spec.default >= bound.min && spec.default <= bound.max;
  const step = bound.step ?? spec.step;
  return {
    ...spec,
    min: bound.min,
    max: bound.max,
    default: inside ? spec.default : bound.min,
    ...(step === undefined ? {} : { step }),
  };
}

function lowest(spec: ParamSpec): number | string {
  return spec.type === "choice" ? spec.default : spec.min;
}
