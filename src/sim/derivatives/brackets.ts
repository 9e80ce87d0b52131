/**
 * Leverage brackets: tiered maintenance margin, as Binance USDⓈ-M's GET /fapi/v1/leverageBracket
 * gives them ({ bracket, initialLeverage, notionalFloor, notionalCap, maintMarginRatio, cum }).
 *
 * Rules:
 * - Brackets are contiguous and ordered: the first starts at notional 0, each starts where the one
 *   before it ends, caps rise, and the maintenance margin ratio never falls from one to the next
 *   (a bigger position never needs a smaller share of margin). Max leverage never rises.
 * - A position of notional n is in the bracket with floor < n ≤ cap (n = 0 is in the first);
 *   Binance lists its tiers as "floor < position ≤ cap".
 * - Maintenance margin = n × mmr − cum, where cum (Binance's "maintenance amount") makes the tiered
 *   margin continuous at every floor, as a marginal (tax-bracket) scheme would:
 *       cum_1 = 0,   cum_k = cum_{k−1} + floor_k × (mmr_k − mmr_{k−1}).
 *   cum is always computed here; a published cum that disagrees is an error naming the bracket,
 *   because a wrong table would liquidate at the wrong price.
 * - Notional floors, caps and cum are settle-currency minor units (exact: a floor × an mmr has at
 *   most settleDecimals + RATE_SCALE decimals, and cum must come out whole at settleDecimals).
 */
import { InvalidInputError } from "../../domain/errors.js";
import { formatDecimal, parseDecimal } from "../../domain/fixed.js";
import { parseRate, RATE_ONE } from "./rate.js";

/** One tier as a venue file or the leverageBracket endpoint writes it (decimal strings). */
export interface BracketSpec {
  notionalFloor: string;
  notionalCap: string;
  maxLeverage: number;
  maintMarginRatio: string;
  /** Binance's "cum". Optional: computed from the tiers, and checked when given. */
  maintAmount?: string;
}

export interface LeverageBracket {
  /** 1-based tier number, as Binance numbers them. */
  bracket: number;
  /** Settle minor units. */
  notionalFloor: bigint;
  notionalCap: bigint;
  maxLeverage: number;
  /** Fixed-point rate (RATE_SCALE). */
  maintMarginRatio: bigint;
  /** Settle minor units. */
  maintAmount: bigint;
}

/**
 * Reads and checks a bracket table; `settleDecimals` is the settle currency's minor-unit scale.
 *
 * @example
 * parseBrackets([{ notionalFloor: "0", notionalCap: "50000", maxLeverage: 125,
 *   maintMarginRatio: "0.004" }], 8)[0].maintAmount; // 0n
 */
export function parseBrackets(
  specs: readonly BracketSpec[],
  settleDecimals: number,
): readonly LeverageBracket[] {
  if (specs.length === 0) throw new InvalidInputError("leverage brackets: none given");
  const out: LeverageBracket[] = [];
  for (const [i, spec] of specs.entries()) {
    const n = i + 1;
    const where = `leverage bracket ${n}`;
    const floor = money(spec.notionalFloor, settleDecimals, `${where} notionalFloor`);
    const cap = money(spec.notionalCap, settleDecimals, `${where} notionalCap`);
    const mmr = parseRate(spec.maintMarginRatio, `${where} maintMarginRatio`);
    if (!Number.isInteger(spec.maxLeverage) || spec.maxLeverage < 1) {
      throw new InvalidInputError(`${where}: maxLeverage ${spec.maxLeverage} is not a whole ≥ 1`);
    }
    if (mmr <= 0n || mmr >= RATE_ONE) {
      throw new InvalidInputError(
        `${where}: maintMarginRatio ${spec.maintMarginRatio} not in (0, 1)`,
      );
    }
    if (cap <= floor)
      throw new InvalidInputError(`${where}: notionalCap is not above notionalFloor`);
    const prev = out[i - 1];
    if (prev === undefined) {
      if (floor !== 0n) throw new InvalidInputError(`${where}: the first bracket must start at 0`);
    } else {
      if (floor !== prev.notionalCap) {
        throw new InvalidInputError(`${where}: notionalFloor must equal bracket ${n - 1}'s cap`);
      }
      if (mmr < prev.maintMarginRatio) {
        throw new InvalidInputError(`${where}: maintMarginRatio is below bracket ${n - 1}'s`);
      }
      if (spec.maxLeverage > prev.maxLeverage) {
        throw new InvalidInputError(`${where}: maxLeverage is above bracket ${n - 1}'s`);
      }
    }
    const cum = maintAmountFor(floor, mmr, prev, where, settleDecimals);
    if (spec.maintAmount !== undefined) {
      const given = money(spec.maintAmount, settleDecimals, `${where} maintAmount`);
      if (given !== cum) {
        throw new InvalidInputError(
          `${where}: maintAmount ${spec.maintAmount} disagrees with the tiers, which give ` +
            formatDecimal(cum, settleDecimals),
        );
      }
    }
    out.push(
      Object.freeze({
        bracket: n,
        notionalFloor: floor,
        notionalCap: cap,
        maxLeverage: spec.maxLeverage,
        maintMarginRatio: mmr,
        maintAmount: cum,
      }),
    );
  }
  return Object.freeze(out);
}

/** The bracket holding notional n (settle units): floor < n ≤ cap, and 0 in the first. */
export function bracketFor(
  brackets: readonly LeverageBracket[],
  notional: bigint,
): LeverageBracket {
  if (notional < 0n) throw new InvalidInputError(`notional ${notional} is negative`);
  for (const b of brackets) {
    if (notional <= b.notionalCap) return b;
  }
  const last = brackets[brackets.length - 1]!;
  throw new InvalidInputError(
    `notional ${notional} is beyond the last bracket's cap ${last.notionalCap} (max position)`,
  );
}

/** cum_k = cum_{k−1} + floor_k × (mmr_k − mmr_{k−1}), which must be whole in settle units. */
function maintAmountFor(
  floor: bigint,
  mmr: bigint,
  prev: LeverageBracket | undefined,
  where: string,
  settleDecimals: number,
): bigint {
  if (prev === undefined) return 0n;
  const step = floor * (mmr - prev.maintMarginRatio);
  if (step % RATE_ONE !== 0n) {
    throw new InvalidInputError(
      `${where}: maintenance amount is not whole at ${settleDecimals} settle decimals`,
    );
  }
  return prev.maintAmount + step / RATE_ONE;
}

function money(text: string, scale: number, what: string): bigint {
  try {
    const units = parseDecimal(text, scale);
    if (units < 0n) throw new InvalidInputError("negative");
    return units;
  } catch (cause) {
    throw new InvalidInputError(`${what}: ${JSON.stringify(text)} is not an amount`, { cause });
  }
}
