/**
 * How a Trader's stop loss is held: by the venue (a native stop order at the trigger, placed
 * through the Desk) where its capabilities allow one, otherwise monitored — the Trader checks the
 * trigger on every ticker and sells at market. The trigger is the same either way.
 *
 * The Desk's order gateway routes stop_market orders that close a position (`routes`); a Desk
 * whose gateway did not would leave its Traders monitoring, and `why` says so.
 */
import type { Capabilities } from "./types.js";

export interface StopMechanism {
  readonly mechanism: "native" | "monitored";
  /** Why it is monitored (the capability that is missing). */
  readonly why?: string;
}

export function stopMechanism(caps: Capabilities | undefined): StopMechanism {
  if (caps === undefined)
    return { mechanism: "monitored", why: "no capabilities given: the safe default" };
  if (!caps.stopOrders)
    return { mechanism: "monitored", why: caps.off.stopOrders ?? "the venue takes no stop orders" };
  if (!caps.routes.includes("stop_market"))
    return {
      mechanism: "monitored",
      why: `the Desk's order gateway routes ${caps.routes.join(" and ")} orders only, not stop orders`,
    };
  return { mechanism: "native" };
}
