/**
 * The audit log: one JSON line per mutating command (when, who, what, result), appended and
 * written before the command's answer goes back, so a crash right after a `halt` still leaves
 * its record. 0600: it names who did what. `who` is the identity the door authenticated (a telnet
 * peer, `operator:<name>`, or `bus (unauthenticated)`); a name a bus request gave itself is only
 * `claims`. A line holds no control character (a command's arguments are anyone's words), so
 * `cat audit.log` cannot be turned against whoever reads it.
 */
import { appendFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { AuditEntry, AuditSink } from "../../actors/commands/types.js";
import { terminalJson } from "../../domain/terminal-text.js";
import type { Logger } from "../../log/logger.js";
import { ensurePrivateDir, stateDir } from "./state-dir.js";

export function auditFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), "audit.log");
}

export function fileAudit(path: string, log?: Logger): AuditSink {
  ensurePrivateDir(dirname(path));
  return (entry: AuditEntry) => {
    try {
      const record = { ts: new Date().toISOString(), ...entry };
      appendFileSync(path, `${terminalJson(record)}\n`, { mode: 0o600 });
    } catch (err) {
      log?.error({ err, entry }, "could not write the audit log");
    }
  };
}
