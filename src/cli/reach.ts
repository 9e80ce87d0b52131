/**
 * `crypy actors`, `crypy attach`, `crypy invest` and `crypy trade`: reaching running actors from
 * another terminal, over NATS when --nats is given.
 */
import type { Command } from "commander";
import type { Bus } from "../bus/bus.js";
import { action, type GlobalFlags, openBus } from "./program.js";

export function registerReach(program: Command): void {
  async function natsIfAsked(): Promise<Bus | undefined> {
    const url = program.opts<GlobalFlags>().nats;
    if (url === undefined) return undefined;
    return openBus(program);
  }

  async function withReach<T>(body: (bus: Bus | undefined) => Promise<T>): Promise<T> {
    const bus = await natsIfAsked();
    try {
      return await body(bus);
    } finally {
      await bus?.close();
    }
  }

  program
    .command("actors")
    .description("list running actors: id, kind, state, control address")
    .option("--json", "print JSON")
    .action(
      action((options: { json?: boolean }) =>
        withReach(async (bus) => {
          const { actorsCommand } = await import("./reach-commands.js");
          return actorsCommand(bus, options.json === true, process.stdout);
        }),
      ),
    );

  program
    .command("attach <actor>")
    .description("a command line on a running actor (line editing, history, tab completion)")
    .option("--read-only", "ask for the read-only role")
    .action(
      action((actor: string, options: { readOnly?: boolean }) =>
        withReach(async (bus) => {
          const { attachCommand } = await import("./reach-commands.js");
          return attachCommand(actor, { bus, readOnly: options.readOnly });
        }),
      ),
    );

  program
    .command("invest [asset]")
    .description(
      "the invest REPL of a running Holder: capital, traders, proposals, accept/refuse, trade <pair>",
    )
    .option("--desk <id>", "the Desk (default: the only one running)")
    .action(
      action((asset: string | undefined, options: { desk?: string }) =>
        withReach(async (bus) => {
          const { investCommand } = await import("./reach-commands.js");
          return investCommand(asset, { bus, desk: options.desk });
        }),
      ),
    );

  program
    .command("trade <pair>")
    .description("the trade REPL of a pair's running Trader: position, enter, adjust sl|tp, exit")
    .option("--desk <id>", "the Desk (default: the only one running)")
    .action(
      action((pair: string, options: { desk?: string }) =>
        withReach(async (bus) => {
          const { tradeCommand } = await import("./reach-commands.js");
          return tradeCommand(pair, { bus, desk: options.desk });
        }),
      ),
    );
}
