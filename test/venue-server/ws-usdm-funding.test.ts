/**
 * Money that moves with no contract order, on USDⓈ-M's user data stream: with a short open at
 * 07:50 UTC, the 08:00 funding is an ACCOUNT_UPDATE whose reason is FUNDING_FEE and whose wallet
 * is the simulator's after the payment; a deposit is DEPOSIT; a spot trade, which moves the same
 * one wallet, is ORDER with no position listed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDecimal } from "../../src/domain/fixed.js";
import { HOUR, KEY, PERP, type UsdmFixture, usdmFixture } from "./usdm-support.js";
import { RawClient } from "./ws-support.js";

const T0 = Date.parse("2024-01-01T00:00:00Z");
let f: UsdmFixture;

beforeAll(async () => {
  f = await usdmFixture(7 * HOUR + 50 * 60_000);
});
afterAll(async () => {
  await f?.close();
});

describe("venue server - USDⓈ-M funding on the user data stream", () => {
  it("ws usdm funding - the 08:00 funding is an ACCOUNT_UPDATE (FUNDING_FEE) with the wallet after it", async () => {
    const sim = f.simulation.sim;
    sim.placeOrder("main", { symbol: PERP, type: "market", side: "sell", amount: "0.5" });
    const res = await fetch(`${f.server.url}/fapi/v1/listenKey`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": KEY },
    });
    const { listenKey } = (await res.json()) as { listenKey: string };
    const ws = f.server.url.replace(/^http/, "ws");
    const client = await RawClient.open(`${ws}/private/ws?listenKey=${listenKey}`);
    try {
      const before = client.messages.length;
      const ledger = sim.exchange.ledger;
      const wallet = () => ledger.free("main", "USDT") + ledger.locked("main", "USDT");
      const walletBefore = wallet();
      await f.simulation.run({ until: T0 + 8 * HOUR + 60_000 });
      const paid = sim.exchange.positions.get("main", PERP)!.funding;
      expect(paid).not.toBe(0n);
      const update = await client.next<{ a: { m: string; B: Array<Record<string, string>> } }>(
        (m) => m.e === "ACCOUNT_UPDATE",
        before,
      );
      expect(update.a.m).toBe("FUNDING_FEE");
      expect(update.a.B).toEqual([
        expect.objectContaining({ a: "USDT", wb: formatDecimal(walletBefore + paid, 8) }),
      ]);
      expect(wallet()).toBe(walletBefore + paid);
      expect(
        client.messages.slice(before).some((m) => (m as { e?: string }).e === "ORDER_TRADE_UPDATE"),
      ).toBe(false);
    } finally {
      client.close();
    }
  });

  it("ws usdm funding - a deposit is DEPOSIT, a spot trade ORDER with no position, in the wallet after them", async () => {
    const sim = f.simulation.sim;
    const res = await fetch(`${f.server.url}/fapi/v1/listenKey`, {
      method: "POST",
      headers: { "X-MBX-APIKEY": KEY },
    });
    const { listenKey } = (await res.json()) as { listenKey: string };
    const ws = f.server.url.replace(/^http/, "ws");
    const client = await RawClient.open(`${ws}/private/ws?listenKey=${listenKey}`);
    type Update = { a: { m: string; B: Array<{ wb: string }>; P: unknown[] } };
    const ledger = sim.exchange.ledger;
    const wallet = () =>
      formatDecimal(ledger.free("main", "USDT") + ledger.locked("main", "USDT"), 8);
    try {
      sim.deposit("main", "USDT", "250");
      const deposit = await client.next<Update>((m) => m.e === "ACCOUNT_UPDATE");
      expect(deposit.a).toMatchObject({ m: "DEPOSIT", B: [{ wb: wallet() }], P: [] });
      const from = client.messages.length;
      sim.placeOrder("main", { symbol: "BTC/USDT", type: "market", side: "buy", amount: "0.01" });
      const spot = await client.next<Update>((m) => m.e === "ACCOUNT_UPDATE", from);
      expect(spot.a).toMatchObject({ m: "ORDER", B: [{ wb: wallet() }], P: [] });
      expect(client.messages.some((m) => (m as { e?: string }).e === "ORDER_TRADE_UPDATE")).toBe(
        false,
      );
    } finally {
      client.close();
    }
  });
});
