/**
 * An actor's command set: parses a line, finds the command (or suggests the closest one), checks
 * the caller's role, runs it, and writes mutating commands to the audit log. It never throws:
 * every failure comes back as `{ok: false, code, message}`, so a bad command cannot hurt the actor.
 */
import { CrypyError, InvalidInputError } from "../../domain/errors.js";
import { closest } from "./closest.js";
import { words } from "./parse.js";
import type { AuditSink, Caller, CommandOutcome, CommandSpec } from "./types.js";

export class CommandSet {
  private readonly byName = new Map<string, CommandSpec>();

  constructor(
    private readonly actor: string,
    specs: readonly CommandSpec[],
    private readonly audit?: AuditSink,
  ) {
    // A later spec replaces an earlier one of the same name: a kind overrides a common command.
    for (const spec of specs) this.byName.set(spec.name, spec);
  }

  get names(): string[] {
    return [...this.byName.keys()].sort();
  }

  spec(name: string): CommandSpec | undefined {
    return this.byName.get(name);
  }

  /** Runs one command line. */
  async line(text: string, caller: Caller): Promise<CommandOutcome> {
    let parts: string[];
    try {
      parts = words(text);
    } catch (err) {
      return failure(err);
    }
    if (parts.length === 0) return { ok: true, value: "" };
    const [name, ...args] = parts as [string, ...string[]];
    return this.run(name, args, caller);
  }

  /** Runs a command already split into its name and arguments. */
  async run(name: string, args: readonly string[], caller: Caller): Promise<CommandOutcome> {
    const spec = this.byName.get(name);
    if (spec === undefined) {
      const guess = closest(name, this.names);
      return {
        ok: false,
        code: "unknown_command",
        message:
          `${this.actor} has no command '${name}'` +
          (guess === undefined ? "" : ` — did you mean '${guess}'?`) +
          " ('help' lists the commands)",
      };
    }
    if (spec.mutating === true && caller.role !== "operator") {
      const outcome: CommandOutcome = {
        ok: false,
        code: "forbidden",
        message: `'${name}' changes ${this.actor}: it needs the operator role (${readOnlyBecause(caller)})`,
      };
      this.record(spec, args, caller, outcome);
      return outcome;
    }
    let outcome: CommandOutcome;
    try {
      outcome = { ok: true, value: await spec.run(args, caller) };
    } catch (err) {
      outcome = failure(err);
    }
    if (spec.mutating === true) this.record(spec, args, caller, outcome);
    return outcome;
  }

  /** Completions of a partial line: command names first, then the command's arguments. */
  complete(line: string): string[] {
    let parts: string[];
    try {
      parts = words(line);
    } catch {
      return [];
    }
    const endsInSpace = line.length > 0 && /\s$/.test(line);
    if (parts.length === 0 || (parts.length === 1 && !endsInSpace)) {
      const prefix = parts[0] ?? "";
      return this.names.filter((n) => n.startsWith(prefix));
    }
    const spec = this.byName.get(parts[0]!);
    if (spec?.complete === undefined) return [];
    const args = parts.slice(1);
    const index = endsInSpace ? args.length : args.length - 1;
    const prefix = endsInSpace ? "" : (args[args.length - 1] ?? "");
    try {
      return spec
        .complete(index, args.slice(0, index))
        .filter((candidate) => candidate.startsWith(prefix));
    } catch {
      return [];
    }
  }

  /** `help` (every command, one line each) or `help <command>` (its usage and summary). */
  help(name?: string): string {
    if (name !== undefined) {
      const spec = this.byName.get(name);
      if (spec === undefined) {
        const guess = closest(name, this.names);
        throw new InvalidInputError(
          `no command '${name}'${guess === undefined ? "" : ` — did you mean '${guess}'?`}`,
        );
      }
      return `${spec.usage}\n  ${spec.summary}${spec.mutating === true ? " (operator)" : ""}`;
    }
    const specs = this.names.map((n) => this.byName.get(n)!);
    const width = Math.max(...specs.map((s) => s.usage.length));
    return specs
      .map(
        (s) => `${s.usage.padEnd(width)}  ${s.summary}${s.mutating === true ? " (operator)" : ""}`,
      )
      .join("\n");
  }

  private record(
    spec: CommandSpec,
    args: readonly string[],
    caller: Caller,
    outcome: CommandOutcome,
  ): void {
    if (this.audit === undefined) return;
    try {
      this.audit({
        actor: this.actor,
        who: caller.who,
        ...(caller.claims === undefined ? {} : { claims: caller.claims }),
        role: caller.role,
        command: [spec.name, ...args].join(" "),
        result: outcome.ok ? "ok" : outcome.code,
        ...(outcome.ok ? {} : { message: outcome.message }),
      });
    } catch {
      // The audit sink reports its own failures; a command's result does not depend on it.
    }
  }
}

function readOnlyBecause(caller: Caller): string {
  return caller.unverified === undefined
    ? "this session is read-only"
    : `this request is read-only: ${caller.unverified}`;
}

function failure(err: unknown): CommandOutcome {
  if (err instanceof CrypyError) return { ok: false, code: err.code, message: err.message };
  const code =
    typeof (err as { code?: unknown })?.code === "string"
      ? (err as { code: string }).code
      : "internal";
  return { ok: false, code, message: err instanceof Error ? err.message : String(err) };
}

/** `code: message` for people, or the rendered value. */
export function outcomeText(outcome: CommandOutcome, render: (v: unknown) => string): string {
  return outcome.ok ? render(outcome.value) : `${outcome.code}: ${outcome.message}`;
}
