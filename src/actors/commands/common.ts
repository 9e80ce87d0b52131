/**
 * Commands every actor answers, whatever its kind: help, status, get, set, pause, resume, log, quit.
 * A kind's own command of the same name (the Desk's `resume`) replaces the common one.
 */
import { InvalidInputError } from "../../domain/errors.js";
import { LOG_LEVELS, type LogLevel } from "../../log/logger.js";
import type { CommandSet } from "./interpreter.js";
import { type Settings, settingCommands } from "./settings.js";
import type { CommandSpec } from "./types.js";

/** What the common commands need from an actor. */
export interface CommonHost {
  readonly id: string;
  /** `status`'s answer. */
  statusValue(): unknown;
  settings(): Settings;
  pause(): unknown;
  resume(): unknown;
  setLogLevel(level: LogLevel): void;
  /** The command set these commands belong to (for `help`). */
  readonly commandSet: CommandSet;
}

export function commonCommands(host: CommonHost): CommandSpec[] {
  return [
    {
      name: "help",
      usage: "help [command]",
      summary: "list the commands, or explain one",
      complete: (index) => (index === 0 ? host.commandSet.names : []),
      run: ([name]) => host.commandSet.help(name),
    },
    {
      name: "status",
      usage: "status",
      summary: "what this actor is doing now",
      run: () => host.statusValue(),
    },
    ...settingCommands(host.id, () => host.settings()),
    {
      name: "pause",
      usage: "pause",
      summary: "stop taking new initiative (positions stay protected) until resume",
      mutating: true,
      run: () => host.pause(),
    },
    {
      name: "resume",
      usage: "resume",
      summary: "undo pause",
      mutating: true,
      run: () => host.resume(),
    },
    {
      name: "log",
      usage: `log <${LOG_LEVELS.join("|")}>`,
      summary: "set how much this actor logs",
      mutating: true,
      complete: (index) => (index === 0 ? LOG_LEVELS : []),
      run: ([level]) => {
        if (!LOG_LEVELS.includes(level as LogLevel)) {
          throw new InvalidInputError(
            `log needs a level: ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(level ?? "")})`,
          );
        }
        host.setLogLevel(level as LogLevel);
        return { level };
      },
    },
    {
      name: "quit",
      usage: "quit",
      summary: "end this session (the actor keeps running)",
      run: () => "quit ends a telnet or REPL session; over the bus there is nothing to end",
    },
  ];
}
