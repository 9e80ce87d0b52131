/**
 * The Desk keeps its venue's request-weight budget and serves it on `crypy.budget.<key>`, so a
 * Recorder (or any crypy process) on the same venue address spends the same budget: together they
 * never pass the venue's limit, and the key is never banned for their sum.
 *
 * Protocol (request/reply): `{ cost, carried? }` → `{ waitMs }`. `waitMs` 0: the weight is spent,
 * the request may go. Otherwise nothing is spent: ask again after `waitMs`. `carried` is weight a
 * client spent on its own while no keeper answered, told once on its first contact: the keeper
 * spends it too, so the window holds what really went to the venue.
 *
 * The key names the venue address, not an account: Binance counts request weight per IP, so a
 * Recorder without keys and a Desk with them share one budget.
 */
import type { Bus, Subscription } from "../../bus/bus.js";
import { budgetSubject } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { Clock } from "../../time/clock.js";
import type { WeightWindow } from "./weight-window.js";

export interface BudgetAsk {
  cost: number;
  carried?: number;
}

export interface BudgetAnswer {
  waitMs: number;
}

/**
 * The subject key of a venue address: the exchange id, and the host of the first REST URL of
 * `urls` when a template points ccxt elsewhere (a local `crypy venue serve`).
 */
export function budgetKey(exchange: string, urls?: Readonly<Record<string, unknown>>): string {
  const url =
    urls === undefined ? undefined : JSON.stringify(urls).match(/"(https?:\/\/[^"]+)"/)?.[1];
  const base = url === undefined ? exchange : `${exchange}-${new URL(url).host}`;
  return base.replace(/[^A-Za-z0-9_-]/g, "_");
}

export function serveBudget(
  bus: Bus,
  key: string,
  window: WeightWindow,
  clock: Clock,
): Subscription {
  return bus.serve<BudgetAsk, BudgetAnswer>(budgetSubject(key), (ask) => {
    const cost = ask?.cost;
    if (typeof cost !== "number" || !(cost >= 0)) {
      throw new InvalidInputError(
        `a budget request needs a cost >= 0, got ${JSON.stringify(cost)}`,
      );
    }
    const now = clock.now();
    if (typeof ask.carried === "number") window.spend(ask.carried, now);
    return { waitMs: window.take(cost, now) };
  });
}
