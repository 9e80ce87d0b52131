/**
 * The whole life, driven by templates on disk, ending with what was learned written back into the
 * Trader template — keeping the human's comment.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { plansFromTemplates } from "../../src/actors/from-templates.js";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import { CrypySystem } from "../../src/actors/system.js";
import { loadDeskTemplate } from "../../src/actors/templates/index.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { allActorEvents } from "../../src/bus/subjects.js";
import { createLogger } from "../../src/log/logger.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { VENUE_YAML } from "./support.js";

const FIXTURE = fileURLToPath(
  new URL("../fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", import.meta.url),
);
let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HOLDER = `criteria: { minSharpe: -100, maxDrawdown: 1, minTrades: 0, minReturnOverBuyAndHold: -1 }\nallocation: { fraction: 0.5, maxTraders: 1 }\nmandateTtl: 1d\ntraderTemplates: [../trader/ma.yaml]\n`;
const TRADER = `# my note: keep fast small on 1m data\nstrategies:\n  - name: sma-cross\n    params: { fast: 5, slow: 20 }\nwarmup: { candles: 300, timeframe: 1m }\nevaluation: { inSampleFraction: 0.7, folds: 1, candidates: 1, objective: sharpe }\n`;

/** Templates on disk in a temp dir, and a system started on them on a simulated clock. */
async function systemOnTemplates(holderText = HOLDER) {
  dir = await mkdtemp(join(tmpdir(), "crypy-templates-"));
  for (const sub of ["desk", "holder", "trader"]) await mkdir(join(dir, sub));
  await writeFile(
    join(dir, "venue.yaml"),
    VENUE_YAML.replace("file: binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz", `file: ${FIXTURE}`),
  );
  await writeFile(
    join(dir, "desk/sim.yaml"),
    `name: sim\nvenue: ../venue.yaml\naccount: main\nwatch: [BTC/USDT]\nassets: [USDT]\nrisk: { maxOrderNotional: "100000", maxPositionNotional: "100000", maxDailyLoss: "100000", maxOrdersPerSecond: 10 }\nholderTemplate: ../holder/default.yaml\n`,
  );
  await writeFile(join(dir, "holder/default.yaml"), holderText);
  await writeFile(join(dir, "trader/ma.yaml"), TRADER);

  const deskFile = join(dir, "desk/sim.yaml");
  const desk = await loadDeskTemplate(deskFile);
  const simulation = await createSimulation(desk.venue!);
  const { venue, holderPlan } = await plansFromTemplates(deskFile, simulation.clock);
  const bus = new LocalBus();
  const events: ActorEvent[] = [];
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => void events.push(e));
  const system = new CrypySystem({
    bus,
    clock: simulation.clock,
    log: createLogger({ level: "silent" }),
    venue: simulation.venue(desk.account),
    venueConfig: venue,
    account: desk.account,
    watch: desk.watch,
    risk: desk.risk,
    assets: desk.assets,
    holderPlan,
    heartbeatMs: 0,
  });
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await bus.flush();
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  let started = false;
  const starting = system.start().finally(() => {
    started = true;
  });
  await simulation.runSettled(settle, { shouldStop: () => started });
  await starting;
  return {
    events,
    system,
    /** Runs the simulation until `done`, for at most `days` of simulated time. */
    run: (done: () => boolean, days = 3) =>
      simulation.runSettled(settle, {
        until: simulation.clock.now() + days * 86_400_000,
        shouldStop: done,
      }),
    async stop() {
      const stopping = system.stop();
      await simulation.runSettled(settle, { until: simulation.clock.now() + 60_000 });
      await stopping;
    },
  };
}

describe("actors - templates drive the system and learn", () => {
  it("actors - a Trader's outcome is written into its template on disk, comments kept", async () => {
    const { events, run, stop } = await systemOnTemplates();
    await run(() =>
      events.some((e) => e.event === "template.updated" && String(e.file).endsWith("ma.yaml")),
    );
    await stop();

    const written = await readFile(join(dir, "trader/ma.yaml"), "utf8");
    expect(written.startsWith("# my note: keep fast small on 1m data\n")).toBe(true);
    expect(written).toMatch(/learned:[\s\S]*BTC\/USDT:[\s\S]*strategy: sma-cross[\s\S]*trades: 1/);
    expect(events.some((e) => e.event === "trader.exited")).toBe(true);
  });

  it("actors - a template edited into an invalid one while running is reported once; the last valid one stays in force", async () => {
    // Every proposal is refused, so a fresh Trader is spawned (and the templates read) again and again.
    const refuseAll = HOLDER.replace("minSharpe: -100", "minSharpe: 100");
    const { events, system, run, stop } = await systemOnTemplates(refuseAll);
    const proposed = () => events.filter((e) => e.event === "trader.proposed");
    const invalid = () => events.filter((e) => e.event === "template.invalid");
    await run(() => proposed().length >= 1);
    expect(proposed()[0]).toMatchObject({ strategy: "sma-cross" });

    const trader = join(dir, "trader/ma.yaml");
    await writeFile(trader, `${TRADER.replace("sma-cross", "ema-cross")}surprise: true\n`);
    await run(() => proposed().length >= 3);
    expect(invalid()).toHaveLength(1);
    expect(invalid()[0]).toMatchObject({ actor: "sim-main_USDT", file: trader });
    expect(String(invalid()[0]!.error)).toMatch(/ma\.yaml:7:1: surprise: /);
    // The two Traders spawned since the edit were made from the last valid template.
    expect(proposed().map((e) => e.strategy)).toEqual(["sma-cross", "sma-cross", "sma-cross"]);

    const holder = join(dir, "holder/default.yaml");
    await writeFile(holder, `${refuseAll}allocation: twice\n`);
    await run(() => proposed().length >= 5);
    expect(invalid()).toHaveLength(2);
    expect(invalid()[1]).toMatchObject({ file: holder });
    expect(String(invalid()[1]!.error)).toMatch(/default\.yaml:\d+:\d+: /);

    // A valid edit applies at the next spawn, through the last valid holder template.
    await writeFile(trader, TRADER.replace("sma-cross", "ema-cross"));
    const before = proposed().length;
    await run(() => proposed().length >= before + 2);
    expect(proposed().at(-1)).toMatchObject({ strategy: "ema-cross" });
    expect(invalid()).toHaveLength(2);
    expect(events.filter((e) => e.event === "holder.trader_failed")).toEqual([]);
    expect(system.desk.state).toBe("active");
    await stop();
  });
});
