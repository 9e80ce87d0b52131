/**
 * A Holder's capabilities: its Desk's, narrowed by what its template allows (`may:`). Never wider
 * than the Desk's: a template cannot give shorting or leverage the venue has not.
 */
import type { Capabilities, HolderMay, Switchable } from "./types.js";

/**
 * @example
 * holderCapabilities(desk, "sim-main_USDT", { short: false, leverage: 1 }).shorting; // false
 */
export function holderCapabilities(
  desk: Capabilities,
  holder: string,
  may: HolderMay,
): Capabilities {
  const off: Partial<Record<Switchable, string>> = { ...desk.off };
  // The Desk's reason stands when the venue has it not: that is the first thing to change.
  if (desk.shorting && !may.short)
    off.shorting = "shorting is not allowed (holder template may.short: false)";
  const maxLeverage = Math.min(desk.maxLeverage, may.leverage);
  if (maxLeverage < desk.maxLeverage)
    off.leverage = `leverage is capped at ${maxLeverage} (holder template may.leverage: ${may.leverage})`;
  return Object.freeze({
    ...desk,
    of: holder,
    shorting: desk.shorting && may.short,
    maxLeverage,
    off,
  });
}
