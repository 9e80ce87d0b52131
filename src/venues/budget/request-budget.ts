/**
 * What a venue client asks before each REST request: `take(cost)` resolves once the request may
 * go without passing the venue's request-weight limit. CcxtVenue calls it in place of ccxt's own
 * throttle (`useBudget`), so every process on one venue address can spend one budget.
 *
 * - WindowBudget: the budget itself, in this process (a WeightWindow on a clock). The Desk holds
 *   it for its venue and serves it on the bus (budget-keeper.ts).
 * - SharedBudget (shared-budget.ts): another process's client of a Desk's budget, over the bus.
 */
import type { Clock } from "../../time/clock.js";
import type { WeightLimit, WeightWindow } from "./weight-window.js";

export interface RequestBudget {
  readonly limit: WeightLimit;
  /** Resolves when a request of `cost` may go; its weight is then spent. */
  take(cost: number): Promise<void>;
  /** The venue's own count of its current window (e.g. Binance's X-MBX-USED-WEIGHT-1M). */
  observe(used: number): void;
}

/** Resolves after `ms` of `clock`'s time. */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

export class WindowBudget implements RequestBudget {
  /** Takes waited for, and the weight spent through this budget (for status and tests). */
  readonly stats = { waits: 0, spent: 0 };

  constructor(
    readonly window: WeightWindow,
    private readonly clock: Clock,
  ) {}

  get limit(): WeightLimit {
    return this.window.limit;
  }

  async take(cost: number): Promise<void> {
    for (;;) {
      const wait = this.window.take(cost, this.clock.now());
      if (wait === 0) {
        this.stats.spent += cost;
        return;
      }
      this.stats.waits++;
      await sleepOn(this.clock, wait);
    }
  }

  observe(used: number): void {
    this.window.observe(used, this.clock.now());
  }
}
