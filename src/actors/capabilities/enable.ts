/**
 * Which of a Trader's candidates its capabilities allow: a strategy that needs what the Holder's
 * capabilities lack (shorting on spot, or where the Holder may not short; more leverage) is
 * dropped before any backtest, with the reason, so the Trader never proposes what would be refused.
 */
import { lacking } from "./needs.js";
import type { Capabilities, Needs } from "./types.js";

export interface Dropped {
  readonly strategy: string;
  readonly reason: string;
}

export function enabledCandidates<C extends { strategy: { name: string; needs?: Needs } }>(
  candidates: readonly C[],
  caps: Capabilities | undefined,
  market: string,
): { enabled: C[]; dropped: Dropped[] } {
  const enabled: C[] = [];
  const dropped: Dropped[] = [];
  for (const candidate of candidates) {
    const needs = candidate.strategy.needs ?? {};
    const reason =
      caps === undefined
        ? needs.short === true || (needs.leverage ?? 1) > 1
          ? "its Holder gave no capabilities: only a long unlevered strategy may run"
          : undefined
        : lacking(caps, market, needs);
    if (reason === undefined) enabled.push(candidate);
    else dropped.push({ strategy: candidate.strategy.name, reason });
  }
  return { enabled, dropped };
}
