/**
 * Turns a request handler's outcome into reply bytes, identically for both buses: a value is
 * encoded as-is; a thrown error (or a reply that cannot be sent) becomes an error reply carrying
 * `{code, message}`, flagged so the requester rethrows it as the same class.
 */
import { errorToWire, PayloadTooLargeError } from "../domain/errors.js";
import type { MessageInfo, RequestHandler } from "./bus.js";
import type { Codec } from "./codec.js";

export interface Reply {
  bytes: Uint8Array;
  isError: boolean;
}

export function errorReply(codec: Codec, err: unknown): Reply {
  return { bytes: codec.encode(errorToWire(err)), isError: true };
}

export async function buildReply(
  codec: Codec,
  maxPayload: number,
  handler: RequestHandler,
  data: unknown,
  info: MessageInfo,
): Promise<Reply> {
  let value: unknown;
  try {
    value = await handler(data, info);
  } catch (err) {
    return errorReply(codec, err);
  }
  try {
    const bytes = codec.encode(value);
    if (bytes.length > maxPayload) {
      throw new PayloadTooLargeError(
        `reply on ${info.subject} is ${bytes.length} bytes; the limit is ${maxPayload}`,
      );
    }
    return { bytes, isError: false };
  } catch (err) {
    return errorReply(codec, err);
  }
}
