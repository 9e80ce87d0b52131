/**
 * A Holder alone on a LocalBus: a stand-in Desk answers its balance and its capabilities, and the
 * test plays its Trader. A proposal that needs a capability the Holder lacks is refused with the
 * reason, whatever its metrics; one that needs nothing is judged as before.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  type CapabilitySwitches,
  deskCapabilities,
  type HolderMay,
} from "../../../src/actors/capabilities/index.js";
import { Holder } from "../../../src/actors/holder/holder.js";
import { ActorKeys } from "../../../src/actors/identity/keys.js";
import type { ActorEvent } from "../../../src/actors/runtime/actor.js";
import { traderId } from "../../../src/actors/runtime/ids.js";
import type { ProposalReply, TraderEnd } from "../../../src/actors/trader/trader.js";
import { signProposal } from "../../../src/actors/trader-signature.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import {
  allActorEvents,
  deskCapabilities as capabilitiesSubject,
  control,
  deskCache,
  holderProposal,
} from "../../../src/bus/subjects.js";
import { createLogger } from "../../../src/log/logger.js";
import { VirtualClock } from "../../../src/time/virtual-clock.js";
import { NOTHING_SUPPORTED } from "../../../src/venues/venue.js";
import { testControl } from "../commands/as-operator.js";
import { LENIENT } from "../support.js";

const GOOD = { sharpe: 2, maxDrawdown: 0.1, trades: 5, totalReturn: 0.1, buyAndHoldReturn: 0 };
const PERP = "BTC/USDT:USDT";
const SPOT = "BTC/USDT";

let bus: LocalBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

/** The Desk's capabilities for a venue with a spot and a perpetual market. */
function deskCaps(switches: CapabilitySwitches = { stopOrders: true, shorting: true }) {
  return deskCapabilities(
    "sim-main",
    { id: "sim", has: NOTHING_SUPPORTED },
    // A perpetual as ccxt lists it, with the venue's leverage limit (Binance's BTCUSDT: 125).
    { [SPOT]: { type: "spot" }, [PERP]: { type: "swap", limits: { leverage: { max: 125 } } } },
    [SPOT, PERP],
    { capabilities: switches },
  );
}

async function holderWith(may: HolderMay, switches?: CapabilitySwitches) {
  bus = new LocalBus();
  const b = bus;
  const events: ActorEvent[] = [];
  b.subscribe<ActorEvent>(allActorEvents(), (e) => void events.push(e));
  const caps = deskCaps(switches);
  b.serve<{ op?: string }>(deskCache("sim-main"), (r) =>
    r?.op === "capabilities" ? caps : { USDT: { free: "1000" } },
  );
  const keys = new Map<string, ActorKeys>();
  const holder = new Holder(
    {
      id: "sim-main_USDT",
      asset: "USDT",
      desk: "sim-main",
      criteria: LENIENT,
      fraction: 0.5,
      maxTraders: 2,
      mandateTtlMs: 86_400_000,
      assetDecimals: 8,
      pairs: [SPOT, PERP],
      may,
      spawnTrader: (market) => {
        const id = traderId("sim-main", market);
        const k = ActorKeys.generate();
        keys.set(market, k);
        return {
          id,
          publicKey: k.publicKey,
          ended: new Promise<TraderEnd>(() => {}),
          abandon: () => {},
        };
      },
      livenessMs: 0,
    },
    {
      bus: b,
      clock: new VirtualClock(Date.UTC(2024, 0, 1)),
      log: createLogger({ level: "silent" }),
      heartbeatMs: 0,
      control: testControl(),
    },
  );
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await b.flush();
      await new Promise<void>((r) => setImmediate(r));
    }
  };
  holder.start();
  await settle();
  let seq = 0;
  const propose = async (market: string, needs?: unknown) => {
    const p = {
      trader: traderId("sim-main", market),
      market,
      strategy: "short-breakout",
      params: {},
      metrics: GOOD,
      ...(needs === undefined ? {} : { needs }),
    };
    const reply = b.request<ProposalReply>(holderProposal("sim-main", "USDT"), {
      ...p,
      ...signProposal(keys.get(market)!, "sim-main", "USDT", p, ++seq),
    });
    await settle();
    return reply;
  };
  return { holder, events, propose, bus: b, settle };
}

describe("capabilities - a Holder refuses a proposal that needs what it lacks", () => {
  it("capabilities - with may.short false, a short proposal is refused naming the holder template", async () => {
    const h = await holderWith({ short: false, leverage: 1 });
    expect(await h.propose(PERP, { short: true })).toEqual({
      accepted: false,
      reason: "shorting is not allowed (holder template may.short: false)",
    });
    const refused = h.events.find((e) => e.event === "holder.refused");
    expect(refused).toMatchObject({ by: "capabilities", market: PERP });
    // The same Holder accepts what needs nothing.
    expect(await h.propose(PERP)).toMatchObject({ accepted: true });
  });

  it("capabilities - with shorting switched off in the venue file, a short proposal is refused naming it", async () => {
    const h = await holderWith({ short: true, leverage: 1 }, { stopOrders: true, shorting: false });
    expect(await h.propose(PERP, { short: true })).toEqual({
      accepted: false,
      reason: "shorting is switched off at the venue (venue file capabilities.shorting: false)",
    });
  });

  it("capabilities - a Holder that may short accepts a short on the perpetual, never on spot", async () => {
    const h = await holderWith({ short: true, leverage: 1 });
    expect(await h.propose(SPOT, { short: true })).toEqual({
      accepted: false,
      reason: "BTC/USDT is a spot market: the venue has no shorting on spot",
    });
    expect(await h.propose(PERP, { short: true })).toMatchObject({ accepted: true });
  });

  it("capabilities - leverage beyond may.leverage is refused; malformed needs are refused, named", async () => {
    const h = await holderWith(
      { short: true, leverage: 2 },
      {
        stopOrders: true,
        shorting: true,
        maxLeverage: 10,
      },
    );
    expect(await h.propose(PERP, { leverage: 5 })).toEqual({
      accepted: false,
      reason:
        "leverage 5 is above the 2 allowed: leverage is capped at 2 (holder template may.leverage: 2)",
    });
    expect(await h.propose(PERP, { short: "yes" })).toEqual({
      accepted: false,
      reason: "needs.short must be true or false",
    });
  });

  it("capabilities - its status shows its own capabilities, narrowed from its Desk's; updates are taken", async () => {
    const h = await holderWith({ short: false, leverage: 1 });
    const status = (await h.bus.request<Record<string, unknown>>(control("sim-main_USDT"), {
      command: "status",
    })) as { capabilities: Record<string, unknown> };
    expect(status.capabilities).toMatchObject({
      of: "sim-main_USDT",
      marketKinds: ["spot", "perpetual"],
      shorting: false,
      off: { shorting: "shorting is not allowed (holder template may.short: false)" },
    });
    // The Desk publishes new ones (a restart on another venue file): the Holder narrows those.
    h.bus.publish(capabilitiesSubject("sim-main"), deskCaps({ stopOrders: false, shorting: true }));
    h.bus.publish(capabilitiesSubject("sim-main"), { nonsense: true });
    await h.settle();
    expect(h.holder.capabilities).toMatchObject({ stopOrders: false, shorting: false });
  });
});
