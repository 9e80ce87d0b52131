/**
 * What the command groups share: the global flags, option parsers, the bus a command opens, and
 * the wrapper that turns a command body's result into the exit code. Command errors propagate to
 * bin/crypy.ts, which prints them.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { Bus } from "../bus/bus.js";

/** The options every command reads from the root program. */
export interface GlobalFlags {
  nats?: string;
  natsCreds?: string;
}

/** Parses a positive whole number option; commander names the option in the error. */
export function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError("must be a positive whole number");
  return n;
}

/** Parses a TCP port option (1-65535); commander names the option in the error. */
export function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65_535)
    throw new InvalidArgumentError("must be a port: a whole number from 1 to 65535");
  return n;
}

/** Runs a command body and sets the exit code it returns; an error is left to the caller. */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number | undefined>) {
  return async (...args: A) => {
    const code = await body(...args);
    if (code !== undefined) process.exitCode = code;
  };
}

/** The bus the global flags select: NATS with --nats, else the embedded in-process bus. */
export async function openBus(program: Command): Promise<Bus> {
  const { createBus } = await import("../bus/select.js");
  const { nats, natsCreds } = program.opts<GlobalFlags>();
  return createBus({ natsUrl: nats, natsCreds, name: "crypy-cli" });
}
