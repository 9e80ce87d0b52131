/**
 * An actor event as one line for people: time, actor, event, then the fields as key=value. Every
 * part came off the bus, so each is made inert for a terminal (control characters, line breaks
 * included, shown as `\u001b` escapes): one event is always one line.
 */
import type { ActorEvent } from "../../actors/runtime/actor.js";
import { terminalLine } from "../../domain/terminal-text.js";

export function formatEventLine(e: ActorEvent): string {
  const { ts, actor, event, ...fields } = e;
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  let when: string;
  try {
    when = new Date(ts).toISOString();
  } catch {
    when = String(ts);
  }
  return terminalLine(`${when} ${String(actor)} ${String(event)}${rest === "" ? "" : ` ${rest}`}`);
}
