/**
 * The explore/exploit rule: in which order a Trader backtests (strategy, params) candidates on
 * its pair, given what earlier Traders recorded there (`learned.outcomes`). Epsilon-greedy over
 * candidate slots, deterministic for a seed:
 *
 * 1. Known arms: each (strategy, params) with outcomes on this pair that the template still
 *    allows (the strategy is listed, the params fit its current bounds and its check). An arm's
 *    score is the mean `returnPct` of its outcomes. Good arms (score > 0) are ordered best first,
 *    ties to the arm with more outcomes, then to the more recent; failed arms (score ≤ 0) likewise.
 * 2. Untried arms: for each strategy, `evaluation.candidates` parameter sets drawn from the
 *    template's bounds (randomOf, seeded), minus known ones; strategies interleaved in turn, so
 *    each gets explored.
 * 3. The order: the best good arm first — the next Trader starts from what worked. Each later
 *    slot explores with probability `evaluation.explore` (a seeded draw): it takes the next
 *    untried arm, otherwise the next good one; when one queue runs dry the other fills in. Failed
 *    arms come after both queues: they sink, and are retried only when nothing else is left.
 * 4. Strategies the Holder marked failed on this pair (`options.failed`) go after all the rest.
 *
 * The Trader backtests the first `evaluation.candidates` of the list; the list holds every arm.
 */

import { Random } from "../../sim/random.js";
import { randomOf } from "../../strategy/params.js";
import type { ParamSpec, ParamValue, ParamValues } from "../../strategy/strategy.js";
import type { FailedStrategy, TraderStrategy, TraderTemplate } from "./types.js";

export interface Candidate {
  /** As the template names it. */
  readonly strategy: string;
  readonly params: ParamValues;
}

export interface OrderOptions {
  /** The holder template's failed strategies: those failed on this pair are tried last. */
  readonly failed?: readonly FailedStrategy[];
}

interface Arm extends Candidate {
  count: number;
  totalReturn: number;
  lastAt: number;
}

/**
 * @example
 * const order = orderCandidates(trader, "BTC/USDT", "BTC/USDT#3");
 * const toTest = order.slice(0, trader.evaluation.candidates);
 */
export function orderCandidates(
  template: TraderTemplate,
  pair: string,
  seed: number | string,
  options: OrderOptions = {},
): Candidate[] {
  const known = knownArms(template, pair);
  const score = (arm: Arm) => arm.totalReturn / arm.count;
  const ranked = [...known.values()].sort(
    (a, b) => score(b) - score(a) || b.count - a.count || b.lastAt - a.lastAt,
  );
  const good = ranked.filter((arm) => score(arm) > 0);
  const failed = ranked.filter((arm) => score(arm) <= 0);
  const untried = untriedArms(template, seed, known);

  const random = new Random(seed).fork("explore");
  const order: Candidate[] = [];
  let g = 0;
  let u = 0;
  while (g < good.length || u < untried.length) {
    const explore =
      u < untried.length &&
      (g >= good.length || (order.length > 0 && random.chance(template.evaluation.explore)));
    order.push(explore ? untried[u++]! : good[g++]!);
  }
  for (const arm of failed) order.push(arm);

  const sinking = new Set(
    (options.failed ?? []).filter((f) => f.pairs.includes(pair)).map((f) => f.strategy),
  );
  const candidates = order.map(({ strategy, params }) => ({ strategy, params }));
  return [
    ...candidates.filter((c) => !sinking.has(c.strategy)),
    ...candidates.filter((c) => sinking.has(c.strategy)),
  ];
}

function knownArms(template: TraderTemplate, pair: string): Map<string, Arm> {
  const arms = new Map<string, Arm>();
  const outcomes = Object.hasOwn(template.learned.outcomes, pair)
    ? (template.learned.outcomes[pair] ?? [])
    : [];
  for (const outcome of outcomes) {
    const entry = template.strategies.find((s) => s.name === outcome.strategy);
    const params = entry === undefined ? undefined : allowedNow(entry, outcome.params);
    if (entry === undefined || params === undefined) continue;
    const key = keyOf(entry.name, params);
    const arm = arms.get(key) ?? {
      strategy: entry.name,
      params,
      count: 0,
      totalReturn: 0,
      lastAt: Number.NEGATIVE_INFINITY,
    };
    arm.count += 1;
    arm.totalReturn += outcome.returnPct;
    arm.lastAt = Math.max(arm.lastAt, outcome.at);
    arms.set(key, arm);
  }
  return arms;
}

function untriedArms(
  template: TraderTemplate,
  seed: number | string,
  known: ReadonlyMap<string, Arm>,
): Candidate[] {
  const perStrategy = template.strategies.map((entry) =>
    randomOf(entry.strategy, template.evaluation.candidates, `${seed}/${entry.name}`)
      .filter((params) => !known.has(keyOf(entry.name, params)))
      .map((params) => ({ strategy: entry.name, params })),
  );
  const out: Candidate[] = [];
  const longest = Math.max(0, ...perStrategy.map((list) => list.length));
  for (let k = 0; k < longest; k++) {
    for (const list of perStrategy) {
      const candidate = list[k];
      if (candidate !== undefined) out.push(candidate);
    }
  }
  return out;
}

/**
 * Recorded params as the template allows them now, in schema order, or undefined when a human
 * has since narrowed the bounds past them (or they name a parameter the strategy lacks).
 */
function allowedNow(entry: TraderStrategy, recorded: ParamValues): ParamValues | undefined {
  const specs = entry.strategy.params;
  if (Object.keys(recorded).some((name) => !Object.hasOwn(specs, name))) return undefined;
  const values: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = Object.hasOwn(recorded, name) ? recorded[name] : pinned(spec);
    if (value === undefined || !allows(spec, value)) return undefined;
    values[name] = value;
  }
  if (entry.strategy.validate?.(values) !== undefined) return undefined;
  return Object.freeze(values);
}

function pinned(spec: ParamSpec): ParamValue | undefined {
  if (spec.type === "choice") return spec.options.length === 1 ? spec.options[0] : undefined;
  return spec.min === spec.max ? spec.min : undefined;
}

function allows(spec: ParamSpec, value: ParamValue): boolean {
  if (spec.type === "choice") return typeof value === "string" && spec.options.includes(value);
  if (typeof value !== "number" || value < spec.min || value > spec.max) return false;
  return spec.type === "float" || Number.isInteger(value);
}

function keyOf(strategy: string, params: ParamValues): string {
  return `${strategy}\u0000${JSON.stringify(params)}`;
}
