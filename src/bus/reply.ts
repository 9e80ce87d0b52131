/**
 * Turns a request handler's outcome into a reply, identically for both buses: a value is encoded
 * as-is; a thrown error (or a reply that cannot be sent) becomes an error reply carrying
 * `{code, message}`, flagged so the requester rethrows it as the same class.
 */
import { errorToWire, PayloadTooLargeError } from "../domain/errors.js";
import type { MessageInfo } from "./bus.js";
import { exceedsBytes, type Payload } from "./codec.js";

export interface Reply {
  payload: Payload;
  isError: boolean;
}

/** The bus's encoder: bytes for NATS, JSON text in-process. */
export type Encode = (value: unknown) => Payload;

export function errorReply(encode: Encode, err: unknown): Reply {
  return { payload: encode(errorToWire(err)), isError: true };
}

/** The reply carrying a handler's value, or an error reply when it cannot be encoded or sent. */
export function valueReply(
  encode: Encode,
  maxPayload: number,
  value: unknown,
  info: MessageInfo,
): Reply {
  try {
    const payload = encode(value);
    if (exceedsBytes(payload, maxPayload)) {
      throw new PayloadTooLargeError(
        `reply on ${info.subject} is larger than the limit of ${maxPayload} bytes`,
      );
    }
    return { payload, isError: false };
  } catch (err) {
    return errorReply(encode, err);
  }
}
