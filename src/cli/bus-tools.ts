/**
 * `crypy bus pub|sub|req`: a human's direct view of the dataflow on a NATS bus, like `nats pub`
 * and `nats sub`, but through crypy's codec and error mapping (errors print `code: message`).
 */
import { operatorRequest } from "../actors/commands/operator.js";
import type { ActorKeys } from "../actors/identity/keys.js";
import type { Bus } from "../bus/bus.js";
import { control } from "../bus/subjects.js";
import { operatorKeys } from "../control/client/operator.js";
import { InvalidInputError } from "../domain/errors.js";
import { terminalJson } from "../domain/terminal-text.js";

/** Parses a command-line payload: JSON if it parses, otherwise the text as a JSON string. */
export function parsePayload(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The embedded bus lives inside one process, so tools in another process cannot reach it. */
export function requireNats(bus: Bus, command: string): void {
  if (bus.kind !== "nats") {
    throw new InvalidInputError(
      `'crypy bus ${command}' needs a NATS bus: pass --nats URL or set CRYPY_NATS_URL (the embedded bus lives inside one crypy process)`,
    );
  }
}

/**
 * One JSON line per message: `{"subject": ..., "data": ...}`, with every control character in it
 * escaped (anyone may publish; the line goes to a terminal).
 */
export function formatMessage(subject: string, data: unknown): string {
  return terminalJson({ subject, data });
}

/** A reply of `crypy bus req` as one inert JSON line (the replier may be anyone). */
export function formatReply(reply: unknown): string {
  return terminalJson(reply);
}

const CONTROL_PREFIX = control("x").slice(0, -1);

/**
 * What `crypy bus req` sends: `payload` as given, except that a control request (`{line}` or
 * `{command, args}` on `crypy.ctl.<actor>`) goes out signed by this machine's operator, as the
 * REPLs send it; unsigned, the actor would run it read-only.
 *
 * @example
 * requestPayload("crypy.ctl.sim-main", { command: "halt" }); // {command: "halt", role, auth}
 */
export function requestPayload(
  subject: string,
  payload: unknown,
  keys: () => ActorKeys = () => operatorKeys(),
): unknown {
  if (!subject.startsWith(CONTROL_PREFIX)) return payload;
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return payload;
  const p = payload as Record<string, unknown>;
  if (p.auth !== undefined || (typeof p.line !== "string" && typeof p.command !== "string"))
    return payload;
  const args = p.args;
  // Arguments that are not words go as they are: the actor says what is wrong with them.
  const words = Array.isArray(args) && args.every((a) => typeof a === "string");
  if (args !== undefined && !words) return payload;
  return operatorRequest(
    keys(),
    subject.slice(CONTROL_PREFIX.length),
    {
      ...(typeof p.line === "string" ? { line: p.line } : {}),
      ...(typeof p.command === "string" ? { command: p.command } : {}),
      ...(words ? { args: args as string[] } : {}),
      role: p.role === "read" ? "read" : "operator",
      ...(typeof p.who === "string" ? { who: p.who } : {}),
    },
    { at: Date.now() },
  );
}
