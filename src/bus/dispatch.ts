/**
 * What happens when a message arrives, shared by both buses so they behave the same: decode, call
 * the handler, keep the subscription alive whatever the payload or the handler does.
 */
import { BadPayloadError } from "../domain/errors.js";
import type { Logger } from "../log/logger.js";
import type { MessageHandler, MessageInfo, RequestHandler } from "./bus.js";
import { decode, type Payload } from "./codec.js";
import { type Encode, errorReply, type Reply, valueReply } from "./reply.js";

/** Receives a payload from a transport. */
export type Dispatch = (subject: string, payload: Payload, reply: string | undefined) => void;

/** Registers an in-flight async handler so that drain can wait for it. */
export type Track = (work: Promise<unknown>) => void;

function infoOf(subject: string, reply: string | undefined): MessageInfo {
  return reply === undefined ? { subject } : { subject, reply };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === "function";
}

export function messageDispatch(log: Logger, handler: MessageHandler, track: Track): Dispatch {
  const failed = (subject: string, err: unknown) =>
    log.error({ subject, err }, "message handler failed; the subscription continues");
  return (subject, payload, reply) => {
    let data: unknown;
    try {
      data = decode(payload);
    } catch (err) {
      log.warn({ subject, err }, "dropped a payload that does not decode");
      return;
    }
    try {
      const result = handler(data, infoOf(subject, reply));
      if (isThenable(result)) {
        track(Promise.resolve(result).catch((err: unknown) => failed(subject, err)));
      }
    } catch (err) {
      failed(subject, err);
    }
  };
}

export function requestDispatch(
  encode: Encode,
  maxPayload: number,
  log: Logger,
  handler: RequestHandler,
  respond: (reply: string, answer: Reply) => void,
  track: Track,
): Dispatch {
  const send = (subject: string, reply: string, answer: Reply) => {
    try {
      respond(reply, answer);
    } catch (err) {
      log.warn({ subject, err }, "could not send a reply");
    }
  };
  return (subject, payload, reply) => {
    let data: unknown;
    try {
      data = decode(payload);
    } catch (err) {
      log.warn({ subject, err }, "refused a request whose payload does not decode");
      if (reply !== undefined) {
        const bad = err instanceof BadPayloadError ? err : new BadPayloadError(String(err));
        send(subject, reply, errorReply(encode, bad));
      }
      return;
    }
    const info = infoOf(subject, reply);
    const answered = (answer: Reply) => {
      if (reply !== undefined) send(subject, reply, answer);
      else if (answer.isError) {
        log.warn({ subject }, "a request handler failed on a message that had no reply subject");
      }
    };
    // A handler that answers synchronously is answered in the same turn: no promise, no hop.
    let value: unknown;
    try {
      value = handler(data, info);
    } catch (err) {
      answered(errorReply(encode, err));
      return;
    }
    if (!isThenable(value)) {
      answered(valueReply(encode, maxPayload, value, info));
      return;
    }
    // One hop from the handler's settling to the reply (an async wrapper would add two).
    track(
      Promise.resolve(value).then(
        (settled) => answered(valueReply(encode, maxPayload, settled, info)),
        (err: unknown) => answered(errorReply(encode, err)),
      ),
    );
  };
}
