/**
 * An order the exchange executed but whose reply never arrived: the venue file makes
 * `crypy venue serve` execute every order and then drop the connection (or answer 500). The Desk,
 * on the live path (CcxtVenue → ccxt → HTTP), must not resend: it looks the order up by its client
 * order id, and in the end the exchange holds exactly one order per order the Desk placed, each
 * the one the Desk reported.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { CcxtVenue } from "../../src/venues/ccxt/ccxt-venue.js";
import { waitUntil } from "../support/wait.js";
import {
  type LiveSystem,
  type LiveVenue,
  liveSystem,
  liveVenue,
  named,
  openCcxt,
} from "./harness.js";

let live: LiveVenue | undefined;
let venue: CcxtVenue | undefined;
let crypy: LiveSystem | undefined;

afterEach(async () => {
  await crypy?.stop();
  await venue?.close();
  await live?.close();
  crypy = undefined;
  venue = undefined;
  live = undefined;
});

describe("live path - replies lost after the exchange executed the order", () => {
  for (const as of ["drop", "5xx"] as const) {
    it(`live path - every reply lost (${as}): one order at the exchange per order placed, found by client id`, async () => {
      live = await liveVenue({ faults: { lostReplies: { probability: 1, as } } }, { speed: 120 });
      venue = await openCcxt(live);
      crypy = await liveSystem(venue);
      const events = crypy.events;
      await waitUntil(
        () => named(events, "trader.entered").length > 0,
        "the Trader in position",
        90_000,
      );

      const placed = named(events, "order.placed").map((e) => e.clientOrderId as string);
      expect(placed.length).toBeGreaterThan(0);
      // Nothing refused, nothing left unknown: each lost reply was answered by the lookup.
      expect(named(events, "order.rejected")).toEqual([]);
      expect(named(events, "order.unknown")).toEqual([]);
      // Every order at the exchange is one the Desk placed, once: no blind resend.
      const atExchange = live.simulation.sim
        .myTrades("main")
        .map((f) => live!.simulation.sim.order("main", { id: f.orderId }).clientOrderId);
      const ids = [...new Set(atExchange)];
      expect(ids.sort()).toEqual([...new Set(placed)].sort());
      for (const id of placed) {
        const order = live.simulation.sim.order("main", { clientOrderId: id });
        const filled = named(events, "order.filled").filter((e) => e.id === order.id);
        expect(filled.length).toBeGreaterThan(0);
      }
    }, 120_000);
  }
});
