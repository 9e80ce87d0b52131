/**
 * The system as the templates describe it: the Desk template names the venue, the account, the
 * markets, the risk limits and the Holder template; the Holder template its criteria and Trader
 * templates. Templates are read again at every Trader spawn, so a human's edit applies to the next
 * Trader (an edit that does not load is reported once, and the last valid version stays in force);
 * outcomes are written back into them (learning).
 */
import { InternalError } from "../domain/errors.js";
import { formatDecimal, parseDecimal } from "../domain/fixed.js";
import { loadVenueConfig } from "../sim/config/index.js";
import type { VenueConfig } from "../sim/config/types.js";
import { loadStrategy } from "../strategy/registry.js";
import type { Clock } from "../time/clock.js";
import type { HolderPlan, TraderPlan } from "./system.js";
import {
  type DeskTemplate,
  holderPairs,
  loadDeskTemplate,
  loadHolderTemplate,
  loadTraderTemplate,
  markFailedStrategy,
  markLosingAsset,
  orderCandidates,
  recordTraderOutcome,
} from "./templates/index.js";
import { LastValid, type ReportProblem } from "./templates/last-valid.js";
import type { TraderOutcome } from "./trader/trader.js";

async function simulatedVenue(desk: DeskTemplate): Promise<VenueConfig> {
  if (desk.venue === undefined) {
    throw new InternalError(`${desk.file}: a Desk on ${desk.exchange?.id} needs its venue's rules`);
  }
  return loadVenueConfig(desk.venue);
}

/** Losing outcomes in a row after which an asset is marked in the Desk template. */
export const LOSING_STREAK = 3;

export interface TemplatePlans {
  desk: DeskTemplate;
  venue: VenueConfig;
  holderPlan: (asset: string) => Promise<HolderPlan>;
}

/**
 * `rules`: the venue's rules for a Desk on a real exchange (its markets as ccxt loaded them,
 * src/venues/ccxt/venue-rules.ts); a simulated Desk's come from its venue file.
 */
export async function plansFromTemplates(
  deskFile: string,
  clock: Clock,
  rules?: VenueConfig,
): Promise<TemplatePlans> {
  const desk = await loadDeskTemplate(deskFile);
  const venue = rules ?? (await simulatedVenue(desk));
  // Every template is checked before anything starts: an invalid one starts nothing. Once
  // running, an edit that does not load leaves the last valid version in force.
  const started = await loadHolderTemplate(desk.holderTemplate);
  const holders = new LastValid(loadHolderTemplate);
  holders.remember(desk.holderTemplate, started);
  const traders = new LastValid(loadTraderTemplate);
  const checked = await Promise.all(
    started.traderTemplates.map(async (file) => ({
      file,
      template: await loadTraderTemplate(file),
    })),
  );
  for (const { file, template } of checked) traders.remember(file, template);
  // What a Trader is made from when its file never loaded (a new name in the holder template).
  let lastUsed = checked[0]!;
  const holderNow = async (report?: ReportProblem) =>
    (await holders.read(desk.holderTemplate, report)) ?? started;
  const losing = new Map<string, { streak: number; trades: number; pnl: bigint; since: number }>();
  let spawns = 0;
  /** The trader template each market's latest Trader was made from: its outcome is learnt there. */
  const madeFrom = new Map<string, string>();

  const holderPlan = async (asset: string): Promise<HolderPlan> => {
    const holder = await holderNow();
    const decimals = venue.assets[asset]?.decimals ?? 8;
    return {
      criteria: holder.criteria,
      fraction: holder.allocation.fraction,
      maxTraders: holder.allocation.maxTraders,
      mandateTtlMs: holder.mandateTtlMs,
      approval: holder.approval,
      reviewMs: holder.reviewMs,
      may: holder.may,
      pairs: holderPairs(holder, asset, Object.keys(venue.markets)),
      traderPlan: async (market: string, report?: ReportProblem): Promise<TraderPlan> => {
        // Read now: a human's edit since the last spawn applies to this Trader.
        const h = await holderNow(report);
        const named = h.traderTemplates[spawns % h.traderTemplates.length]!;
        const read = await traders.read(named, report);
        if (read !== undefined) lastUsed = { file: named, template: read };
        const { file, template: t } = lastUsed;
        madeFrom.set(market, file);
        spawns++;
        const ordered = orderCandidates(t, market, `${market}#${spawns}`, {
          failed: h.learned.failedStrategies,
        });
        const candidates = await Promise.all(
          ordered.slice(0, t.evaluation.candidates).map(async (c) => ({
            strategy: await loadStrategy(c.strategy),
            params: c.params,
            template: file,
          })),
        );
        return {
          candidates,
          warmupCandles: t.warmup.candles,
          inSampleFraction: t.evaluation.inSampleFraction,
          objective: t.evaluation.objective,
          stopLossPct: t.exits.stopLossPct,
          takeProfitPct: t.exits.takeProfitPct,
        };
      },
      onOutcome: async (o: TraderOutcome) => {
        // An exact decimal string; a value with more decimals than the asset's rounds half-even.
        const units = parseDecimal(o.pnl, decimals, "half-even");
        const pnl = formatDecimal(units, decimals);
        const files: string[] = [];
        const h = await holderNow();
        // The template the Trader was made from (a file of the holder template's list, never a
        // path from the bus), or the first one for an outcome nobody here spawned.
        const traderFile = madeFrom.get(o.market) ?? h.traderTemplates[0]!;
        await recordTraderOutcome(traderFile, o.market, {
          strategy: o.strategy,
          params: o.params as Record<string, number | string>,
          trades: o.trades,
          pnl,
          returnPct: o.returnPct * 100,
          at: wholeMs(clock),
        });
        files.push(traderFile);
        if (o.trades > 0 && parseDecimal(pnl, decimals) < 0n) {
          await markFailedStrategy(desk.holderTemplate, o.strategy, o.market, o.trades, pnl);
          files.push(desk.holderTemplate);
        }
        const streak = losing.get(asset) ?? {
          streak: 0,
          trades: 0,
          pnl: 0n,
          since: wholeMs(clock),
        };
        if (o.trades > 0 && units < 0n) {
          streak.streak++;
          streak.trades += o.trades;
          streak.pnl += units;
        } else if (o.trades > 0) {
          losing.delete(asset);
        }
        if (o.trades > 0 && units < 0n) losing.set(asset, streak);
        if (streak.streak >= LOSING_STREAK) {
          await markLosingAsset(
            deskFile,
            asset,
            streak.trades,
            formatDecimal(streak.pnl, decimals),
            streak.since,
          );
          files.push(deskFile);
          losing.delete(asset);
        }
        return files;
      },
    };
  };
  return { desk, venue, holderPlan };
}

/** A wall clock's now() has a fraction of a ms; what is recorded is whole epoch ms. */
function wholeMs(clock: Clock): number {
  return Math.floor(clock.now());
}
