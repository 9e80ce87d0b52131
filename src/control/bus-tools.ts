/**
 * `crypy bus pub|sub|req`: a human's direct view of the dataflow on a NATS bus, like `nats pub`
 * and `nats sub`, but through crypy's codec and error mapping (errors print `code: message`).
 */
import type { Bus } from "../bus/bus.js";
import { InvalidInputError } from "../domain/errors.js";

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

/** One JSON line per message: `{"subject": ..., "data": ...}`. */
export function formatMessage(subject: string, data: unknown): string {
  return JSON.stringify({ subject, data });
}
