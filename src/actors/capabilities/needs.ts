/**
 * Does a set of capabilities allow what a strategy needs on a market? The reason when it does not
 * is the one a refusal carries, so it names where the capability was switched off.
 */
import type { Capabilities, Needs } from "./types.js";

/** Why `caps` do not allow `needs` on `market`, or undefined when they do. */
export function lacking(caps: Capabilities, market: string, needs: Needs): string | undefined {
  if (needs.short === true) {
    if (!caps.shorting) return caps.off.shorting ?? `${caps.of} may not short`;
    const kind = Object.hasOwn(caps.markets, market) ? caps.markets[market] : undefined;
    if (kind === undefined) return `${market} is not a market of ${caps.of}: no shorting there`;
    if (kind === "spot") return `${market} is a spot market: the venue has no shorting on spot`;
  }
  const leverage = needs.leverage ?? 1;
  if (leverage > caps.maxLeverage) {
    const why = caps.off.leverage === undefined ? "" : `: ${caps.off.leverage}`;
    return `leverage ${leverage} is above the ${caps.maxLeverage} allowed${why}`;
  }
  return undefined;
}

/** Needs as they travel on the bus: checked, or an error naming what is wrong. */
export function readNeeds(value: unknown): Needs | string {
  if (value === undefined) return {};
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return "needs must be a mapping like { short: true }";
  const { short, leverage, ...rest } = value as Record<string, unknown>;
  const unknownKeys = Object.keys(rest);
  if (unknownKeys.length > 0)
    return `needs has unknown keys ${unknownKeys.join(", ")} (allowed: short, leverage)`;
  if (short !== undefined && typeof short !== "boolean") return "needs.short must be true or false";
  if (
    leverage !== undefined &&
    (typeof leverage !== "number" || !Number.isFinite(leverage) || leverage < 1)
  )
    return "needs.leverage must be a number of at least 1";
  return {
    ...(short === undefined ? {} : { short }),
    ...(leverage === undefined ? {} : { leverage }),
  };
}

/** Needs worth saying: none when a strategy needs nothing beyond a long spot position. */
export function needsSomething(needs: Needs | undefined): boolean {
  return needs !== undefined && (needs.short === true || (needs.leverage ?? 1) > 1);
}
