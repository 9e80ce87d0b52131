/** A command channel over the bus: `crypy.ctl.<actor>` requests carrying whole lines. */

import type { Role } from "../../actors/commands/types.js";
import type { ControlReply } from "../../actors/runtime/actor.js";
import type { Bus } from "../../bus/bus.js";
import { control } from "../../bus/subjects.js";
import type { ChannelReply, CommandChannel } from "./channel.js";

export function busChannel(
  bus: Bus,
  actor: string,
  options: { role?: Role; who?: string; timeoutMs?: number } = {},
): CommandChannel {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    actor,
    connected: true,
    async run(line) {
      const reply = await bus.request<ControlReply>(
        control(actor),
        { line, role: options.role ?? "operator", who: options.who },
        { timeoutMs },
      );
      return reply satisfies ChannelReply;
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
