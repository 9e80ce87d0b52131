/**
 * The Trader's own commands (on top of every actor's): its position and strategy, and a person's
 * hand on the trade — enter now, move the stop loss or take profit, exit, or kill the attempt.
 * Its settings (`get`/`set`) are the exits' percents.
 */

import { InvalidInputError } from "../../domain/errors.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { traderTemplateSchema } from "../templates/schema.js";
import type { ExitPercent } from "./exit-levels.js";

export interface TraderControls {
  position(): unknown;
  strategy(): unknown;
  params(): unknown;
  enter(): Promise<unknown>;
  exit(reason: string): Promise<unknown>;
  /** `level` is a price, or a percent of the entry price when `percent`. */
  adjust(which: "sl" | "tp", level: number, percent: boolean): unknown;
}

export function traderCommands(trader: TraderControls): CommandSpec[] {
  return [
    {
      name: "position",
      usage: "position",
      summary: "what is held, at what entry, its PnL and its exits",
      run: () => trader.position(),
    },
    {
      name: "strategy",
      usage: "strategy",
      summary: "the strategy this Trader runs",
      run: () => trader.strategy(),
    },
    {
      name: "params",
      usage: "params",
      summary: "the strategy's parameters",
      run: () => trader.params(),
    },
    {
      name: "enter",
      usage: "enter",
      summary: "buy now with the mandate, without waiting for the entry signal",
      mutating: true,
      run: () => trader.enter(),
    },
    {
      name: "exit",
      usage: "exit",
      summary: "sell the position now and report the result",
      mutating: true,
      run: (_args, caller) => trader.exit(`manual (${caller.who})`),
    },
    {
      name: "adjust",
      usage: "adjust sl|tp <price|percent%>",
      summary: "move the stop loss or take profit, e.g. adjust sl 61250 or adjust tp 3%",
      mutating: true,
      complete: (i) => (i === 0 ? ["sl", "tp"] : []),
      run: ([which, value, ...rest]) => {
        if ((which !== "sl" && which !== "tp") || value === undefined || rest.length > 0)
          throw new InvalidInputError(
            "adjust needs sl or tp and a value: adjust sl 61250, adjust tp 3%",
          );
        const percent = value.endsWith("%");
        const level = Number(percent ? value.slice(0, -1) : value);
        if (!Number.isFinite(level) || level < 0)
          throw new InvalidInputError(
            `adjust ${which}: ${JSON.stringify(value)} is not a price or a percent`,
          );
        return trader.adjust(which, level, percent);
      },
    },
    {
      name: "kill",
      usage: "kill",
      summary: "end this attempt now (selling any position first)",
      mutating: true,
      run: (_args, caller) => trader.exit(`killed (${caller.who})`),
    },
  ];
}

/** `get`/`set` of the exits' percents, each checked by its trader template field. */
export function traderSettings(percents: Record<ExitPercent, number>): Settings {
  const exits = traderTemplateSchema.shape.exits.out.shape;
  const pct = (key: ExitPercent) => ({
    schema: exits[key].unwrap(),
    get: () => percents[key],
    set: (value: unknown) => {
      percents[key] = value as number;
    },
  });
  return { "exits.stopLossPct": pct("stopLossPct"), "exits.takeProfitPct": pct("takeProfitPct") };
}
