/**
 * Whether a Desk already runs on the bus, so a second `crypy <exchange> --nats` session watches it
 * instead of starting a duplicate.
 *
 * Its heartbeat on crypy.sys.hb.<desk> says so: the `node` role that `crypy sim --nats` runs as may
 * read heartbeats but may not publish on crypy.ctl.*, so asking the Desk for its status would look
 * like silence. The status request still goes out too: where it is allowed (no credentials, the
 * operator) its answer, or the bus saying nobody serves the Desk's control subject, settles it at
 * once. Otherwise the answer is a beat within the wait, or no.
 */
import type { ControlReply } from "../../actors/runtime/actor.js";
import type { Bus } from "../../bus/bus.js";
import { control, heartbeat } from "../../bus/subjects.js";
import { NoRespondersError } from "../../domain/errors.js";
import { terminalLine } from "../../domain/terminal-text.js";

/**
 * An actor beats every 5 s of its clock (every 83 ms at the default --speed 60): a beat of a Desk
 * running in real time falls within this wait, as for `crypy actors`.
 */
export const HEARTBEAT_WAIT_MS = 5_500;
const STATUS_TIMEOUT_MS = 1_500;

export interface RunningDesk {
  /** Where it runs, from its heartbeat (anyone may publish one: made inert for a terminal). */
  readonly where?: string;
}

/**
 * Resolves to the running Desk `desk`, or undefined when none beat or answered within `waitMs`.
 *
 * @example
 * const running = await runningDesk(bus, "sim-main");
 * if (running !== undefined) watchIt(); else startIt();
 */
export function runningDesk(
  bus: Bus,
  desk: string,
  waitMs = HEARTBEAT_WAIT_MS,
): Promise<RunningDesk | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (found: RunningDesk | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      beats.unsubscribe();
      resolve(found);
    };
    const timer = setTimeout(() => settle(undefined), waitMs);
    const beats = bus.subscribe<Record<string, unknown>>(heartbeat(desk), (hb) => {
      if (hb?.id !== desk) return;
      settle(where(hb));
    });
    bus
      .request<ControlReply>(
        control(desk),
        { line: "status", role: "read" },
        { timeoutMs: STATUS_TIMEOUT_MS },
      )
      .then(
        (reply) => {
          if (reply?.ok === true) settle({});
        },
        (err: unknown) => {
          // Nobody serves its control subject: no Desk. Refused or unanswered: wait for a beat.
          if (err instanceof NoRespondersError) settle(undefined);
        },
      );
  });
}

function where(hb: Record<string, unknown>): RunningDesk {
  const pid = typeof hb.pid === "number" ? `process ${hb.pid}` : "";
  const host = typeof hb.host === "string" ? `on ${terminalLine(hb.host)}` : "";
  const text = [pid, host].filter((s) => s !== "").join(" ");
  return text === "" ? {} : { where: text };
}
