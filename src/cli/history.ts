/**
 * `crypy history serve --store <dir|postgres://…>`: answers history requests on NATS
 * (crypy.history.<venue>.<market>.<kind>, src/actors/history/serve.ts) until SIGINT or SIGTERM.
 *
 * A command of its own rather than a mode of `crypy record` or `crypy replay`: serving history
 * reads a store and needs no exchange, so it runs wherever the database is reachable, for as long
 * as readers need it, whether a Recorder is writing or not. It needs NATS: on the embedded bus no
 * other process could ask.
 */
import type { Command } from "commander";
import { InvalidInputError } from "../domain/errors.js";
import { action, type GlobalFlags } from "./program.js";

interface ServeFlags {
  store?: string;
}

export function registerHistory(program: Command): void {
  const history = program
    .command("history")
    .description("recorded market history over NATS, by request/reply");
  history
    .command("serve")
    .description(
      "answer crypy.history.<venue>.<market>.<trade|book|candle-tf> requests from a store until stopped",
    )
    .option(
      "--store <dir|url>",
      "a local store directory (candles) or postgres://… (candles, trades, books); default: crypy's data directory",
    )
    .action(
      action(async (flags: ServeFlags) => {
        const { nats, natsCreds } = program.opts<GlobalFlags>();
        const { selectedNatsUrl } = await import("../bus/select.js");
        if (selectedNatsUrl({ natsUrl: nats }) === undefined)
          throw new InvalidInputError(
            "crypy history serve needs NATS (--nats URL or CRYPY_NATS_URL): on the embedded bus no other process could ask",
          );
        const { openHistorySource } = await import("../actors/history/sources.js");
        const { serveHistory } = await import("../actors/history/serve.js");
        const { allHistory } = await import("../bus/subjects.js");
        const { createBus } = await import("../bus/select.js");
        const source = await openHistorySource(flags.store);
        const bus = await createBus({ natsUrl: nats, natsCreds, name: "crypy-history" });
        const stopped = new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        try {
          serveHistory(bus, source);
          await bus.flush();
          process.stdout.write(`serving history from ${source.name} on ${allHistory()}\n`);
          await stopped;
        } finally {
          await bus.drain();
          await source.close();
        }
        return 0;
      }),
    );
}
