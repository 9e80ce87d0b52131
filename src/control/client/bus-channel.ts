/**
 * A command channel over the bus: `crypy.ctl.<actor>` requests carrying whole lines, each signed
 * by this machine's operator (the actor runs an unsigned request read-only).
 */

import { operatorRequest } from "../../actors/commands/operator.js";
import type { Role } from "../../actors/commands/types.js";
import type { ActorKeys } from "../../actors/identity/keys.js";
import type { ControlReply } from "../../actors/runtime/actor.js";
import type { Bus } from "../../bus/bus.js";
import { control } from "../../bus/subjects.js";
import { asCrypyError } from "../../domain/errors.js";
import { type ChannelReply, type CommandChannel, replyForPeople } from "./channel.js";
import { operatorKeys } from "./operator.js";

export interface BusChannelOptions {
  role?: Role;
  /** The tool's name for the audit log, recorded as a claim ("dashboard", "stdin"). */
  who?: string;
  timeoutMs?: number;
  /** Who signs: default this machine's operator (the state directory's key). */
  keys?: () => ActorKeys;
}

export function busChannel(
  bus: Bus,
  actor: string,
  options: BusChannelOptions = {},
): CommandChannel {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const keys = options.keys ?? (() => operatorKeys());
  return {
    actor,
    connected: true,
    async run(line) {
      let request: ReturnType<typeof operatorRequest>;
      try {
        request = operatorRequest(
          keys(),
          actor,
          {
            line,
            role: options.role ?? "operator",
            ...(options.who === undefined ? {} : { who: options.who }),
          },
          { at: Date.now() },
        );
      } catch (err) {
        // No operator key to sign with (one others can read, say): said here, not sent unsigned.
        const { code, message } = asCrypyError(err);
        return { ok: false, code, message, text: `${code}: ${message}` };
      }
      const reply = await bus.request<ControlReply>(control(actor), request, { timeoutMs });
      return replyForPeople(reply) satisfies ChannelReply;
    },
    async complete(line) {
      try {
        const out = await bus.request<unknown>(
          control(actor),
          { complete: line },
          { timeoutMs: 2_000 },
        );
        return Array.isArray(out) ? out.map(String) : [];
      } catch {
        return [];
      }
    },
    async close() {},
  };
}
