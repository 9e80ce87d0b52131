/**
 * The venue file's order faults apply to USDⓈ-M orders as to spot's: at rejectProbability 1 a
 * POST /fapi/v1/order is refused with 503 -1001 and nothing executes; with every reply lost the
 * order did execute — the position is there, once, and the order is found by its client id.
 * Driven by an unmodified ccxt binanceusdm (URLs only).
 */
import * as ccxt from "ccxt";
import { afterEach, describe, expect, it } from "vitest";
import { HOUR, PERP, type UsdmFixture, usdmClient, usdmFixture } from "./usdm-support.js";

const running: UsdmFixture[] = [];
afterEach(async () => {
  for (const f of running.splice(0)) await f.close();
});

async function withFaults(faults: string) {
  const f = await usdmFixture(HOUR, {
    blocks: `\nfaults: ${faults}\n`,
  });
  running.push(f);
  const exchange = usdmClient(f.server);
  await exchange.loadMarkets();
  return { f, exchange };
}

async function thrown(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe("venue server - USDⓈ-M orders on a faulty wire", () => {
  it("usdm faults - rejectProbability 1: 503 -1001, no order, no position", async () => {
    const { f, exchange } = await withFaults("{ rejectProbability: 1 }");
    const err = await thrown(
      exchange.createOrder(PERP, "market", "sell", 0.01, undefined, { clientOrderId: "r-1" }),
    );
    // -1001 "unable to process": retryable to ccxt, and nothing happened.
    expect(err).toBeInstanceOf(ccxt.OperationFailed);
    expect(String(err)).toMatch(/"code":-1001/);
    expect(f.simulation.sim.openOrders("main")).toEqual([]);
    expect(f.simulation.sim.derivatives.positions("main")).toEqual([]);
  });

  for (const as of ["drop", "5xx"] as const) {
    it(`usdm faults - a lost reply (${as}): the short is there, once, and the order is found by its client id`, async () => {
      const { exchange } = await withFaults(`{ lostReplies: { probability: 1, as: ${as} } }`);
      const err = await thrown(
        exchange.createOrder(PERP, "market", "sell", 0.01, undefined, {
          clientOrderId: `lost-${as}`,
        }),
      );
      expect(err).toBeInstanceOf(ccxt.OperationFailed);
      const found = await exchange.fetchOrder("", PERP, { origClientOrderId: `lost-${as}` });
      expect(found).toMatchObject({ clientOrderId: `lost-${as}`, status: "closed", filled: 0.01 });
      const positions = await exchange.fetchPositions([PERP]);
      expect(positions.map((p) => [p.side, p.contracts])).toEqual([["short", 0.01]]);
    });
  }
});
