/**
 * One telnet connection's conversation with an actor: a banner and a prompt, then a command per
 * line. The session adds what only a connection has — authentication, a role it may lower, a JSON
 * mode for programs, `complete`, and `quit` — and hands everything else to the actor's CommandSet.
 *
 * Invariants: before a token is given (when the endpoint has tokens) only help, auth and quit
 * run; a wrong token is answered the same whatever was wrong with it, and the third closes the
 * connection; a session can lower its role, never raise it without a token; what it writes holds
 * no control character but its own line breaks (a reply may quote what others put on the bus).
 */

import type { CommandSet } from "../../actors/commands/interpreter.js";
import { outcomeText } from "../../actors/commands/interpreter.js";
import { words } from "../../actors/commands/parse.js";
import { render } from "../../actors/commands/render.js";
import type { CommandOutcome, Role } from "../../actors/commands/types.js";
import { terminalJson, terminalText } from "../../domain/terminal-text.js";
import { type EndpointTokens, roleOfToken } from "./tokens.js";
import type { LineReply, LineSession } from "./types.js";

/** JSON mode frames each reply as an RFC 7464 JSON text sequence record: RS, JSON, LF. */
export const RECORD_SEPARATOR = "\u001e";

export interface SessionTarget {
  readonly id: string;
  readonly kind: string;
  readonly commandSet: CommandSet;
}

const MAX_AUTH_FAILURES = 3;

export class CommandSession implements LineSession {
  private role: Role | undefined;
  private json = false;
  private failures = 0;

  constructor(
    private readonly target: SessionTarget,
    private readonly peer: string,
    private readonly tokens: EndpointTokens,
  ) {
    // Without tokens the endpoint is loopback-only (the plane enforces it): the local user operates.
    this.role = tokens.operator === undefined && tokens.read === undefined ? "operator" : undefined;
  }

  private get prompt(): string {
    return this.json ? "" : `${this.target.id}> `;
  }

  open(): string {
    const t = this.target;
    const lines = [`crypy ${t.kind} ${t.id} - 'help' lists the commands, 'quit' leaves`];
    if (this.role === undefined) lines.push("this endpoint needs a token: auth <token>");
    return `${lines.join("\n")}\n${this.prompt}`;
  }

  async line(text: string): Promise<LineReply> {
    const trimmed = text.trim();
    let parts: string[];
    try {
      parts = words(trimmed);
    } catch {
      parts = [trimmed];
    }
    const [name = "", ...args] = parts;
    switch (name) {
      case "":
        return { text: this.prompt };
      // Only quit: `exit` is a Trader's command (sell the position).
      case "quit":
        return {
          text: this.json ? this.frame({ ok: true, value: "bye" }, "bye") : "bye\n",
          close: true,
        };
      case "auth":
        return this.auth(args);
      case "mode":
        return this.mode(args);
      case "role":
        return this.lowerRole(args);
      case "complete":
        if (this.role === undefined) break;
        // The untrimmed rest: a trailing space means "complete the next argument".
        return this.reply({
          ok: true,
          value: this.target.commandSet.complete(text.replace(/^\s*complete ?/, "")),
        });
    }
    if (this.role === undefined && name !== "help") {
      return this.reply({
        ok: false,
        code: "unauthorized",
        message: "this endpoint needs a token first: auth <token>",
      });
    }
    const outcome = await this.target.commandSet.line(trimmed, {
      who: `telnet ${this.peer}`,
      role: this.role ?? "read",
    });
    return this.reply(outcome);
  }

  closed(): void {}

  private auth(args: readonly string[]): LineReply {
    const role = args.length === 1 ? roleOfToken(this.tokens, args[0]!) : undefined;
    if (role === undefined) {
      this.failures++;
      const close = this.failures >= MAX_AUTH_FAILURES;
      const reply = this.reply({ ok: false, code: "unauthorized", message: "wrong token" });
      return close ? { text: `${reply.text}\n`, close } : reply;
    }
    this.role = role;
    return this.reply({ ok: true, value: { role } });
  }

  private mode(args: readonly string[]): LineReply {
    const [mode] = args;
    if (mode !== "json" && mode !== "text")
      return this.reply({ ok: false, code: "invalid_input", message: "mode needs json or text" });
    this.json = mode === "json";
    return this.reply({ ok: true, value: { mode } });
  }

  private lowerRole(args: readonly string[]): LineReply {
    const [role] = args;
    if (role === "read") {
      this.role = "read";
      return this.reply({ ok: true, value: { role } });
    }
    if (role === "operator" && this.role === "operator")
      return this.reply({ ok: true, value: { role } });
    return this.reply({
      ok: false,
      code: role === "operator" ? "forbidden" : "invalid_input",
      message:
        role === "operator"
          ? "a session raises its role only with a token: auth <token>"
          : "role needs read (or operator, which needs a token)",
    });
  }

  private reply(outcome: CommandOutcome): LineReply {
    const text = outcomeText(outcome, render);
    if (this.json) return { text: this.frame(outcome, text) };
    return { text: `${terminalText(text)}\n${this.prompt}` };
  }

  private frame(outcome: CommandOutcome, text: string): string {
    let json: string;
    try {
      json = terminalJson({ ...outcome, text });
    } catch {
      // A value JSON cannot hold (a cycle, a bigint): the text still says it.
      json = terminalJson({ ok: outcome.ok, text });
    }
    return `${RECORD_SEPARATOR}${json}\n`;
  }
}
