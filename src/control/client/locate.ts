/**
 * Finds a running actor and opens a channel to it: over the bus when one is given (NATS reaches
 * actors in any process), else through the runtime registry to its telnet endpoint.
 */
import type { Bus } from "../../bus/bus.js";
import { InvalidInputError } from "../../domain/errors.js";
import { readRegistry } from "../registry/registry.js";
import { busChannel } from "./bus-channel.js";
import type { ChannelReply, CommandChannel } from "./channel.js";
import { tcpChannel } from "./tcp-channel.js";

export interface LocateOptions {
  bus?: Bus | undefined;
  token?: string | undefined;
  readOnly?: boolean | undefined;
  /** The registry directory (tests); default the user's. */
  registryDir?: string | undefined;
}

export async function openChannel(
  actor: string,
  options: LocateOptions = {},
): Promise<CommandChannel> {
  if (options.bus !== undefined)
    return busChannel(options.bus, actor, options.readOnly === true ? { role: "read" } : {});
  const all = readRegistry(options.registryDir);
  const found = all.find((a) => a.id === actor);
  if (found === undefined) {
    const running = all.map((a) => a.id);
    throw new InvalidInputError(
      `no running actor ${actor} on this machine` +
        (running.length === 0
          ? " (nothing runs: start one with `crypy sim`; with --nats, pass the same --nats URL)"
          : ` (running: ${running.join(", ")})`),
    );
  }
  return tcpChannel(actor, found.control, {
    token: options.token,
    ...(options.readOnly === true ? { readOnly: true } : {}),
  });
}

/**
 * A channel that opens on first use and opens again after its actor went away — a Trader ends and
 * a fresh one takes its pair, on a new port.
 */
export function lazyChannel(actor: string, open: () => Promise<CommandChannel>): CommandChannel {
  let current: Promise<CommandChannel> | undefined;
  const get = () => {
    current ??= open().catch((err: unknown) => {
      current = undefined;
      throw err;
    });
    return current;
  };
  const unreachable = (err: unknown): ChannelReply => {
    current = undefined;
    const code = (err as { code?: string })?.code ?? "unreachable";
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, code, message, text: `${code}: ${message}` };
  };
  return {
    actor,
    // It reconnects on its own.
    connected: true,
    async run(line) {
      try {
        let channel = await get();
        if (!channel.connected) {
          // Gone before this line was sent (never after: a command is not sent twice).
          current = undefined;
          channel = await get();
        }
        return await channel.run(line);
      } catch (err) {
        return unreachable(err);
      }
    },
    async complete(line) {
      try {
        return await (await get()).complete(line);
      } catch {
        return [];
      }
    },
    async close() {
      const c = current;
      current = undefined;
      if (c !== undefined) await (await c.catch(() => undefined))?.close();
    },
  };
}
