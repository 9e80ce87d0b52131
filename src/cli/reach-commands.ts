/**
 * `crypy actors`, `crypy attach`, `crypy invest` and `crypy trade`: reaching running actors from
 * another terminal — through the runtime registry and their telnet endpoints, or over NATS. What
 * they print from the bus is made inert for a terminal first; what they send over the bus is
 * signed by this machine's operator.
 */

import { render } from "../actors/commands/render.js";
import { holderId } from "../actors/runtime/ids.js";
import type { Bus } from "../bus/bus.js";
import { allHeartbeats } from "../bus/subjects.js";
import type { CommandChannel } from "../control/client/channel.js";
import { lazyChannel, openChannel } from "../control/client/locate.js";
import { tcpChannel } from "../control/client/tcp-channel.js";
import { OPERATOR_TOKEN_ENV } from "../control/endpoint/tokens.js";
import { readRegistry } from "../control/registry/registry.js";
import { attachRepl, investRepl, tradeRepl } from "../control/repl/cores.js";
import { runRepl } from "../control/repl/terminal.js";
import { InvalidInputError } from "../domain/errors.js";
import { terminalJson, terminalLine } from "../domain/terminal-text.js";

export interface ReachOptions {
  /** The NATS bus when --nats is given. */
  bus?: Bus | undefined;
  readOnly?: boolean | undefined;
  desk?: string | undefined;
}

export interface ActorRow {
  id: string;
  kind: string;
  state: string;
  control: string;
  pid: number | undefined;
}

/**
 * Running actors: from heartbeats on NATS, or the registry (each asked for its state). Heartbeats
 * are anyone's to publish: every text in a row is shown with its control characters escaped.
 */
export async function listActors(bus: Bus | undefined, waitMs = 5_500): Promise<ActorRow[]> {
  if (bus !== undefined) {
    const seen = new Map<string, ActorRow>();
    const sub = bus.subscribe<Record<string, unknown>>(allHeartbeats(), (hb) => {
      if (typeof hb?.id !== "string") return;
      seen.set(hb.id, {
        id: terminalLine(hb.id),
        kind: terminalLine(String(hb.kind ?? "?")),
        state: terminalLine(String(hb.state ?? "?")),
        control:
          typeof hb.control === "string"
            ? terminalLine(`${String(hb.host ?? "")} ${hb.control}`.trim())
            : "-",
        pid: typeof hb.pid === "number" ? hb.pid : undefined,
      });
    });
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    sub.unsubscribe();
    return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
  const rows: ActorRow[] = [];
  for (const a of readRegistry()) {
    let state = "unreachable";
    try {
      const channel = await tcpChannel(a.id, a.control, {
        token: process.env[OPERATOR_TOKEN_ENV],
        timeoutMs: 2_000,
      });
      const reply = await channel.run("status");
      await channel.close();
      const value = reply.value as { state?: unknown } | undefined;
      if (reply.ok && typeof value?.state === "string") state = terminalLine(value.state);
    } catch {
      // Listed as unreachable: it may be stopping.
    }
    rows.push({
      id: terminalLine(a.id),
      kind: terminalLine(String(a.kind)),
      state,
      control: terminalLine(a.control),
      pid: a.pid,
    });
  }
  return rows;
}

export async function actorsCommand(
  bus: Bus | undefined,
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  const rows = await listActors(bus);
  if (json) out.write(`${terminalJson(rows)}\n`);
  else if (rows.length === 0)
    out.write("no actors running (start one with `crypy sim`; over NATS pass --nats)\n");
  else out.write(`${render(rows)}\n`);
  return 0;
}

function opener(options: ReachOptions) {
  return (actor: string): CommandChannel =>
    lazyChannel(actor, () =>
      openChannel(actor, {
        bus: options.bus,
        token: process.env[OPERATOR_TOKEN_ENV],
        readOnly: options.readOnly,
      }),
    );
}

export async function attachCommand(actor: string, options: ReachOptions): Promise<number> {
  const channel = await openChannel(actor, {
    bus: options.bus,
    token: process.env[OPERATOR_TOKEN_ENV],
    readOnly: options.readOnly,
  });
  // Fail now, not at the first command, when the actor is not there.
  const hello = await channel.run("status");
  if (!hello.ok && hello.code !== "unauthorized") throw new InvalidInputError(hello.text);
  await runRepl(attachRepl(channel), process.stdin, process.stdout, "attach");
  return 0;
}

/** The Desk to work with: the one given, or the only one running here. */
export function chooseDesk(options: ReachOptions): string {
  if (options.desk !== undefined) return options.desk;
  if (options.bus !== undefined) return "sim-main";
  const desks = readRegistry().filter((a) => a.kind === "desk");
  if (desks.length === 1) return desks[0]!.id;
  if (desks.length === 0)
    throw new InvalidInputError("no Desk runs here: start one with `crypy sim`");
  throw new InvalidInputError(
    `several Desks run (${desks.map((d) => d.id).join(", ")}): choose one with --desk`,
  );
}

export async function investCommand(
  asset: string | undefined,
  options: ReachOptions,
): Promise<number> {
  const desk = chooseDesk(options);
  const open = opener(options);
  const chosen = asset ?? (await firstHolderAsset(open(desk), desk));
  const holder = open(holderId(desk, chosen));
  const hello = await holder.run("status");
  await holder.close();
  if (!hello.ok) throw new InvalidInputError(`${holderId(desk, chosen)}: ${hello.text}`);
  await runRepl(investRepl(desk, chosen, open), process.stdin, process.stdout, "invest");
  return 0;
}

export async function tradeCommand(market: string, options: ReachOptions): Promise<number> {
  const desk = chooseDesk(options);
  await runRepl(tradeRepl(desk, market, opener(options)), process.stdin, process.stdout, "trade");
  return 0;
}

async function firstHolderAsset(deskChannel: CommandChannel, desk: string): Promise<string> {
  const reply = await deskChannel.run("holders");
  await deskChannel.close();
  const first = Array.isArray(reply.value) ? terminalLine(String(reply.value[0] ?? "")) : "";
  if (!reply.ok || first === "")
    throw new InvalidInputError(`${desk} has no Holder to invest with (${reply.text})`);
  return first.slice(first.lastIndexOf("_") + 1);
}
