/**
 * A Desk alone on a venue that lives in the test's process (a SimVenue, a PaperVenue), journaling
 * with the venue's state to a MemoryDeskJournal that a test can make stop writing at any moment,
 * as a crash would: then the Desk, the venue and the journal are dropped and rebuilt from what
 * was durable. Orders come over the bus, signed as the test's Traders (kept across restarts, so
 * their request sequences go on).
 */
import { Desk } from "../../src/actors/desk/desk.js";
import type {
  DeskEntry,
  DeskJournal,
  MemoryDeskJournal,
} from "../../src/actors/desk/journal/entries.js";
import { lastVenueState, withVenueState } from "../../src/actors/desk/journal/venue-state.js";
import { HolderKeys, type Mandate, type MandateTerms } from "../../src/actors/mandate.js";
import type { ActorEvent } from "../../src/actors/runtime/actor.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { allActorEvents, control, deskOrder } from "../../src/bus/subjects.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import type { VenueConfig } from "../../src/sim/config/index.js";
import type { SavedExchange } from "../../src/sim/saved-state.js";
import { parseSavedExchange } from "../../src/sim/saved-state-parse.js";
import type { Simulation } from "../../src/venues/sim/simulation.js";
import type { Venue } from "../../src/venues/venue.js";
import { simSettling } from "../support/sim-settle.js";
import { asOperator, testControl } from "./commands/as-operator.js";
import { TestTrader } from "./signing.js";

export const DESK = "sim-main";
export const HOLDER = "sim-main_USDT";

/**
 * A MemoryDeskJournal a test can crash: `ok` writes; `drop` makes nothing durable any more (an
 * append never resolves); `keep-one` makes the next append durable but never acknowledges it
 * (the process died right after the write), then drops.
 */
export class CrashingJournal implements DeskJournal {
  mode: "ok" | "drop" | "keep-one" = "ok";
  constructor(readonly memory: MemoryDeskJournal) {}
  get recovered(): readonly DeskEntry[] {
    return this.memory.recovered;
  }
  append(entry: DeskEntry): Promise<void> {
    return this.write(() => this.memory.append(entry));
  }
  appendAll(entries: DeskEntry[]): Promise<void> {
    return this.write(() => this.memory.appendAll(entries));
  }
  snapshot(entries: DeskEntry[]): Promise<void> {
    return this.write(() => this.memory.snapshot(entries));
  }
  private write(op: () => Promise<void>): Promise<void> {
    if (this.mode === "ok") return op();
    if (this.mode === "keep-one") {
      this.mode = "drop";
      void op();
    }
    return new Promise(() => {});
  }
}

/** The venue's state in what `memory` made durable, as a restart reads it. */
export function savedVenue(memory: MemoryDeskJournal): SavedExchange {
  const reopened = memory.reopen();
  return parseSavedExchange(lastVenueState(reopened.recovered));
}

export interface DeskRun {
  desk: Desk;
  journal: CrashingJournal;
  bus: LocalBus;
  events: ActorEvent[];
  order(trader: string, request: Record<string, unknown>): Promise<Order>;
  /** Sends an order request and returns at once (its answer may never come: a crash). */
  send(trader: string, request: Record<string, unknown>): void;
  command<T = unknown>(command: string): Promise<T>;
  advance(ms: number): Promise<void>;
  /** Runs the venue until `promise` settles. */
  settle<T>(promise: Promise<T>): Promise<T>;
  /** The crash: nothing more is durable; the Desk stops (the venue is the test's to drop). */
  crash(): Promise<void>;
}

/** Holder keys and Traders that outlive the Desk runs of one test. */
export class Principals {
  readonly holder = HolderKeys.generate();
  private readonly traders = new Map<string, TestTrader>();

  trader(id: string): TestTrader {
    let trader = this.traders.get(id);
    if (trader === undefined) {
      trader = new TestTrader(id);
      this.traders.set(id, trader);
    }
    return trader;
  }

  sign(terms: Partial<MandateTerms> & Pick<MandateTerms, "trader" | "market" | "nonce">): Mandate {
    return this.holder.sign(
      {
        traderKey: this.trader(terms.trader).publicKey,
        desk: DESK,
        sides: ["buy", "sell"],
        maxNotional: "100000",
        expiresAt: Date.UTC(2100, 0, 1),
        ...terms,
      },
      HOLDER,
    );
  }
}

/** Starts a Desk on `venue`, journaling to `memory` with the venue's state (`save`). */
export async function startDesk(options: {
  simulation: Simulation;
  config: VenueConfig;
  venue: Venue;
  save: (keep: ReadonlySet<string>) => unknown;
  memory: MemoryDeskJournal;
  principals: Principals;
  watch: string[];
  snapshotEvery?: number;
}): Promise<DeskRun> {
  const { simulation, principals } = options;
  const clock = simulation.clock;
  const bus = new LocalBus();
  const events: ActorEvent[] = [];
  bus.subscribe<ActorEvent>(allActorEvents(), (e) => void events.push(e));
  const journal = new CrashingJournal(options.memory);
  const desk = new Desk(
    {
      id: DESK,
      venue: options.venue,
      watch: options.watch,
      risk: {
        maxOrderNotional: "1000000",
        maxPositionNotional: "1000000",
        maxDailyLoss: "1000000",
        maxOrdersPerSecond: 1000,
      },
      assetDecimals: Object.fromEntries(
        Object.entries(options.config.assets).map(([asset, a]) => [asset, a.decimals]),
      ),
      cacheCandles: 10,
      journal: withVenueState(journal, options.save),
      ...(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery }),
    },
    { bus, clock, log: createLogger({ level: "silent" }), heartbeatMs: 0, control: testControl() },
  );
  desk.trustHolder(HOLDER, principals.holder.publicKey);
  const { flush, settle, advance } = simSettling(simulation, bus);
  const signed = (trader: string, request: Record<string, unknown>) => {
    const { mandate, ...fields } = request;
    return principals.trader(trader).place(mandate, { ...fields, trader });
  };
  await settle(desk.start());
  return {
    desk,
    journal,
    bus,
    events,
    order: (trader, request) =>
      settle(bus.request<Order>(deskOrder(DESK), signed(trader, request))),
    send: (trader, request) => {
      bus.request<Order>(deskOrder(DESK), signed(trader, request)).catch(() => {});
    },
    command: (command) =>
      settle(bus.request(control(DESK), asOperator(DESK, { command, args: [] }))),
    advance,
    settle,
    crash: async () => {
      if (journal.mode === "ok") journal.mode = "drop";
      // Not awaited: it waits for order states to become durable, and none will now.
      void desk.stop();
      await flush();
    },
  };
}
