/**
 * A Trader's lifecycle: one strategy attempt on one pair.
 *
 *   warming → evaluating → proposing ─ refused / nothing worth it → ended
 *                                     └ accepted → entering → inPosition → exiting → reporting → ended
 *
 * Any state may FAIL (a throwing strategy, a broken message): the Trader stops in `failed`, which
 * its Holder sees, and the process carries on.
 */
import { setup } from "xstate";

export type TraderEvent =
  | { type: "WARMED" }
  | { type: "EVALUATED" }
  | { type: "NOTHING" }
  | { type: "ACCEPTED" }
  | { type: "REFUSED" }
  | { type: "ENTERED" }
  | { type: "EXIT" }
  | { type: "EXITED" }
  | { type: "REPORTED" }
  | { type: "FAIL"; error: string };

export const traderMachine = setup({ types: { events: {} as TraderEvent } }).createMachine({
  id: "trader",
  initial: "warming",
  on: { FAIL: ".failed" },
  states: {
    warming: { on: { WARMED: "evaluating" } },
    evaluating: { on: { EVALUATED: "proposing", NOTHING: "ended" } },
    proposing: { on: { ACCEPTED: "entering", REFUSED: "ended" } },
    entering: { on: { ENTERED: "inPosition", EXIT: "reporting" } },
    inPosition: { on: { EXIT: "exiting" } },
    exiting: { on: { EXITED: "reporting" } },
    reporting: { on: { REPORTED: "ended" } },
    ended: { type: "final" },
    failed: { type: "final" },
  },
});
