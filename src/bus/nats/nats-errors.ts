/**
 * nats.js errors → crypy's error tree, by table, so callers only ever see crypy classes and can
 * decide to retry from the class alone. No message built here holds a credential: nats.js's own
 * messages carry the server's words (subjects, "Authorization Violation"), never the password.
 */
import { errors as nats } from "@nats-io/transport-node";
import {
  AuthenticationError,
  ClosedError,
  type CrypyError,
  NetworkError,
  NoRespondersError,
  PermissionDeniedError,
  TimeoutError,
} from "../../domain/errors.js";
import { NATS_CREDS_ENV } from "../select.js";

/** `user`: who this connection is, when it has credentials (named in a permission error). */
export function fromNatsError(err: unknown, subject: string, user?: string): CrypyError {
  const cause = err instanceof nats.RequestError && err.cause !== undefined ? err.cause : err;
  const options = { cause: err };
  if (
    cause instanceof nats.NoRespondersError ||
    (err instanceof nats.RequestError && err.isNoResponders())
  ) {
    return new NoRespondersError(`no responders for ${subject}`, options);
  }
  if (cause instanceof nats.TimeoutError) {
    return new TimeoutError(`request on ${subject} got no reply in time`, options);
  }
  if (cause instanceof nats.PermissionViolationError) {
    return permissionDenied(cause, user, options);
  }
  if (
    cause instanceof nats.ClosedConnectionError ||
    cause instanceof nats.DrainingConnectionError
  ) {
    return new ClosedError(`the NATS connection is closed or draining (${subject})`, options);
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new NetworkError(`NATS error on ${subject}: ${message}`, options);
}

/** The server refused this user a publish or a subscription; `err.subject` is the one refused. */
export function permissionDenied(
  err: InstanceType<typeof nats.PermissionViolationError>,
  user: string | undefined,
  options: ErrorOptions = { cause: err },
): PermissionDeniedError {
  const what =
    err.operation === "subscription"
      ? `subscribe to ${err.subject}${err.queue === undefined ? "" : ` (queue ${err.queue})`}`
      : `publish on ${err.subject}`;
  const who = user === undefined ? "this connection's NATS user" : `NATS user ${user}`;
  return new PermissionDeniedError(
    `${who} may not ${what} (refused by the server's permissions; see crypy nats config)`,
    options,
  );
}

/** An error from a connection's status stream, in crypy's terms when it has one. */
export function fromNatsStatusError(err: Error, user: string | undefined): Error {
  if (err instanceof nats.PermissionViolationError) return permissionDenied(err, user);
  return err;
}

/**
 * Why `connect` failed. `user` is who we tried as (undefined: no credentials given); `where` names
 * the server without any password a URL may hold.
 */
export function connectError(err: unknown, where: string, user: string | undefined): CrypyError {
  if (err instanceof nats.AuthorizationError) {
    const message =
      user === undefined
        ? `NATS at ${where} wants credentials: pass --nats-creds FILE (or set ${NATS_CREDS_ENV}) with a file from \`crypy nats config\``
        : `NATS at ${where} refused user ${user}: wrong user or password (check the credentials file against the server's configuration)`;
    return new AuthenticationError(message, { cause: err });
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new NetworkError(`cannot connect to NATS at ${where}: ${reason}`, { cause: err });
}

/** `nats://user:secret@host:4222` → `nats://user:***@host:4222`, for messages and logs. */
export function withoutPassword(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/g, "//$1:***@");
}
