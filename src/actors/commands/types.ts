/**
 * The command language every actor speaks to people: words on a line, not JavaScript. One
 * implementation serves the telnet endpoint, the bus (`crypy.ctl.<actor>`), the dashboard and the
 * REPLs, so a command behaves the same wherever it is typed.
 */

/** read: look only. operator: may change things (trade, halt, set). */
export type Role = "read" | "operator";

/**
 * Who runs a command: a name for the audit log ("telnet 127.0.0.1:51234", "operator:local",
 * "bus (unauthenticated)") and a role. `who` is always what the door authenticated.
 */
export interface Caller {
  who: string;
  role: Role;
  /** The name the request gave itself, unverified: recorded apart from `who`. */
  claims?: string;
  /** Why a bus request was not taken as an operator's (it runs read-only). */
  unverified?: string;
}

export interface CommandSpec {
  name: string;
  /** How to call it, e.g. "cancel <id|all>". */
  usage: string;
  /** One line: what it does. */
  summary: string;
  /** Changes something: needs the operator role, and is written to the audit log. */
  mutating?: boolean;
  /** Candidates for argument `index` (0-based), given the arguments before it. */
  complete?: (index: number, before: readonly string[]) => readonly string[];
  /** The value it answers (rendered as text for people); throws a CrypyError to refuse. */
  run(args: readonly string[], caller: Caller): unknown;
}

export type CommandOutcome =
  | { ok: true; value: unknown }
  | { ok: false; code: string; message: string };

/**
 * One audit record: who ran what mutating command on which actor, and how it ended. The sink
 * stamps when: people read the audit log in wall time, whatever clock the actor runs on.
 */
export interface AuditEntry {
  actor: string;
  /** The authenticated caller, never a name the request gave itself. */
  who: string;
  /** The name the request gave itself, when it gave one: a claim, not an identity. */
  claims?: string;
  role: Role;
  command: string;
  result: "ok" | string;
  message?: string;
}

export type AuditSink = (entry: AuditEntry) => void;
