/**
 * `crypy record`: a Recorder (src/actors/recorder) following markets at one or more sources and
 * publishing them on crypy.md.<source>.<market>.<kind>, on the embedded bus or NATS (--nats).
 *
 * A source is a venue file (the simulator on a wall clock at --speed, named by the file's `name`)
 * or an exchange whose desk template crypy has (`binance`: ccxt pro's public market data, no keys
 * needed). What is published is also stored (record-store.ts): closed 1-minute candles in the
 * local store (--data-dir), the embedded default, or every kind but tickers in PostgreSQL
 * (--store postgres://…). Without --markets, the stored markets or ETH/USDT and SOL/USDT.
 */
import { type Command, InvalidArgumentError } from "commander";
import { InvalidInputError } from "../domain/errors.js";
import { action, type GlobalFlags } from "./program.js";
import { dropPolicy, positiveInteger, type RecordStoreFlags } from "./record-store.js";

interface RecordOptions extends RecordStoreFlags {
  markets?: string[];
  kinds: string[];
  speed: number;
  exitAfter?: string;
  json?: boolean;
  templates?: string;
  exportAfter?: string;
  exportTo?: string;
}

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

export function registerRecord(program: Command): void {
  program
    .command("record")
    .description(
      "record market data from one or more venues onto the bus (crypy.md.<venue>.<market>.<kind>), each stream numbered",
    )
    .argument(
      "<SOURCE...>",
      "venue files (the simulator, e.g. venues/sim-perp.yaml) or exchanges with a desk template (binance, kraken, …)",
    )
    .option(
      "--markets <list>",
      "markets, e.g. BTC/USDT,BTC/USDT:USDT (default: the markets the store keeps from the last run's track/untrack, or ETH/USDT,SOL/USDT)",
      list,
    )
    .option(
      "--kinds <list>",
      "trades, candles, ticker, book, mark, funding, liquidations (mark and funding: contracts only; liquidations: Binance USDⓈ-M)",
      list,
      ["trades", "candles", "ticker"],
    )
    .option("--speed <n>", "venue files: simulated seconds per real second", speed, 1)
    .option("--exit-after <duration>", "stop after this much time of the sources' clock, e.g. 1h")
    .option("--json", "print each event as a JSON line")
    .option("--templates <dir>", "templates folder (desk templates of exchanges)")
    .option(
      "--data-dir <dir>",
      "where recorded candles are stored (default: crypy's local store, as crypy data import)",
    )
    .option(
      "--export-after <age>",
      "export the local store's candles older than this to Parquet daily, e.g. 30d",
    )
    .option(
      "--export-to <dir>",
      "with --export-after: the Parquet archive (as crypy data export --to)",
    )
    .option(
      "--store <url>",
      "record into PostgreSQL (postgres://…): trades, candles, books, marks and funding, with gaps (default: the local store)",
    )
    .option(
      "--queue-capacity <n>",
      "--store: rows held per stream before dropping (default 100000)",
      positiveInteger,
    )
    .option("--batch-size <n>", "--store: rows per COPY batch (default 5000)", positiveInteger)
    .option(
      "--drop <policy>",
      "--store: when a queue is full, drop the newest rows or the oldest (default newest); drops are counted and recorded as gaps",
      dropPolicy,
    )
    .action(
      action(async (sources: string[], options: RecordOptions) => {
        const { RECORD_KINDS, Recorder } = await import("../actors/recorder/recorder.js");
        for (const kind of options.kinds) {
          if (!(RECORD_KINDS as readonly string[]).includes(kind))
            throw new InvalidInputError(
              `--kinds: unknown kind ${JSON.stringify(kind)}; expected ${RECORD_KINDS.join(", ")}`,
            );
        }
        const { recordExportAge, startRecordExport } = await import("./record-export.js");
        recordExportAge(options);
        const { openSources } = await import("./record-sources.js");
        const opened = await openSources(sources, options);
        const { createBus } = await import("../bus/select.js");
        const { allActorEvents } = await import("../bus/subjects.js");
        const { createLogger } = await import("../log/logger.js");
        const { ControlPlane } = await import("../control/plane.js");
        const natsUrl = program.opts<GlobalFlags>().nats;
        const bus = await createBus({
          ...(natsUrl === undefined ? {} : { natsUrl }),
          name: "crypy-record",
        });
        const { shareBudgets } = await import("./record-sources.js");
        shareBudgets(opened, bus, (key, mode) =>
          process.stderr.write(
            mode === "shared"
              ? `crypy: ${key} requests spend the budget its Desk keeps\n`
              : `crypy: no Desk keeps ${key}'s request budget; keeping to its limit alone\n`,
          ),
        );
        bus.subscribe<Record<string, unknown>>(allActorEvents(), (e) => {
          process.stdout.write(
            options.json === true
              ? `${JSON.stringify(e)}\n`
              : `${new Date(Number(e.ts)).toISOString()} ${String(e.actor)} ${String(e.event)}\n`,
          );
        });
        const clock = opened.clock;
        const { openRecordStore } = await import("./record-store.js");
        const stored = await openRecordStore(options, "recorder", clock).catch(async (err) => {
          await opened.close();
          throw err;
        });
        const log = createLogger();
        // Its own telnet endpoint on loopback (actor.listening says where): status, track, untrack.
        const control = new ControlPlane({ log });
        const recorder = new Recorder(
          {
            id: "recorder",
            sources: opened.sources,
            ...(options.markets === undefined ? {} : { markets: options.markets }),
            kinds: options.kinds as (typeof RECORD_KINDS)[number][],
            sink: stored.sink,
          },
          { bus, clock, log, heartbeatMs: 5_000, control },
        );
        const stopExport = startRecordExport(options, clock, createLogger());
        try {
          await recorder.start();
          await opened.until(options.exitAfter);
        } finally {
          await stopExport();
          await recorder.stop();
          await control.closeAll();
          await bus.flush();
          await stored.close();
          await opened.close();
          await bus.drain();
        }
        return 0;
      }),
    );
}

function speed(text: string): number {
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError("must be a number > 0");
  return n;
}
