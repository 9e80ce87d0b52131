/**
 * A channel to one actor's commands, whatever carries it: its telnet endpoint (tcp.ts) or the bus
 * (bus.ts). REPLs, `attach` and the dashboard speak through this and do not care which. A reply's
 * texts arrive safe to print: control characters in them are shown as escapes (replyForPeople).
 */
import { terminalLine, terminalText } from "../../domain/terminal-text.js";

export interface ChannelReply {
  ok: boolean;
  /** For people: the rendered value, or `code: message`. */
  text: string;
  value?: unknown;
  code?: string;
  message?: string;
}

export interface CommandChannel {
  /** The actor's id. */
  readonly actor: string;
  /** False once the connection is gone: a command sent now would not reach the actor. */
  readonly connected: boolean;
  /** Runs one line. Never rejects for a refused command (ok: false); rejects when unreachable. */
  run(line: string): Promise<ChannelReply>;
  /** Completion candidates for a partial line (empty when unreachable). */
  complete(line: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A reply as it came off the wire (anything), as a ChannelReply whose `text`, `code` and
 * `message` hold no control characters: what a REPL prints is what the actor's answer says, never
 * an instruction to the terminal. `value` stays as it came; whoever prints from it sanitises.
 */
export function replyForPeople(raw: unknown): ChannelReply {
  const r = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  const code = text(r.code);
  const message = text(r.message);
  return {
    ok: r.ok === true,
    text: terminalText(
      text(r.text) ??
        (r.ok === true ? "ok" : `${code ?? "bad_payload"}: ${message ?? "an answer without text"}`),
    ),
    ...("value" in r ? { value: r.value } : {}),
    ...(code === undefined ? {} : { code: terminalLine(code) }),
    ...(message === undefined ? {} : { message: terminalText(message) }),
  };
}
