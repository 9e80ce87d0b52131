/**
 * What a loaded template holds: the file's settings with defaults applied, paths made absolute,
 * durations and instants read into milliseconds, and everything frozen. The `learned` sections
 * are written by crypy (learning.ts); the rest by a human.
 */

import type { Objective } from "../../strategy/search/sweep.js";
import type { ParamValue, ParamValues, Strategy } from "../../strategy/strategy.js";

import type { ExchangeMode } from "./schema.js";

/** A Desk: one exchange account, the markets it watches and the limits every order meets. */
export interface DeskTemplate {
  /** The path the template was loaded from (its name in errors and for write-back). */
  readonly file: string;
  /** The exchange's name; the Desk is `<name>-<account>`, e.g. sim-main. */
  readonly name: string;
  /** Absolute path of the venue file (the simulator); a Desk on a real `exchange` has none. */
  readonly venue: string | undefined;
  /** A real exchange through ccxt, instead of the simulator. */
  readonly exchange: ExchangeSettings | undefined;
  readonly account: string;
  /** Markets whose data the Desk publishes. */
  readonly watch: readonly string[];
  readonly marketData: { readonly candleTimeframe: string; readonly tickerEveryMs: number };
  /** Assets to create a Holder for; each is held by the account. */
  readonly assets: readonly string[];
  readonly risk: DeskRisk;
  /** How far balances at restart may differ from what explains them before the Desk halts. */
  readonly balanceTolerance: { readonly relative: string; readonly absolute: string };
  /** Absolute path of the template every Holder of this Desk is made from. */
  readonly holderTemplate: string;
  readonly learned: { readonly losingAssets: readonly LosingAsset[] };
}

/** A desk template's real exchange: ccxt's id, the mode, and where its keys are. */
export interface ExchangeSettings {
  readonly id: string;
  readonly mode: ExchangeMode;
  /** Absolute path of a 0600 credentials file; none: the environment (CRYPY_<ID>_API_KEY, …). */
  readonly credentials: string | undefined;
  /** ccxt `urls` overrides, e.g. to point at `crypy venue serve`. */
  readonly urls: Readonly<Record<string, unknown>> | undefined;
  readonly options: Readonly<Record<string, unknown>> | undefined;
  /** The venue's request-weight limit (ccxt's cost units); none: ccxt's own figure. */
  readonly requestWeight: { readonly weight: number; readonly windowMs: number } | undefined;
  /** Paper mode's starting balances (decimal strings by asset). */
  readonly paperBalances: Readonly<Record<string, string>>;
}

/** Decimal strings in the quote asset of the order's market. */
export interface DeskRisk {
  readonly maxOrderNotional: string;
  readonly maxPositionNotional: string;
  readonly maxDailyLoss: string;
  readonly maxOrdersPerSecond: number;
  /** Contract markets: margin in use over the settle balance, at most (a fraction). */
  readonly maxMarginUsage?: string;
}

export interface LosingAsset {
  readonly asset: string;
  readonly trades: number;
  /** Decimal string in the asset, negative for a loss. */
  readonly pnl: string;
  /** Epoch ms from which trades and pnl were counted. */
  readonly since: number;
}

/** A Holder: when it accepts a Trader's proposal, how much it gives, and whom it spawns. */
export interface HolderTemplate {
  readonly file: string;
  /** A proposal's out-of-sample metrics must meet every one (see strategy/backtest Metrics). */
  readonly criteria: {
    readonly minSharpe: number;
    /** Fraction, e.g. 0.2 = a fall of 20 % from a peak. */
    readonly maxDrawdown: number;
    readonly minTrades: number;
    /** totalReturn − buyAndHoldReturn, as fractions. */
    readonly minReturnOverBuyAndHold: number;
  };
  readonly allocation: {
    /** Share of the free capital given per accepted proposal. */
    readonly fraction: number;
    /** Traders alive at once. */
    readonly maxTraders: number;
  };
  /** How long a mandate is valid, ms. */
  readonly mandateTtlMs: number;
  /** Who decides proposals: the criteria (auto), a person for failures (review), or always (manual). */
  readonly approval: "auto" | "review" | "manual";
  /** How long a proposal waits for a person before it is refused, ms. */
  readonly reviewMs: number;
  /** What its Traders may do beyond long spot, within what the venue allows. */
  readonly may: { readonly short: boolean; readonly leverage: number };
  /** Absolute paths of the trader templates to spawn from, tried in order. */
  readonly traderTemplates: readonly string[];
  /** Markets to trade; undefined = every market of the venue quoted in the Holder's asset. */
  readonly pairs: readonly string[] | undefined;
  readonly learned: { readonly failedStrategies: readonly FailedStrategy[] };
}

export interface FailedStrategy {
  /** As the trader template names it. */
  readonly strategy: string;
  readonly pairs: readonly string[];
  readonly trades: number;
  /** Decimal string in the Holder's asset. */
  readonly pnl: string;
}

/**
 * A parameter as a template bounds it: one value, or a range searched by `step` (default: the
 * strategy's own step for that parameter).
 */
export type ParamBound =
  | ParamValue
  | { readonly min: number; readonly max: number; readonly step?: number };

export interface TraderStrategy {
  /** As written in the template: a built-in name or a path. Outcomes are recorded under it. */
  readonly name: string;
  /** What `loadStrategy` takes: the built-in name, or the absolute path of the file. */
  readonly ref: string;
  /** The template's bounds, as written; parameters left out stay at the strategy's default. */
  readonly params: Readonly<Record<string, ParamBound>>;
  /**
   * The strategy with its parameter specs narrowed to those bounds (a pinned value is a range of
   * one), so `gridOf`/`randomOf` on it draw only what the template allows.
   */
  readonly strategy: Strategy;
}

/** A Trader: the strategies it tries on its pair, how it judges them and how it exits. */
export interface TraderTemplate {
  readonly file: string;
  readonly strategies: readonly TraderStrategy[];
  readonly warmup: { readonly candles: number; readonly timeframe: string };
  readonly evaluation: {
    /** Share of each walk-forward fold used to fit, in (0, 1). */
    readonly inSampleFraction: number;
    readonly folds: number;
    /** Parameter sets backtested per attempt. */
    readonly candidates: number;
    readonly objective: Objective;
    /** Share of the candidate slots after the first given to untried parameter sets. */
    readonly explore: number;
  };
  /** Percent of the entry price; 0 = none. */
  readonly exits: { readonly stopLossPct: number; readonly takeProfitPct: number };
  readonly learned: {
    /** By market symbol, oldest first. */
    readonly outcomes: Readonly<Record<string, readonly TraderOutcome[]>>;
  };
}

/** How one Trader's attempt ended. */
export interface TraderOutcome {
  /** As the trader template names it. */
  readonly strategy: string;
  readonly params: ParamValues;
  readonly trades: number;
  /** Decimal string in the quote asset, negative for a loss. */
  readonly pnl: string;
  /** Return on the capital allocated, in percent (2.5 = +2.5 %). */
  readonly returnPct: number;
  /** Epoch ms when the attempt ended. */
  readonly at: number;
}
