/**
 * Field builders for strict config schemas. Each leaf has one "expected …" description used for
 * every way it can be wrong, so a human reads the same sentence whether the value is missing, of
 * the wrong type or out of range; issues.ts appends what the file actually has.
 */

import { z } from "zod";

const UNSIGNED_DECIMAL = /^\d+(?:\.\d+)?$/;
const SIGNED_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const DECIMAL_MAX_CHARS = 40;
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
