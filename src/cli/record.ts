/**
 * `crypy record`: a Recorder (src/actors/recorder) following markets at one or more sources and
 * publishing them on crypy.md.<source>.<market>.<kind>, on the embedded bus or NATS (--nats).
 *
 * A source is a venue file (the simulator on a wall clock at --speed, named by the file's `name`)
 * or an exchange whose desk template crypy has (`binance`: ccxt pro's public market data, no keys
 * needed). Closed 1-minute candles are also written to the local store (--data-dir), the embedded
 * default; the other kinds go on the bus only for now.
 */
import { type Command, InvalidArgumentError } from "commander";
import { InvalidInputError } from "../domain/errors.js";
import { action, type GlobalFlags } from "./program.js";

interface RecordOptions {
  markets: string[];
  kinds: string[];
  speed: number;
  exitAfter?: string;
  json?: boolean;
  templates?: string;
  dataDir?: string;
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
    .requiredOption("--markets <list>", "markets, e.g. BTC/USDT,BTC/USDT:USDT", list)
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
      "export stored candles older than this to Parquet daily, e.g. 30d",
    )
    .option(
      "--export-to <dir>",
      "with --export-after: the Parquet archive (as crypy data export --to)",
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
        const { openStore } = await import("../store/candle-store.js");
        const { CandleSink } = await import("../store/candle-sink.js");
        const sink = new CandleSink(openStore(options.dataDir));
        const clock = opened.clock;
        // Closed candles go to the store every 10 s of the sources' clock, and at the end.
        const flushing = setInterval(() => sink.flush(clock.now()), 10_000);
        const recorder = new Recorder(
          {
            id: "recorder",
            sources: opened.sources,
            markets: options.markets,
            kinds: options.kinds as (typeof RECORD_KINDS)[number][],
            candles: sink,
          },
          { bus, clock, log: createLogger(), heartbeatMs: 5_000 },
        );
        const stopExport = startRecordExport(options, clock, createLogger());
        try {
          await recorder.start();
          await opened.until(options.exitAfter);
        } finally {
          clearInterval(flushing);
          await stopExport();
          sink.flush(clock.now());
          await recorder.stop();
          await bus.flush();
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
