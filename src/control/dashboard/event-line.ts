/** An actor event as one line for people: time, actor, event, then the fields as key=value. */
import type { ActorEvent } from "../../actors/runtime/actor.js";

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
  return `${when} ${actor} ${event}${rest === "" ? "" : ` ${rest}`}`;
}
