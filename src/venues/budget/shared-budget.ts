/**
 * A client of a Desk's request-weight budget (budget-keeper.ts), for a process that reaches the
 * same venue address (`crypy record binance` beside `crypy binance`).
 *
 * Rules:
 * - Each take asks the keeper; a `waitMs` answer is waited out and asked again.
 * - No keeper (nobody serves the subject, or no answer in `askTimeoutMs`): the client spends its
 *   own window of the same limit, so a lone Recorder still keeps to the venue's limit. What its
 *   window still holds is carried to the keeper on the first contact after, so a Desk started
 *   later counts it. The fallback is said once per change (`onMode`).
 * - The venue's own count (`observe`) goes to the local window; the Desk's own venue observes it
 *   for the keeper's window.
 */
import type { Bus } from "../../bus/bus.js";
import { budgetSubject } from "../../bus/subjects.js";
import { NoRespondersError, TimeoutError } from "../../domain/errors.js";
import type { Clock } from "../../time/clock.js";
import type { BudgetAnswer, BudgetAsk } from "./budget-keeper.js";
import { type RequestBudget, sleepOn } from "./request-budget.js";
import { type WeightLimit, WeightWindow } from "./weight-window.js";

export type BudgetMode = "shared" | "alone";

export interface SharedBudgetOptions {
  bus: Bus;
  key: string;
  limit: WeightLimit;
  clock: Clock;
  /** Default 1 000 ms. */
  askTimeoutMs?: number;
  /** Told when the budget starts or stops being shared with a keeper. */
  onMode?: (mode: BudgetMode) => void;
}

export class SharedBudget implements RequestBudget {
  readonly stats = { shared: 0, alone: 0, waits: 0 };
  readonly #o: SharedBudgetOptions;
  readonly #own: WeightWindow;
  #mode: BudgetMode | undefined;
  /** Spent alone since the keeper last heard from this client: its window's weight is carried. */
  #wasAlone = false;

  constructor(options: SharedBudgetOptions) {
    this.#o = options;
    this.#own = new WeightWindow(options.limit);
  }

  get limit(): WeightLimit {
    return this.#o.limit;
  }

  get mode(): BudgetMode | undefined {
    return this.#mode;
  }

  async take(cost: number): Promise<void> {
    const { bus, key, clock } = this.#o;
    for (;;) {
      let answer: BudgetAnswer;
      try {
        const carried = this.#wasAlone ? this.#own.used(clock.now()) : 0;
        const ask: BudgetAsk = carried > 0 ? { cost, carried } : { cost };
        answer = await bus.request<BudgetAnswer, BudgetAsk>(budgetSubject(key), ask, {
          timeoutMs: this.#o.askTimeoutMs ?? 1_000,
        });
        this.#wasAlone = false;
        this.#setMode("shared");
      } catch (err) {
        if (!(err instanceof NoRespondersError || err instanceof TimeoutError)) throw err;
        this.#setMode("alone");
        const wait = this.#own.take(cost, clock.now());
        if (wait === 0) {
          this.#wasAlone = true;
          this.stats.alone += cost;
          return;
        }
        this.stats.waits++;
        await sleepOn(clock, wait);
        continue;
      }
      if (answer.waitMs <= 0) {
        // Kept locally too: were the keeper to go, the fallback would know what was just spent.
        this.#own.spend(cost, clock.now());
        this.stats.shared += cost;
        return;
      }
      this.stats.waits++;
      await sleepOn(clock, answer.waitMs);
    }
  }

  observe(used: number): void {
    this.#own.observe(used, this.#o.clock.now());
  }

  #setMode(mode: BudgetMode): void {
    if (this.#mode === mode) return;
    this.#mode = mode;
    this.#o.onMode?.(mode);
  }
}
