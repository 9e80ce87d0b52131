/**
 * One pino root logger per process, one child per component or actor.
 *
 * Logs go to stderr (fd 2) so stdout stays clean for command output: JSON lines, or pino-pretty
 * output (run in-process, not in a worker thread) when stderr is a TTY. pino-pretty is loaded with
 * a synchronous `require` on that path only, so `createLogger` stays synchronous everywhere and a
 * non-TTY start-up never loads it. Writes are synchronous: a crash or `process.exit` loses nothing.
 *
 * Secrets never reach the output (see ./redact.ts). pino builds a line from four sources, and each
 * is scrubbed where pino lets us in:
 *
 *   source                     pino applies (in this order)            scrubbed by
 *   child bindings             serializers, once, at child()           our `child`/`setBindings`
 *   the merging object         formatters.log, then serializers/key    formatters.log + serializers
 *   the message string         printf-style formatting, msgPrefix,     the `msg` serializer
 *                              then serializers.msg
 *   base (pid, hostname)       formatters.bindings (root only)         formatters.bindings
 *
 * pino resets `formatters.bindings` to the identity on every child, so it cannot scrub child
 * bindings; the root's `child` is replaced instead, and children inherit it through their
 * prototype. Serializers run on formatters.log's output, so their output (the err serializer reads
 * `cause`, which may be a function) is scrubbed again.
 */

import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino, type SerializerFn, stdSerializers } from "pino";
import type PinoPretty from "pino-pretty";
import { InvalidInputError } from "../domain/errors.js";
import { MAX_SCRUB_DEPTH, scrubSecrets } from "./redact.js";

export type { Logger } from "pino";

export const LOG_LEVEL_ENV = "CRYPY_LOG_LEVEL";
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

export interface LoggerOptions {
  /** Defaults to $CRYPY_LOG_LEVEL, then "info". */
  level?: string;
  /** Defaults to stderr (fd 2). */
  destination?: NodeJS.WritableStream | DestinationStream;
  /** Human-readable lines instead of JSON. Defaults to true when writing to a stderr that is a TTY. */
  pretty?: boolean;
}

/**
 * A valid level, case-insensitive; `source` names where the value came from for the error message.
 *
 * @example
 * parseLogLevel(process.env.CRYPY_LOG_LEVEL, "CRYPY_LOG_LEVEL") // "info" when unset
 */
export function parseLogLevel(raw: string | undefined, source: string): LogLevel {
  const value = raw?.trim().toLowerCase() ?? "";
  if (value === "") return DEFAULT_LOG_LEVEL;
  const level = LOG_LEVELS.find((l) => l === value);
  if (level === undefined) {
    throw new InvalidInputError(
      `${source} must be one of ${LOG_LEVELS.join(", ")}; got ${JSON.stringify(raw)}`,
    );
  }
  return level;
}

/**
 * A logger that scrubs secrets from everything it writes.
 *
 * @example
 * const log = createLogger({ level: "debug" });
 * log.child({ component: "desk" }).info({ apiKey: "k" }, "connected"); // apiKey: "[redacted]"
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level =
    options.level === undefined
      ? parseLogLevel(process.env[LOG_LEVEL_ENV], LOG_LEVEL_ENV)
      : parseLogLevel(options.level, "log level");
  const toStderr = options.destination === undefined;
  const pretty = options.pretty ?? (toStderr && process.stderr.isTTY === true);
  const destination = pretty
    ? prettyStream(options.destination ?? 2, toStderr)
    : (options.destination ?? pino.destination({ fd: 2, sync: true }));

  const logger = pino(
    {
      level,
      depthLimit: MAX_SCRUB_DEPTH,
      formatters: { bindings: scrubSecrets, log: scrubLogObject },
      serializers: {
        err: scrubbedSerializer(stdSerializers.err),
        msg: scrubbedSerializer((msg) => msg),
      },
    },
    destination,
  );
  scrubChildBindings(logger);
  return logger;
}

let root: Logger | undefined;

/** The process's logger, built from the environment on first use. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

/**
 * A child of the root logger; every line it writes carries `component`.
 *
 * @example
 * const log = childLogger("desk", { desk: "sim-main" });
 */
export function childLogger(component: string, bindings?: Record<string, unknown>): Logger {
  return rootLogger().child(Object.assign({ component }, bindings, { component }));
}

function scrubbedSerializer(serialize: SerializerFn): SerializerFn {
  return (value: unknown) => scrubSecrets(serialize(value));
}

/** Logging must never throw into the caller; if scrubbing fails, the record's fields are dropped. */
function scrubLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  try {
    return scrubSecrets(obj);
  } catch (err) {
    return { logScrubFailed: err instanceof Error ? err.name : typeof err };
  }
}

type ChildFn = (this: Logger, bindings: Record<string, unknown>, options?: object) => Logger;
type SetBindingsFn = (this: Logger, bindings: Record<string, unknown>) => void;

function scrubChildBindings(logger: Logger): void {
  const child = logger.child as unknown as ChildFn;
  const setBindings = logger.setBindings as unknown as SetBindingsFn;
  Object.defineProperties(logger, {
    child: {
      value: function scrubbedChild(
        this: Logger,
        bindings: Record<string, unknown>,
        opts?: object,
      ) {
        return child.call(this, scrubSecrets(bindings), opts);
      },
    },
    setBindings: {
      value: function scrubbedSetBindings(this: Logger, bindings: Record<string, unknown>) {
        setBindings.call(this, scrubSecrets(bindings));
      },
    },
  });
}

function prettyStream(
  destination: number | NodeJS.WritableStream | DestinationStream,
  toStderr: boolean,
): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require("pino-pretty") as typeof PinoPretty;
  return pretty({
    destination,
    sync: true,
    colorize: toStderr && process.env.NO_COLOR === undefined,
    ignore: "pid,hostname,component",
    messageFormat: "{if component}[{component}] {end}{msg}",
    translateTime: "SYS:HH:MM:ss.l",
  });
}
