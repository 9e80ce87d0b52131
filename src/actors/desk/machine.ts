/**
 * The Desk's lifecycle and trading state. ACTIVE trades; REDUCING accepts only orders that reduce
 * a position; HALTED refuses every new order (cancels still pass) until RESUME.
 */
import { setup } from "xstate";

export type DeskEvent =
  | { type: "STARTED" }
  | { type: "FAIL"; error: string }
  | { type: "HALT" }
  | { type: "REDUCE" }
  | { type: "RESUME" }
  | { type: "STOP" };

export const deskMachine = setup({ types: { events: {} as DeskEvent } }).createMachine({
  id: "desk",
  initial: "starting",
  states: {
    starting: { on: { STARTED: "active", FAIL: "failed", STOP: "stopped" } },
    active: { on: { HALT: "halted", REDUCE: "reducing", STOP: "stopped", FAIL: "failed" } },
    reducing: { on: { HALT: "halted", RESUME: "active", STOP: "stopped", FAIL: "failed" } },
    halted: { on: { RESUME: "active", STOP: "stopped", FAIL: "failed" } },
    failed: { on: { STOP: "stopped" } },
    stopped: { type: "final" },
  },
});
