/**
 * Errors of the PostgreSQL client mapped onto crypy's tree, so the CLI tells a person whether to
 * retry: an unreachable server is a NetworkError (retryable), a missing database or a wrong
 * password is not. Messages name the server without its password.
 */

import {
  AuthenticationError,
  type CrypyError,
  InvalidInputError,
  NetworkError,
} from "../../domain/errors.js";

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
]);

/** `postgres://user@host:port/db` without password or query. */
export function describeServer(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

/** The crypy error for a client error, or the error itself when it is not one we know. */
export function fromPostgresError(err: unknown, url: string): unknown {
  const code = (err as { code?: unknown })?.code;
  const message = (err as Error)?.message ?? String(err);
  const server = describeServer(url);
  let mapped: CrypyError | undefined;
  if (typeof code === "string" && NETWORK.has(code)) {
    mapped = new NetworkError(`PostgreSQL at ${server} is not reachable: ${message}`, {
      cause: err,
    });
  } else if (code === "3D000") {
    mapped = new InvalidInputError(`PostgreSQL at ${server}: ${message}`, { cause: err });
  } else if (code === "28P01" || code === "28000") {
    mapped = new AuthenticationError(`PostgreSQL at ${server}: ${message}`, { cause: err });
  }
  return mapped ?? err;
}
