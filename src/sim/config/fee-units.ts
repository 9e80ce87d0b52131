/**
 * How fee rates are held, in a module of its own: the simulator and the backtest runner need these
 * constants, and importing them from the schema would load the validation library (zod) and the
 * YAML parser into every backtest worker, which never reads a venue file.
 */

/** Fee rates are held as integer parts per billion: rate "0.001" is 1_000_000n. */
export const FEE_RATE_DECIMALS = 9;
export const PARTS_PER_BILLION = 1_000_000_000n;
