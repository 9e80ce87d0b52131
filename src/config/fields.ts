/**
 * Field builders for strict config schemas. Each leaf has one "expected …" description used for
 * every way it can be wrong, so a human reads the same sentence whether the value is missing, of
 * the wrong type or out of range; issues.ts appends what the file actually has.
 */

import { z } from "zod";
import { parseMarket } from "../domain/market.js";
import { parseDuration, parseInstant, parseTimeframe } from "./time-text.js";

const UNSIGNED_DECIMAL = /^\d+(?:\.\d+)?$/;
const SIGNED_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const DECIMAL_MAX_CHARS = 40;
const ASSET_CODE = /^[A-Z0-9]{1,20}$/;
const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const NAME_MAX = 32;
const DAY_MS = 86_400_000;
const FLOAT_HINT = " (quote it: YAML reads an unquoted number as a binary float)";

/** The one message a leaf gives for every way it can be wrong. */
export function expected(
  description: string,
  floatHint = false,
): (issue: { input?: unknown }) => string {
  return (issue) =>
    floatHint && typeof issue.input === "number"
      ? `expected ${description}${FLOAT_HINT}`
      : `expected ${description}`;
}

export function text(description: string, valid: (s: string) => boolean, floatHint = false) {
  const error = expected(description, floatHint);
  return z.string({ error }).refine(valid, { error });
}

/** Decimal text only: no exponent, no "+", at most DECIMAL_MAX_CHARS characters. */
export function decimal(description: string, valid: (s: string) => boolean) {
  const isDecimal = (s: string) =>
    s.length <= DECIMAL_MAX_CHARS && SIGNED_DECIMAL.test(s) && valid(s);
  return text(description, isDecimal, true);
}

const isPositive = (s: string) => UNSIGNED_DECIMAL.test(s) && /[1-9]/.test(s);

export function positiveDecimal(example: string) {
  return decimal(`a positive decimal string like "${example}"`, isPositive);
}

export function nonNegativeDecimal(example: string) {
  return decimal(`a decimal string >= 0 like "${example}"`, (s) => UNSIGNED_DECIMAL.test(s));
}

export function int(min: number, max: number, description = `an integer from ${min} to ${max}`) {
  const error = expected(description);
  return z
    .number({ error })
    .refine((n) => Number.isSafeInteger(n) && n >= min && n <= max, { error });
}

/** A finite number in [min, max], or (min, max] when `minExclusive`. */
export function num(min: number, max: number, minExclusive = false) {
  const error = expected(
    `a number ${minExclusive ? "above" : "from"} ${min} ${minExclusive ? "up to" : "to"} ${max}`,
  );
  return z
    .number({ error })
    .refine((n) => Number.isFinite(n) && (minExclusive ? n > min : n >= min) && n <= max, {
      error,
    });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expected(`one of: ${values.join(", ")}`) });
}

export const bool = z.boolean({ error: expected("true or false") });

/** A strict mapping: an unknown key is reported with the keys allowed in its place. */
export function block<S extends z.ZodRawShape>(description: string, shape: S) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key, expected one of: ${allowed}`
        : `expected ${description}`,
  });
}

export function mapOf<K extends z.ZodType<string>, V extends z.ZodType>(
  description: string,
  key: K,
  value: V,
) {
  return z.record(key, value, { error: expected(description) });
}

export function listOf<T extends z.ZodType>(description: string, item: T) {
  return z.array(item, { error: expected(description) });
}

/** Adds an issue at each repeated element, so the second "limit" is the one pointed at. */
export function unique<T>(items: readonly T[], ctx: z.RefinementCtx): void {
  items.forEach((item, index) => {
    if (items.indexOf(item) !== index) {
      ctx.addIssue({ code: "custom", message: `duplicate ${JSON.stringify(item)}`, path: [index] });
    }
  });
}

export const assetCode = text('an asset code like "BTC" (A-Z and 0-9, up to 20 characters)', (s) =>
  ASSET_CODE.test(s),
);

export const name = (example: string) =>
  text(
    `a name like "${example}" (a-z, 0-9 and inner "-", up to ${NAME_MAX} characters)`,
    (s) => s.length <= NAME_MAX && NAME.test(s),
  );

/**
 * A market symbol the actors trade: spot ("BTC/USDT") or a linear contract, perpetual
 * ("BTC/USDT:USDT") or delivery ("BTC/USDT:USDT-250328"). Inverse contracts (settled in the base)
 * come later.
 */
export const marketSymbol = z
  .string({ error: expected('a market symbol like "BTC/USDT" or "BTC/USDT:USDT"') })
  .superRefine((symbol, ctx) => {
    try {
      const id = parseMarket(symbol);
      if (id.settle !== undefined && id.settle !== id.quote) {
        ctx.addIssue({
          code: "custom",
          message: `inverse contracts (settled in ${id.settle}) are not supported yet; spot or linear, like "BTC/USDT" or "BTC/USDT:USDT"`,
        });
      } else if (id.base === id.quote) {
        ctx.addIssue({ code: "custom", message: "base and quote must differ" });
      }
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  });

/**
 * A market symbol of a venue file: spot ("BTC/USDT"), perpetual ("BTC/USDT:USDT") or delivery
 * ("BTC/USDT:USDT-250328"), in ccxt's convention, inverse ones included.
 */
export const venueMarketSymbol = z
  .string({ error: expected('a market symbol like "BTC/USDT" or "BTC/USDT:USDT"') })
  .superRefine((symbol, ctx) => {
    try {
      const id = parseMarket(symbol);
      if (id.base === id.quote)
        ctx.addIssue({ code: "custom", message: "base and quote must differ" });
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  });

/** A candle timeframe up to a week: "1m", "15m", "4h", "1d". */
export const timeframe = text('a timeframe like "1m", "15m", "4h" or "1d"', (s) => {
  const ms = parseTimeframe(s);
  return ms !== undefined && ms <= 7 * DAY_MS;
});

/** A duration text ("90s", "15m", "1h", "2d") within [min, max] ms; the output stays text. */
export function duration(example: string, minMs = 1, maxMs = 365 * DAY_MS) {
  return text(`a duration like "${example}" (a whole number and one of ms, s, m, h, d, w)`, (s) => {
    const ms = parseDuration(s);
    return ms !== undefined && ms >= minMs && ms <= maxMs;
  });
}

/** An ISO 8601 instant with a zone; the output stays text. */
export const instant = text('an ISO 8601 time with a zone, like "2024-01-01T00:00:00Z"', (s) => {
  return parseInstant(s) !== undefined;
});

/** A file path, relative to the file that names it. */
export function filePath(example: string) {
  return text(`a file path like "${example}"`, (s) => s.trim() !== "" && !s.includes("\0"));
}
