/**
 * `crypy replay`: recorded candles from the local store published on the bus (or NATS with
 * --nats) under the source replay-<venue> (src/store/replay.ts), at --speed or as fast as it goes.
 */
import type { Command } from "commander";
import { parseInstant } from "../config/time-text.js";
import { InvalidInputError } from "../domain/errors.js";
import { action, type GlobalFlags } from "./program.js";

interface ReplayFlags {
  venue: string;
  market: string;
  timeframe: string;
  from?: string;
  to?: string;
  speed: string;
  dataDir?: string;
}

function instant(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseInstant(text);
  if (ms === undefined)
    throw new InvalidInputError(
      `${flag} ${JSON.stringify(text)} is not a time: use ISO 8601 with a zone, e.g. 2024-01-01T00:00:00Z`,
    );
  return ms;
}

export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description(
      "publish recorded candles on the bus as crypy.md.replay-<venue>.<market>.candle-<timeframe>, numbered, at --speed",
    )
    .requiredOption("--market <symbol>", "the stored market, e.g. BTC/USDT")
    .option("--venue <name>", "the stored series' venue", "binance")
    .option("--timeframe <tf>", "the stored (or a coarser) timeframe", "1m")
    .option("--from <time>", "first candle's open time, ISO 8601 (default: the first stored)")
    .option("--to <time>", "last candle's open time, ISO 8601 (default: the last stored)")
    .option("--speed <n|max>", "simulated seconds per real second, or max", "max")
    .option("--data-dir <dir>", "the local store (default: crypy's data directory)")
    .action(
      action(async (flags: ReplayFlags) => {
        const from = instant(flags.from, "--from");
        const to = instant(flags.to, "--to");
        const speed = flags.speed === "max" ? "max" : Number(flags.speed);
        if (speed !== "max" && !(Number.isFinite(speed) && speed > 0))
          throw new InvalidInputError(
            `--speed must be a positive number or max, got ${flags.speed}`,
          );
        const { openStore } = await import("../store/candle-store.js");
        const series = await openStore(flags.dataDir).read(
          { venue: flags.venue, market: flags.market, timeframe: flags.timeframe },
          { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) },
        );
        const { createBus } = await import("../bus/select.js");
        const natsUrl = program.opts<GlobalFlags>().nats;
        const bus = await createBus({
          ...(natsUrl === undefined ? {} : { natsUrl }),
          name: "crypy-replay",
        });
        const stop = new AbortController();
        process.once("SIGINT", () => stop.abort());
        const { replayCandles } = await import("../store/replay.js");
        try {
          const sent = await replayCandles(bus, series, {
            venue: flags.venue,
            market: flags.market,
            timeframe: flags.timeframe,
            speed,
            signal: stop.signal,
          });
          process.stdout.write(
            `replayed ${sent} candles of ${flags.market} (${flags.venue}, ${flags.timeframe}) as replay-${flags.venue}\n`,
          );
        } finally {
          await bus.drain();
        }
        return 0;
      }),
    );
}
