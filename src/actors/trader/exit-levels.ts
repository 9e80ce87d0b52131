/**
 * A position's exits, as prices: for a long a stop loss below and a take profit above, for a short
 * (a perpetual's) the mirror — a stop loss above and a take profit below. They are set at entry
 * from the percents (the template's, or a person's `set`/`adjust` before entry) and may be moved
 * by `adjust` while in position — never to the wrong side of the last price.
 */
import { InvalidInputError } from "../../domain/errors.js";

export type ExitPercent = "stopLossPct" | "takeProfitPct";

export class ExitLevels {
  /** Percent of the entry price; 0 = none. */
  readonly percents: Record<ExitPercent, number>;
  stopLoss: number | undefined;
  takeProfit: number | undefined;
  /** The position's side, from `arm`: which way the levels lie. */
  side: "long" | "short" = "long";

  constructor(stopLossPct: number, takeProfitPct: number) {
    this.percents = { stopLossPct, takeProfitPct };
  }

  /** At entry: the levels from the percents, on the side of a `side` position. */
  arm(entry: number, side: "long" | "short" = "long"): void {
    const { stopLossPct, takeProfitPct } = this.percents;
    this.side = side;
    this.stopLoss = stopLossPct > 0 ? entry * (1 - this.#sign * (stopLossPct / 100)) : undefined;
    this.takeProfit =
      takeProfitPct > 0 ? entry * (1 + this.#sign * (takeProfitPct / 100)) : undefined;
  }

  /** The exit `last` reaches, if any. */
  hit(last: number): "stop-loss" | "take-profit" | undefined {
    const s = this.#sign;
    if (this.stopLoss !== undefined && s * last <= s * this.stopLoss) return "stop-loss";
    if (this.takeProfit !== undefined && s * last >= s * this.takeProfit) return "take-profit";
    return undefined;
  }

  /** 1 for a long, -1 for a short: a short's levels are a long's mirrored about the entry. */
  get #sign(): number {
    return this.side === "short" ? -1 : 1;
  }

  /**
   * `adjust sl|tp`: before entry (`entry` NaN) a percent sets what `arm` will use; in position a
   * price, or a percent of `entry`, moves the level. Returns what changed.
   */
  adjust(
    which: "sl" | "tp",
    level: number,
    percent: boolean,
    position: { entry: number; last: number; inPosition: boolean; state: string },
  ): Record<string, number | undefined> {
    const { entry, last } = position;
    if (percent && !Number.isFinite(entry)) {
      const key: ExitPercent = which === "sl" ? "stopLossPct" : "takeProfitPct";
      this.percents[key] = level;
      return { [key]: level };
    }
    if (!percent && !position.inPosition)
      throw new InvalidInputError(
        `a price level needs a position; this Trader is ${position.state}`,
      );
    const s = this.#sign;
    const price = percent
      ? entry * (which === "sl" ? 1 - s * (level / 100) : 1 + s * (level / 100))
      : level;
    const below = this.side === "long" ? "below" : "above";
    const above = this.side === "long" ? "above" : "below";
    if (which === "sl") {
      if (Number.isFinite(last) && s * price >= s * last)
        throw new InvalidInputError(
          `a stop loss of ${price} is not ${below} the last price ${last}`,
        );
      this.stopLoss = price > 0 ? price : undefined;
    } else {
      if (Number.isFinite(last) && s * price <= s * last)
        throw new InvalidInputError(
          `a take profit of ${price} is not ${above} the last price ${last}`,
        );
      this.takeProfit = price > 0 ? price : undefined;
    }
    return { stopLoss: this.stopLoss, takeProfit: this.takeProfit };
  }
}
