/** `crypy venue serve`: the simulator behind Binance spot's public REST API, on a wall clock. */
import { type Command, InvalidArgumentError } from "commander";
import { action } from "./program.js";

interface ServeOptions {
  host: string;
  port: number;
  speed: number;
  history: string;
}

/** A TCP port to listen on, 0 letting the OS choose one. */
function listenPort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65_535)
    throw new InvalidArgumentError(
      "must be a port: a whole number from 0 (any free port) to 65535",
    );
  return n;
}

function speedFactor(text: string): number {
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError("must be a number > 0");
  return n;
}

export function registerVenue(program: Command): void {
  const venue = program
    .command("venue")
    .description("serve a simulated venue over a real exchange's API");
  venue
    .command("serve")
    .description(
      "run the simulator on a wall clock behind Binance spot's public REST API (/api/v3/...), for any Binance client",
    )
    .argument("[VENUE_FILE]", "the venue file (default: the shipped venues/sim.yaml)")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", listenPort, 8765)
    .option("--speed <n>", "simulated seconds per real second", speedFactor, 1)
    .option("--history <duration>", "simulated market history before the server starts", "1d")
    .action(
      action(async (file: string | undefined, options: ServeOptions) => {
        const { DEFAULT_VENUE_FILE } = await import("../sim/config/load.js");
        const { parseTimeframe } = await import("../domain/timeframe.js");
        const { createSimulation } = await import("../venues/sim/simulation.js");
        const { startVenueServer } = await import("../venue-server/server.js");
        const simulation = await createSimulation(file ?? DEFAULT_VENUE_FILE, {
          clock: { speed: options.speed, historyMs: parseTimeframe(options.history) },
        });
        simulation.start();
        const server = await startVenueServer(simulation, {
          host: options.host,
          port: options.port,
        });
        process.stdout.write(
          `venue ${simulation.config.name} serving Binance spot REST at ${server.url}/api/v3 (Ctrl-C stops)\n`,
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await server.close();
        await simulation.stop();
        return 0;
      }),
    );
}
