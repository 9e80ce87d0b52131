/**
 * The REPLs people use: `attach` (any actor's commands), `invest` (a Holder: capital, traders,
 * proposals, accept/refuse, and `trade <pair>` to go down) and `trade` (the Trader of a pair:
 * position, enter, adjust, exit; `back` goes up). Each forwards the actor's own command language
 * and adds only how to move between them.
 */
import { holderId, traderId } from "../../actors/runtime/ids.js";
import type { CommandChannel } from "../client/channel.js";
import type { ReplCore, ReplStep } from "./types.js";

/** Opens a channel to an actor by id (over the bus, or its endpoint). */
export type ChannelOpener = (actor: string) => CommandChannel;

/** Only quit: `exit` is the Trader's (sell the position). */
const LEAVE = ["quit"];

/** The commands of one actor, as they are. */
export function attachRepl(channel: CommandChannel): ReplCore {
  return forwarding(channel, `${channel.actor}> `, {});
}

export function investRepl(desk: string, asset: string, open: ChannelOpener): ReplCore {
  const holder = open(holderId(desk, asset));
  let self: ReplCore;
  const local: LocalCommands = {
    trade: {
      usage: "trade <pair>",
      summary: "go down to the trade REPL of a pair's Trader",
      run: async ([market]) => {
        if (market === undefined) return { text: "trade needs a pair, like trade BTC/USDT" };
        return { text: "", next: tradeRepl(desk, market, open, self) };
      },
    },
  };
  self = forwarding(holder, `invest ${asset}> `, local);
  return self;
}

export function tradeRepl(
  desk: string,
  market: string,
  open: ChannelOpener,
  parent?: ReplCore,
): ReplCore {
  const trader = open(traderId(desk, market));
  const local: LocalCommands = {
    back: {
      usage: "back",
      summary: parent === undefined ? "leave" : "back up to the invest REPL",
      run: async () => {
        await trader.close();
        return parent === undefined ? { text: "", exit: true } : { text: "", next: parent };
      },
    },
  };
  return forwarding(trader, `trade ${market}> `, local);
}

interface LocalCommand {
  usage: string;
  summary: string;
  run(args: string[]): Promise<ReplStep>;
}
type LocalCommands = Record<string, LocalCommand>;

function forwarding(channel: CommandChannel, prompt: string, local: LocalCommands): ReplCore {
  const core: ReplCore = {
    prompt: () => prompt,
    async run(line) {
      const [name = "", ...args] = line.trim().split(/\s+/);
      if (name === "") return { text: "" };
      if (LEAVE.includes(name)) {
        await channel.close();
        return { text: "", exit: true };
      }
      const mine = local[name];
      if (mine !== undefined) return mine.run(args);
      const reply = await channel.run(line);
      let text = reply.text;
      if (name === "help" && args.length === 0 && reply.ok) {
        const extra = Object.values(local).map((c) => `${c.usage}  ${c.summary}`);
        text = [text, ...extra, "quit  leave this REPL"].join("\n");
      }
      return { text };
    },
    async complete(line) {
      const names = [...Object.keys(local), ...LEAVE];
      const fromActor = await channel.complete(line);
      const word = line.trimStart();
      const isFirstWord = !/\s/.test(word);
      const hits = isFirstWord
        ? [...fromActor, ...names.filter((n) => n.startsWith(word))].sort()
        : fromActor;
      // readline completes the last word: return candidates for it.
      const last = isFirstWord ? word : (line.split(/\s+/).pop() ?? "");
      return [hits, last];
    },
    close: () => channel.close(),
  };
  return core;
}
