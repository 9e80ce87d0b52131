/**
 * nats.js errors → crypy's error tree, by table, so callers only ever see crypy classes and can
 * decide to retry from the class alone.
 */
import { errors as nats } from "@nats-io/transport-node";
import {
  ClosedError,
  type CrypyError,
  NetworkError,
  NoRespondersError,
  TimeoutError,
} from "../../domain/errors.js";

export function fromNatsError(err: unknown, subject: string): CrypyError {
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
  if (
    cause instanceof nats.ClosedConnectionError ||
    cause instanceof nats.DrainingConnectionError
  ) {
    return new ClosedError(`the NATS connection is closed or draining (${subject})`, options);
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new NetworkError(`NATS error on ${subject}: ${message}`, options);
}
