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

describe("actors - templates drive the system and learn", () => {
  it("actors - a Trader's outcome is written into its template on disk, comments kept", async () => {
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
    await writeFile(
      join(dir, "holder/default.yaml"),
      `criteria: { minSharpe: -100, maxDrawdown: 1, minTrades: 0, minReturnOverBuyAndHold: -1 }\nallocation: { fraction: 0.5, maxTraders: 1 }\nmandateTtl: 1d\ntraderTemplates: [../trader/ma.yaml]\n`,
    );
    const traderText = `# my note: keep fast small on 1m data\nstrategies:\n  - name: sma-cross\n    params: { fast: 5, slow: 20 }\nwarmup: { candles: 300, timeframe: 1m }\nevaluation: { inSampleFraction: 0.7, folds: 1, candidates: 1, objective: sharpe }\n`;
    await writeFile(join(dir, "trader/ma.yaml"), traderText);

    const deskFile = join(dir, "desk/sim.yaml");
    const desk = await loadDeskTemplate(deskFile);
    const simulation = await createSimulation(desk.venue);
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
    await simulation.runSettled(settle, {
      until: simulation.clock.now() + 3 * 86_400_000,
      shouldStop: () =>
        events.some((e) => e.event === "template.updated" && String(e.file).endsWith("ma.yaml")),
    });
    const stopping = system.stop();
    await simulation.runSettled(settle, { until: simulation.clock.now() + 60_000 });
    await stopping;

    const written = await readFile(join(dir, "trader/ma.yaml"), "utf8");
    expect(written.startsWith("# my note: keep fast small on 1m data\n")).toBe(true);
    expect(written).toMatch(/learned:[\s\S]*BTC\/USDT:[\s\S]*strategy: sma-cross[\s\S]*trades: 1/);
    expect(events.some((e) => e.event === "trader.exited")).toBe(true);
  });
});
