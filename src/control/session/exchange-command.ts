/**
 * `crypy <exchange>` (and `crypy sim`, the simulator): a terminal session on one Desk.
 *
 * It starts the Desk `<exchange>-<account>` with its Holders and Traders from the templates — or,
 * over NATS, connects to that Desk when it already runs — then shows the dashboard on a TTY, or
 * else prints one line per actor event and reads commands from stdin. Every actor opens its own
 * telnet endpoint and registers it, so `crypy actors`, `crypy attach` and plain telnet reach it.
 * SIGINT/SIGTERM or quitting the dashboard stop the session's actors gracefully.
 */
import { createWriteStream, existsSync } from "node:fs";
import { join } from "node:path";
import type { FileDeskJournal } from "../../actors/desk/journal/file.js";
import { withVenueState } from "../../actors/desk/journal/venue-state.js";
import type { ActorEvent } from "../../actors/runtime/actor.js";
import { deskId } from "../../actors/runtime/ids.js";
import {
  type DeskTemplate,
  type ExchangeMode,
  loadDeskTemplate,
} from "../../actors/templates/index.js";
import type { Bus } from "../../bus/bus.js";
import { createBus } from "../../bus/select.js";
import { allActorEvents } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import { terminalJson } from "../../domain/terminal-text.js";
import { parseTimeframe } from "../../domain/timeframe.js";
import { createLogger, type Logger } from "../../log/logger.js";
import { DEFAULT_VENUE_FILE } from "../../sim/config/load.js";
import { type SavedExchange, SavedStateError } from "../../sim/saved-state.js";
import { createSimulation } from "../../venues/sim/simulation.js";
import { formatEventLine } from "../dashboard/event-line.js";
import { BusDashboardFeed } from "../dashboard/feed.js";
import { readRegistry } from "../registry/registry.js";
import { ensurePrivateDir, stateDir } from "../registry/state-dir.js";
import { commandLine } from "./command-line.js";
import { checkJournalKind, type JournalKind } from "./desk-journal.js";
import { runningDesk } from "./running-desk.js";
import { openSessionJournal, unresumable } from "./session-journal.js";
import { sessionSystem } from "./session-system.js";
import {
  addShippedDesk,
  ensureUserTemplates,
  parseSpeed,
  userTemplatesDir,
} from "./user-templates.js";

export interface ExchangeOptions {
  account?: string | undefined;
  /** Markets the dashboard shows (default: all the Desk watches). */
  watch?: readonly string[] | undefined;
  nats?: string | undefined;
  templates?: string | undefined;
  /** false with --no-tui. */
  tui?: boolean | undefined;
  json?: boolean | undefined;
  speed: string;
  exitAfter?: string | undefined;
  /** Simulated market history before the session starts (so Traders can warm up at once). */
  history?: string | undefined;
  controlHost?: string | undefined;
  /** The Desk's fixed control port (the others are chosen by the OS). */
  controlPort?: number | undefined;
  /** A real exchange's mode, within what its desk template allows (open-exchange.ts). */
  mode?: ExchangeMode | undefined;
  /** Where a real exchange's Desk journals in sandbox and live mode (default file). */
  journal?: JournalKind | undefined;
}

/** Enough 1m candles for the shipped Traders' warm-up (2000) before a live session begins. */
const DEFAULT_HISTORY = "36h";
/** Simulated time between two journal writes of the simulator's state when nothing else writes. */
const CHECKPOINT_MS = 3_600_000;

export interface SessionIo {
  out: NodeJS.WritableStream;
  input: NodeJS.ReadableStream;
  isTTY: boolean;
  onStop: (stop: () => void) => void;
}

export async function exchangeCommand(
  exchange: string,
  options: ExchangeOptions,
  io: SessionIo,
): Promise<number> {
  const speed = parseSpeed(options.speed);
  checkJournalKind(options.journal, options.nats);
  const exitAfterMs =
    options.exitAfter === undefined ? undefined : parseTimeframe(options.exitAfter);
  const templates = await templatesDir(options.templates);
  const deskFile = join(templates, "desk", `${exchange}.yaml`);
  if (options.templates === undefined && (await addShippedDesk(templates, exchange))) {
    process.stderr.write(`crypy: ${deskFile} copied from crypy's shipped templates\n`);
  }
  if (!existsSync(deskFile)) {
    throw new InvalidInputError(
      `no desk template for ${exchange}: ${deskFile} does not exist (copy a shipped one from` +
        ` crypy's templates/desk/ there, e.g. binance.yaml, and set exchange.id to a ccxt exchange id)`,
    );
  }
  const template = await loadDeskTemplate(deskFile);
  const account = options.account ?? template.account;
  const desk = deskId(template.name, account);
  const markets = options.watch ?? template.watch;
  for (const m of markets) {
    if (!template.watch.includes(m))
      throw new InvalidInputError(
        `--watch ${m}: ${desk} does not watch it (it watches ${template.watch.join(", ")})`,
      );
  }
  const tui = io.isTTY && options.tui !== false && options.json !== true;
  // On the dashboard, logs would tear the screen: they go to a file instead.
  const log = tui
    ? createLogger({
        destination: createWriteStream(join(ensurePrivateDir(stateDir()), "crypy.log"), {
          flags: "a",
          mode: 0o600,
        }),
        pretty: false,
      })
    : createLogger();
  const bus: Bus = await createBus({ natsUrl: options.nats, name: `crypy-${exchange}` });

  let stopping = false;
  const stopWaiters = new Set<() => void>();
  const stop = () => {
    stopping = true;
    for (const w of stopWaiters) w();
  };
  io.onStop(stop);

  const found = options.nats === undefined ? undefined : await runningDesk(bus, desk);
  const running = found !== undefined;
  if (running) {
    const where = found.where === undefined ? "" : ` (${found.where})`;
    process.stderr.write(
      `crypy: ${desk} already runs on the bus${where}: watching it, starting nothing\n`,
    );
  } else {
    const here = readRegistry().find((a) => a.id === desk);
    if (here !== undefined && options.nats === undefined) {
      await bus.close();
      throw new InvalidInputError(
        `${desk} already runs in process ${here.pid} (control ${here.control}): use \`crypy attach ${desk}\`, or run both over NATS with --nats`,
      );
    }
  }

  /** `venue`: what the header names, a real exchange with its mode (paper, sandbox, live). */
  const view = async (venue: string = exchange) => {
    if (tui) {
      const feed = new BusDashboardFeed({ bus, desk, venue, markets }).start();
      const { runDashboard } = await import("../dashboard/view.js");
      const quit = runDashboard({ feed, input: io.input, output: io.out });
      await Promise.race([quit, new Promise<void>((resolve) => stopWaiters.add(resolve))]);
      feed.stop();
      stop();
      return;
    }
    bus.subscribe<ActorEvent>(allActorEvents(), (e) => {
      io.out.write(`${options.json === true ? terminalJson(e) : formatEventLine(e)}\n`);
    });
    closeCommandLine = commandLine({ bus, desk, input: io.input, out: io.out });
  };
  let closeCommandLine = () => {};

  if (running) {
    // Another process runs this Desk on the bus: watch and command it, start nothing.
    await view();
    if (!tui)
      await new Promise<void>((resolve) => (stopping ? resolve() : stopWaiters.add(resolve)));
    closeCommandLine();
    await bus.drain();
    return 0;
  }

  await runSystem({
    deskFile,
    account,
    speed,
    exitAfterMs,
    bus,
    log,
    options,
    desk,
    view,
    isStopping: () => stopping,
  });
  closeCommandLine();
  await bus.drain();
  return 0;
}

async function templatesDir(given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  const dir = userTemplatesDir();
  if (await ensureUserTemplates(dir)) {
    process.stderr.write(
      `crypy: templates copied to ${dir} (edit them there; crypy writes what it learns into them)\n`,
    );
  }
  return dir;
}

export interface RunSystem {
  deskFile: string;
  account: string;
  speed: "max" | number;
  exitAfterMs: number | undefined;
  bus: Bus;
  log: Logger;
  options: ExchangeOptions;
  desk: string;
  view: (venue?: string) => Promise<void>;
  isStopping: () => boolean;
}

/** The whole system on its venue: the simulator, or a real exchange (run-exchange.ts). */
async function runSystem(r: RunSystem): Promise<void> {
  const template = await loadDeskTemplate(r.deskFile);
  if (template.exchange !== undefined) {
    const { runOnExchange } = await import("./run-exchange.js");
    return runOnExchange(r, template, template.exchange);
  }
  if (r.options.mode !== undefined) {
    throw new InvalidInputError(
      `--mode ${r.options.mode}: ${r.deskFile} runs the simulator (venue:), which has no modes; modes are for a desk template with exchange:`,
    );
  }
  if (r.options.journal === "jetstream") {
    throw new InvalidInputError(
      `--journal jetstream: ${r.deskFile} runs the simulator (venue:), whose state is journaled with the Desk's in the file journal; jetstream is for a desk template with exchange: in sandbox or live mode`,
    );
  }
  return runSimulated(r, template, template.venue ?? DEFAULT_VENUE_FILE);
}

/** The simulated venue and the whole system, until stopped or `exitAfterMs` of simulated time. */
async function runSimulated(
  r: RunSystem,
  template: DeskTemplate,
  venueFile: string,
): Promise<void> {
  const historyMs = parseTimeframe(r.options.history ?? DEFAULT_HISTORY);
  // The simulator lives in this process: its state is journaled with the Desk's entries, and a
  // restart resumes it from the last one before the Desk reconciles (venue-state.ts).
  const { journal, saved } = await openSessionJournal(r.desk);
  try {
    await simulateOn(r, template, venueFile, { historyMs, journal, saved });
  } finally {
    await journal.close();
  }
}

async function simulateOn(
  r: RunSystem,
  template: DeskTemplate,
  venueFile: string,
  on: { historyMs: number; journal: FileDeskJournal; saved: SavedExchange | undefined },
): Promise<void> {
  const { historyMs, saved } = on;
  // At every speed, --speed max included: a session starts with the market's recent past, or
  // where the journal left it.
  const simulation = await createSimulation(venueFile, {
    clock: { speed: r.speed, historyMs },
    ...(saved === undefined ? {} : { resume: saved }),
  }).catch((err: unknown) => {
    throw err instanceof SavedStateError ? unresumable(r.desk, err) : err;
  });
  if (saved !== undefined) {
    process.stderr.write(
      `crypy: ${r.desk} resumes its simulator from its journal, at ${new Date(saved.time).toISOString()}\n`,
    );
  }
  const journal = withVenueState(on.journal, (keep) => simulation.sim.save(keep));
  const { system, plane } = await sessionSystem(r, template, {
    clock: simulation.clock,
    venue: simulation.venue(r.account),
    journal,
  });
  // A quiet market journals nothing: the simulator's state is written at least every simulated
  // hour anyway, so a restart does not replay a long stretch the Traders already saw.
  let checkpointAt = simulation.clock.now();
  const checkpoint = () => {
    if (simulation.clock.now() - checkpointAt < CHECKPOINT_MS) return;
    checkpointAt = simulation.clock.now();
    journal
      .checkpoint()
      .catch((err: unknown) => r.log.error({ err }, "could not journal the simulator's state"));
  };
  const bus = r.bus;
  const startAt = simulation.clock.now();
  const end = r.exitAfterMs === undefined ? Number.POSITIVE_INFINITY : startAt + r.exitAfterMs;
  const settle = async () => {
    checkpoint();
    for (let i = 0; i < 3; i++) {
      await bus.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Virtual time waits for the disk: an order waits for its intent to be durable.
      await journal.idle();
    }
  };
  let viewing: Promise<void> | undefined;
  if (r.speed === "max") {
    viewing = r.view();
    const starting = system.start();
    let started = false;
    void starting.finally(() => {
      started = true;
    });
    await simulation.runSettled(settle, { shouldStop: () => started || r.isStopping() });
    await starting;
    await simulation.runSettled(settle, { until: end, shouldStop: r.isStopping });
  } else {
    const driver = simulation.start();
    const started = system.start();
    await started;
    viewing = r.view();
    while (!r.isStopping() && simulation.clock.now() < end) {
      await Promise.race([driver.done, new Promise((resolve) => setTimeout(resolve, 100))]);
      checkpoint();
      if (simulation.sim.nextEventTime() === Number.POSITIVE_INFINITY) break;
    }
  }
  // Graceful: Traders exit their positions, actors stop, endpoints close, the bus drains.
  const stopped = system.stop();
  if (r.speed === "max")
    await simulation.runSettled(settle, {
      shouldStop: () => false,
      until: simulation.clock.now() + 60_000,
    });
  await stopped;
  await plane.closeAll();
  // Stopped cleanly: the next start resumes exactly here.
  await journal.checkpoint();
  await simulation.stop();
  void viewing;
}
