/**
 * `crypy sim`: the whole system in one process — the simulated venue, the Desk, its Holders and
 * their Traders from the templates — on the embedded bus, or over NATS with --nats. Until the
 * dashboard exists it prints one line per actor event (JSON lines with --json).
 */
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { plansFromTemplates } from "../actors/from-templates.js";
import type { ActorEvent } from "../actors/runtime/actor.js";
import { CrypySystem } from "../actors/system.js";
import { loadDeskTemplate } from "../actors/templates/index.js";
import type { Bus } from "../bus/bus.js";
import { createBus } from "../bus/select.js";
import { allActorEvents } from "../bus/subjects.js";
import { InvalidInputError } from "../domain/errors.js";
import { parseTimeframe } from "../domain/timeframe.js";
import { childLogger } from "../log/logger.js";
import { DEFAULT_VENUE_FILE } from "../sim/config/index.js";
import { createSimulation } from "../venues/sim/simulation.js";

export interface SimCommandOptions {
  templates?: string | undefined;
  nats?: string | undefined;
  json?: boolean | undefined;
  speed: string;
  exitAfter?: string | undefined;
}

/** The templates crypy ships (next to venues/): copied for each user, never written to. */
export const SHIPPED_TEMPLATES = join(dirname(DEFAULT_VENUE_FILE), "..", "templates");

/**
 * Where a user's templates live — the system writes what it learns into them: $CRYPY_TEMPLATES,
 * else $XDG_CONFIG_HOME/crypy/templates, else ~/.config/crypy/templates.
 */
export function userTemplatesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRYPY_TEMPLATES !== undefined && env.CRYPY_TEMPLATES !== "") return env.CRYPY_TEMPLATES;
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), ".config");
  return join(base, "crypy", "templates");
}

/**
 * The user's templates, copied from the shipped ones on first use (the Desk's venue then points
 * at the shipped venue file). Returns whether the copy was made now.
 */
export async function ensureUserTemplates(dir: string): Promise<boolean> {
  if (existsSync(join(dir, "desk", "sim.yaml"))) return false;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await cp(SHIPPED_TEMPLATES, dir, { recursive: true });
  const desk = join(dir, "desk", "sim.yaml");
  const text = await readFile(desk, "utf8");
  await writeFile(desk, text.replace(/^venue: .*$/m, `venue: ${DEFAULT_VENUE_FILE}`));
  return true;
}

/** "max", or a positive number of simulated seconds per real second. */
export function parseSpeed(text: string): "max" | number {
  if (text === "max") return "max";
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidInputError(
      `--speed must be a positive number or max, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

/** One line for people: time, actor, event, then the fields as key=value. */
export function formatEvent(e: ActorEvent): string {
  const { ts, actor, event, ...fields } = e;
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${new Date(ts).toISOString()} ${actor} ${event}${rest === "" ? "" : ` ${rest}`}`;
}

export async function simCommand(
  options: SimCommandOptions,
  out: NodeJS.WritableStream,
  signals: { onStop: (stop: () => void) => void },
): Promise<number> {
  const speed = parseSpeed(options.speed);
  const exitAfterMs =
    options.exitAfter === undefined ? undefined : parseTimeframe(options.exitAfter);
  let templates = options.templates;
  if (templates === undefined) {
    templates = userTemplatesDir();
    if (await ensureUserTemplates(templates)) {
      process.stderr.write(
        `crypy: templates copied to ${templates} (edit them there; crypy writes what it learns into them)\n`,
      );
    }
  }
  const deskFile = join(templates, "desk", "sim.yaml");
  const desk = await loadDeskTemplate(deskFile);
  const simulation = await createSimulation(
    desk.venue,
    speed === "max" ? {} : { clock: { speed } },
  );
  const { venue, holderPlan } = await plansFromTemplates(deskFile, simulation.clock);
  const bus: Bus = await createBus({ natsUrl: options.nats, name: "crypy-sim" });
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => {
    out.write(`${options.json === true ? JSON.stringify(e) : formatEvent(e)}\n`);
  });
  const system = new CrypySystem({
    bus,
    clock: simulation.clock,
    log: childLogger("sim"),
    venue: simulation.venue(desk.account),
    venueConfig: venue,
    account: desk.account,
    watch: desk.watch,
    risk: desk.risk,
    assets: desk.assets,
    holderPlan,
  });

  let stopping = false;
  signals.onStop(() => {
    stopping = true;
  });
  const startAt = simulation.clock.now();
  const end = exitAfterMs === undefined ? Number.POSITIVE_INFINITY : startAt + exitAfterMs;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await bus.flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const starting = system.start();
  if (speed === "max") {
    let started = false;
    void starting.finally(() => {
      started = true;
    });
    await simulation.runSettled(settle, { shouldStop: () => started || stopping });
    await starting;
    await simulation.runSettled(settle, { until: end, shouldStop: () => stopping });
  } else {
    const driver = simulation.start();
    await starting;
    while (!stopping && simulation.clock.now() < end) {
      await Promise.race([driver.done, new Promise((resolve) => setTimeout(resolve, 100))]);
      if (simulation.sim.nextEventTime() === Number.POSITIVE_INFINITY) break;
    }
  }
  // Graceful: Traders exit their positions, actors stop, the bus drains.
  const stopped = system.stop();
  if (speed === "max")
    await simulation.runSettled(settle, {
      shouldStop: () => false,
      until: simulation.clock.now() + 60_000,
    });
  await stopped;
  await simulation.stop();
  await bus.drain();
  return 0;
}
