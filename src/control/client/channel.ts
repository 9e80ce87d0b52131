/**
 * A channel to one actor's commands, whatever carries it: its telnet endpoint (tcp.ts) or the bus
 * (bus.ts). REPLs, `attach` and the dashboard speak through this and do not care which.
 */

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
