/**
 * `crypy venue serve`: the simulator behind Binance spot's REST API and WebSocket streams, and its
 * contracts behind Binance USDⓈ-M Futures' REST API (/fapi), on a wall clock.
 */
import { type Command, InvalidArgumentError } from "commander";
import { InvalidInputError } from "../domain/errors.js";
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
      "run the simulator on a wall clock behind Binance spot's REST API (/api/v3/...) and WebSocket streams (/ws, /stream, /ws-api/v3), and its perpetual and delivery contracts behind Binance USDⓈ-M Futures' REST API (/fapi/...), for any Binance client",
    )
    .argument(
      "[VENUE_FILE...]",
      "venue files, each served on its own port (default: the shipped venues/sim.yaml)",
    )
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option(
      "--port <port>",
      "port of the first venue, the next ones on the following ports (0: any free ports)",
      listenPort,
      8765,
    )
    .option("--speed <n>", "simulated seconds per real second", speedFactor, 1)
    .option(
      "--history <duration>",
      "simulated market history before the server starts (2d: enough for the shipped Traders to warm up at once)",
      "2d",
    )
    .addHelpText(
      "after",
      `
Each venue file's accounts with apiKeys can trade through the signed endpoints; its latency, rate
limit and faults (including lostReplies) show on the wire. Point a Binance client's URLs at the
printed address, e.g. ccxt: urls.api.public/private = <url>/api/v3, urls.api.sapi = <url>/sapi/v1;
ccxt pro: urls.api.ws.spot = <ws url>/ws, urls.api.ws["ws-api"].spot = <ws url>/ws-api/v3 (ccxt
accepts a plain ws:// URL only after exchange.loadHttpProxyAgent()).

A venue file's perpetual and delivery markets (venues/sim-perp.yaml) are Binance USDⓈ-M Futures'
at <url>/fapi: for ccxt's binanceusdm set urls.api.fapiPublic and fapiPrivate = <url>/fapi/v1,
fapiPublicV2 and fapiPrivateV2 = <url>/fapi/v2, fapiPublicV3 and fapiPrivateV3 = <url>/fapi/v3;
ccxt pro: urls.api.ws.future = <ws url>/ws (its user data stream, /private/ws?listenKey=…).
Not served for futures: market streams over WebSocket, and conditional (algo) orders.`,
    )
    .action(
      action(async (files: string[], options: ServeOptions) => {
        const { DEFAULT_VENUE_FILE } = await import("../sim/config/load.js");
        const { parseTimeframe } = await import("../domain/timeframe.js");
        const { createSimulation } = await import("../venues/sim/simulation.js");
        const { startVenueServer } = await import("../venue-server/server.js");
        const historyMs = parseTimeframe(options.history);
        const served: { close(): Promise<void> }[] = [];
        const stopAll = async () => {
          for (const s of served.splice(0).reverse()) await s.close();
        };
        try {
          const chosen = files.length === 0 ? [DEFAULT_VENUE_FILE] : files;
          for (const [i, file] of chosen.entries()) {
            const simulation = await createSimulation(file, {
              clock: { speed: options.speed, historyMs },
            });
            simulation.start();
            served.push({ close: () => simulation.stop() });
            const port = options.port === 0 ? 0 : options.port + i;
            const server = await startVenueServer(simulation, { host: options.host, port }).catch(
              (err: NodeJS.ErrnoException) => {
                if (err.code !== "EADDRINUSE" && err.code !== "EADDRNOTAVAIL") throw err;
                throw new InvalidInputError(
                  `${file}: cannot listen on ${options.host}:${port} (${err.code === "EADDRINUSE" ? "in use" : "no such address here"}); choose another with --host/--port, or --port 0`,
                );
              },
            );
            served.push(server);
            const ws = server.url.replace(/^http/, "ws");
            const contracts = Object.values(simulation.config.markets).some(
              (m) => m.contract !== undefined,
            );
            const futures = contracts ? `, USDⓈ-M Futures REST at ${server.url}/fapi` : "";
            process.stdout.write(
              `venue ${simulation.config.name} (${file}) serving Binance spot REST at ${server.url}/api/v3, streams at ${ws}/ws and ${ws}/stream, WebSocket API at ${ws}/ws-api/v3${futures}\n`,
            );
          }
        } catch (err) {
          await stopAll();
          throw err;
        }
        process.stdout.write("Ctrl-C stops\n");
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await stopAll();
        return 0;
      }),
    );
}
