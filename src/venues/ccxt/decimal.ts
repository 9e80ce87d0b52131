/**
 * Numbers across the ccxt boundary, exactly. crypy's money is decimal strings; ccxt's unified
 * structures are floats by default. Why each rule below:
 *
 * - CcxtVenue sets `exchange.number = String` (a documented ccxt switch: `parseNumber` ends in
 *   `this.number(text)`). ccxt parses every exchange payload as strings and does its own
 *   arithmetic (filled, cost, average) with its string-exact `Precise`, so with that switch
 *   markets, tickers, trades, balances and orders come out as the exchange's own decimal text.
 *   `readDecimal` only checks that text and gives it crypy's one spelling (fixed.ts).
 * - Order-book levels stay floats whatever `number` is (ccxt's `parseOrderBookBidAsk` uses
 *   `safeFloat`: its books sort and merge numerically). A level is recovered exactly by
 *   `snapToStep`: the float's shortest form rounded half-even to the market's tick (price) or lot
 *   (amount). A double is within one part in 10^15 of the exchange's decimal, far less than half
 *   a step for any real market, so the rounding lands on the exchange's own value.
 * - Outgoing amounts and prices are never rounded silently: `onStep` refuses a value that is not
 *   a whole number of the market's steps with an InvalidOrderError naming the rule. The Desk has
 *   already reserved the mandate's notional for the caller's exact value; sending another value
 *   would make that reservation wrong (and rounding an amount up could spend what was not given).
 * - A number that reaches here where no step is known (fee rates from ccxt's static tables) is
 *   read through its shortest decimal form, which is the literal ccxt's source wrote.
 */
import { InternalError, InvalidOrderError } from "../../domain/errors.js";
import { formatDecimal, parseDecimal, parseIncrement, toSteps } from "../../domain/fixed.js";

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Canonical decimal text of a string or number from ccxt; undefined for an absent value.
 * Anything else (NaN, an object, malformed text) is an InternalError: corrupt data fails fast.
 *
 * @example
 * readDecimal("0.01000000", "price"); // "0.01"
 * readDecimal(0.001, "maker"); // "0.001"
 */
export function readDecimal(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const text = typeof value === "number" ? numberText(value, what) : value;
  if (typeof text !== "string")
    throw new InternalError(`${what}: ${String(value)} is not a decimal`);
  const match = DECIMAL.exec(text);
  if (match === null) throw new InternalError(`${what}: ${JSON.stringify(text)} is not a decimal`);
  const fraction = match[3] ?? "";
  const scale = Math.max(0, fraction.replace(/0+$/, "").length - Number(match[4] ?? "0"));
  return formatDecimal(parseDecimal(text, scale), scale);
}

/** `readDecimal` for a value that must be there. */
export function requireDecimal(value: unknown, what: string): string {
  const text = readDecimal(value, what);
  if (text === undefined) throw new InternalError(`${what} is missing`);
  return text;
}

/**
 * The value on the grid of `step` nearest to `value` (a float or text): how a float from ccxt
 * becomes the exchange's exact decimal again.
 *
 * @example
 * snapToStep(41653.29, "0.01", "price"); // "41653.29"
 * snapToStep(0.30000000000000004, "0.1", "amount"); // "0.3"
 */
export function snapToStep(value: unknown, step: string, what: string): string {
  const text = requireDecimal(value, what);
  const inc = parseIncrement(step);
  return formatDecimal(toSteps(text, inc, "half-even") * inc.step, inc.scale);
}

/**
 * `value` unchanged if it is a whole number of `step`s, else an InvalidOrderError naming the rule.
 *
 * @example
 * onStep("0.015", "0.001", "binance BTC/USDT amount", "amount step (lot size)"); // "0.015"
 * onStep("0.0155", "0.001", ...); // throws InvalidOrderError
 */
export function onStep(value: string, step: string, what: string, rule: string): string {
  const text = readDecimal(value, what);
  if (text === undefined) throw new InvalidOrderError(`${what} is empty`);
  try {
    toSteps(text, parseIncrement(step)); // exact, or throws: no rounding given
  } catch {
    throw new InvalidOrderError(
      `${what} ${text} is not a multiple of the market's ${rule} ${step}; ` +
        "round it before sending (crypy never changes an order's numbers silently)",
    );
  }
  return text;
}

function numberText(value: number, what: string): string {
  if (!Number.isFinite(value)) throw new InternalError(`${what}: ${value} is not a decimal`);
  // Shortest round-trip form; toFixed-free so 1e-7 keeps its exponent for parseDecimal.
  return String(value);
}
