/** A Holder's lifecycle: it runs until stopped; proposals and outcomes don't change its state. */
import { setup } from "xstate";

export type HolderEvent = { type: "STARTED" } | { type: "STOP" } | { type: "FAIL"; error: string };

export const holderMachine = setup({ types: { events: {} as HolderEvent } }).createMachine({
  id: "holder",
  initial: "starting",
  states: {
    starting: { on: { STARTED: "running", FAIL: "failed", STOP: "stopped" } },
    running: { on: { STOP: "stopped", FAIL: "failed" } },
    failed: { on: { STOP: "stopped" } },
    stopped: { type: "final" },
  },
});
