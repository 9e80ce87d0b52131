/**
 * What the actors benchmark counts on the Traders' side, to check its results: every candle and
 * ticker delivered to a Trader's trade, every strategy update, and every exit check of each
 * position. The counters wrap the methods the Trader's subscriptions call (a few nanoseconds
 * each, paid by the Traders' side of the comparison only); nothing in the Trader changes.
 */
import { ExitLevels } from "../../src/actors/trader/exit-levels.js";
import { Trade } from "../../src/actors/trader/trade.js";
import { type SmaCrossParams, smaCross } from "../../src/strategy/builtins/sma-cross.js";
import { defineStrategy, type Strategy } from "../../src/strategy/strategy.js";

export const counts = {
  candles: 0,
  tickers: 0,
  /** Strategy updates: one per closed candle a Trader's strategy took in (backtests too). */
  updates: 0,
};

/** Exit checks per position (an ExitLevels is one Trader's). */
export const exitChecks = new Map<ExitLevels, number>();

const onCandle = Trade.prototype.onCandle;
Trade.prototype.onCandle = function (this: Trade, message) {
  counts.candles++;
  onCandle.call(this, message);
};

const onTicker = Trade.prototype.onTicker;
Trade.prototype.onTicker = function (this: Trade, message) {
  counts.tickers++;
  onTicker.call(this, message);
};

const hit = ExitLevels.prototype.hit;
ExitLevels.prototype.hit = function (this: ExitLevels, last: number) {
  exitChecks.set(this, (exitChecks.get(this) ?? 0) + 1);
  return hit.call(this, last);
};

/** sma-cross as it is, its signals included, counting its updates. */
export const countedSmaCross = defineStrategy<SmaCrossParams>({
  name: smaCross.name,
  description: smaCross.description,
  params: smaCross.params,
  warmup: (params) => smaCross.warmup(params),
  validate: (params) => smaCross.validate?.(params),
  create(params) {
    const inner = smaCross.create(params);
    return {
      onCandle(candle, ctx) {
        counts.updates++;
        return inner.onCandle(candle, ctx);
      },
    };
  },
}) as unknown as Strategy;
