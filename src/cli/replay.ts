/**
 * `crypy replay`: recorded candles, trades and books published on the bus (or NATS with --nats)
 * under the source replay-<venue>, merged in time order, at --speed or as fast as it goes
 * (src/store/replay-sources.ts for the shapes, replay-streams.ts for the order and the pacing).
 * Candles come from the local store (default) or PostgreSQL (--store postgres://…); trades and
 * books only from PostgreSQL, which is where the Recorder stores them.
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
  store?: string;
  kinds: string[];
}

const KINDS = ["candles", "trades", "book"] as const;
type Kind = (typeof KINDS)[number];

function kinds(text: string): string[] {
  return text.split(",").map((k) => k.trim());
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
      "publish recorded candles, trades and books on the bus as crypy.md.replay-<venue>.<market>.<kind>, numbered, in time order, at --speed",
    )
    .requiredOption("--market <symbol>", "the stored market, e.g. BTC/USDT")
    .option("--venue <name>", "the stored series' venue", "binance")
    .option("--timeframe <tf>", "the stored (or a coarser) timeframe", "1m")
    .option("--from <time>", "first candle's open time, ISO 8601 (default: the first stored)")
    .option("--to <time>", "last candle's open time, ISO 8601 (default: the last stored)")
    .option("--speed <n|max>", "simulated seconds per real second, or max", "max")
    .option("--data-dir <dir>", "the local store (default: crypy's data directory)")
    .option("--store <dir|url>", "the local store's directory, or postgres://… (trades and books)")
    .option("--kinds <list>", "what to replay: candles, trades, book (comma-separated)", kinds, [
      "candles",
    ])
    .action(
      action(async (flags: ReplayFlags) => {
        const from = instant(flags.from, "--from");
        const to = instant(flags.to, "--to");
        const speed = flags.speed === "max" ? "max" : Number(flags.speed);
        if (speed !== "max" && !(Number.isFinite(speed) && speed > 0))
          throw new InvalidInputError(
            `--speed must be a positive number or max, got ${flags.speed}`,
          );
        for (const kind of flags.kinds)
          if (!(KINDS as readonly string[]).includes(kind))
            throw new InvalidInputError(
              `--kinds: unknown kind ${JSON.stringify(kind)}; expected ${KINDS.join(", ")}`,
            );
        const wanted = new Set(flags.kinds as Kind[]);
        const { isPostgresUrl } = await import("../store/postgres/url.js");
        const postgres = flags.store !== undefined && isPostgresUrl(flags.store);
        if (!postgres && (wanted.has("trades") || wanted.has("book")))
          throw new InvalidInputError(
            "--kinds trades and book are replayed from PostgreSQL, where the Recorder stores them: pass --store postgres://…",
          );
        const { openReplay } = await import("./replay-open.js");
        const replay = await openReplay({
          venue: flags.venue,
          market: flags.market,
          timeframe: flags.timeframe,
          kinds: wanted,
          store: flags.store ?? flags.dataDir,
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
        });
        const { createBus } = await import("../bus/select.js");
        const natsUrl = program.opts<GlobalFlags>().nats;
        const stop = new AbortController();
        process.once("SIGINT", () => stop.abort());
        const { replayStreams } = await import("../store/replay-streams.js");
        try {
          const bus = await createBus({
            ...(natsUrl === undefined ? {} : { natsUrl }),
            name: "crypy-replay",
          });
          try {
            const counts = await replayStreams(bus, replay.streams, {
              speed,
              signal: stop.signal,
              ...(replay.start === undefined ? {} : { start: replay.start }),
            });
            process.stdout.write(`${replay.describe(counts)}\n`);
          } finally {
            await bus.drain();
          }
        } finally {
          await replay.close();
        }
        return 0;
      }),
    );
}
