/**
 * crypy's public API. Each layer's index lists its public names by hand; this file gathers them,
 * layer by layer from the bottom up, so internals (subject index, dispatch, reply building) stay
 * internal.
 */
export * from "./bus/index.js";
export * from "./domain/index.js";
export {
  childLogger,
  createLogger,
  DEFAULT_LOG_LEVEL,
  LOG_LEVEL_ENV,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  rootLogger,
} from "./log/logger.js";
export {
  isSecretKey,
  REDACTED,
  SECRET_KEY_NAMES,
  scrubSecrets,
  scrubString,
} from "./log/redact.js";
export * from "./sim/index.js";
export {
  type Clock,
  type TimerHandle,
  VirtualClock,
  WallClock,
  type WallClockOptions,
} from "./time/index.js";
export * from "./venues/index.js";
