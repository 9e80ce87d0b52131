/**
 * The order gateway's reservations, case by case: what is reserved before an order is sent, and
 * what comes back when it is cancelled, rejected, expires as an IOC remainder or is halted.
 */
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KeyRing } from "../../src/actors/identity/key-ring.js";
import { HolderKeys } from "../../src/actors/mandate.js";
import { deskCache } from "../../src/bus/subjects.js";
import { MandateDeniedError } from "../../src/domain/errors.js";
import { formatDecimal, mulDiv, parseDecimal, roundToStep } from "../../src/domain/fixed.js";
import type { Order } from "../../src/domain/order.js";
import { gbmVenue, type LoneDesk, loneDesk } from "./desk-harness.js";
import { refusal } from "./support.js";

const venue = (levelNotional: string) => gbmVenue(3, levelNotional);

const TRADER = "sim-main_BTC-USDT";
const MARKET = "BTC/USDT";

interface Budget {
  nonce: string;
  max: string;
  reserved: string;
  spent: string;
  left: string;
}

let d: LoneDesk | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

async function start(
  levelNotional = "50000",
  risk: { maxDailyLoss?: string } = {},
): Promise<LoneDesk> {
  d = await loneDesk(venue(levelNotional), { watch: [MARKET], risk });
  return d;
}

async function budgetOf(desk: LoneDesk, nonce: string): Promise<Budget | undefined> {
  const all = await desk.command<Budget[]>("mandates");
  return all.find((b) => b.nonce === nonce);
}

const marketOrder = (mandate: unknown, side: "buy" | "sell", amount: string) => ({
  trader: TRADER,
  mandate,
  market: MARKET,
  side,
  type: "market",
  amount,
});

const limitBuy = (mandate: unknown, amount: string, price: string) => ({
  trader: TRADER,
  mandate,
  market: MARKET,
  side: "buy",
  type: "limit",
  amount,
  price,
});

describe("gateway - a touch from the start", () => {
  it("gateway - a market order before the ticker stream's first ticker is bounded by the ticker fetched at start", async () => {
    // The stream never delivers: the only touch is the one the Desk fetched when it started.
    d = await loneDesk(venue("50000"), {
      watch: [MARKET],
      venue: (v) =>
        new Proxy(v, {
          get: (target, key, receiver) =>
            key === "watchTicker"
              ? () => new Promise(() => {})
              : Reflect.get(target, key, receiver),
        }),
    });
    const mandate = d.sign({ trader: TRADER, market: MARKET, maxNotional: "5000", nonce: "t" });
    const order = await d.order(marketOrder(mandate, "buy", "0.01"));
    expect(order.filled).toBe("0.01");
  });
});

describe("gateway - reserve before sending, release what was not spent", () => {
  it("gateway - a cancelled order's budget comes back: after a 700 order is cancelled, a new 700 order passes", async () => {
    const desk = await start();
    const mandate = desk.sign({ trader: TRADER, market: MARKET, maxNotional: "1000", nonce: "a" });
    const first = await desk.order(limitBuy(mandate, "0.02", "35000"));
    expect(first.status).toBe("open");
    // 700 at the limit plus the worst-case taker fee of 0.1 %.
    expect(await budgetOf(desk, "a")).toMatchObject({
      reserved: "700.7",
      spent: "0",
      left: "299.3",
    });
    const over = await refusal(desk.order(limitBuy(mandate, "0.02", "35000")));
    expect(over).toBeInstanceOf(MandateDeniedError);
    expect(over?.message).toMatch(/over budget: order notional 700.7 is above the 299.3 left/);
    await desk.order({ op: "cancel", trader: TRADER, id: first.id });
    expect(await budgetOf(desk, "a")).toMatchObject({ reserved: "0", spent: "0", left: "1000" });
    expect((await desk.order(limitBuy(mandate, "0.02", "35000"))).status).toBe("open");
  });

  it("gateway - three concurrent limit buys of 60% of an 875 mandate: one is sent, two are refused and reach no venue", async () => {
    const desk = await start();
    const mandate = desk.sign({ trader: TRADER, market: MARKET, maxNotional: "875", nonce: "b" });
    const results = await desk.settle(
      Promise.allSettled([1, 2, 3].map(() => desk.order(limitBuy(mandate, "0.015", "35000")))),
    );
    const placed = results.filter((r) => r.status === "fulfilled");
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    expect(placed).toHaveLength(1);
    expect(refused).toHaveLength(2);
    for (const err of refused) {
      expect(err).toBeInstanceOf(MandateDeniedError);
      expect(err.message).toMatch(/^over budget/);
    }
    expect(desk.simulation.sim.openOrders("main")).toHaveLength(1);
  });

  it("gateway - a venue's rejection gives the whole reservation back", async () => {
    const desk = await start();
    const mandate = desk.sign({ trader: TRADER, market: MARKET, nonce: "c" });
    // 0.000001 BTC is not a whole lot of 0.00001: the venue refuses it, after the gateway reserved.
    const err = await refusal(desk.order(limitBuy(mandate, "0.000001", "35000")));
    expect((err as { code?: string } | undefined)?.code).toBe("invalid_order");
    expect(await budgetOf(desk, "c")).toMatchObject({ reserved: "0", spent: "0", left: "1000" });
    expect(desk.events.map((e) => e.event)).toContain("order.rejected");
  });

  it("gateway - an IOC remainder is released: a market buy through a thin book spends only what filled", async () => {
    const desk = await start("200");
    await desk.command("set", ["risk.maxSlippage", "0.0003"]);
    const mandate = desk.sign({ trader: TRADER, market: MARKET, maxNotional: "5000", nonce: "d" });
    const order = await desk.order(marketOrder(mandate, "buy", "0.05"));
    expect(order.status).toBe("expired");
    expect(Number(order.filled)).toBeGreaterThan(0);
    expect(Number(order.filled)).toBeLessThan(0.05);
    // The fee is taken in BTC here: the budget spends exactly what the fills cost in USDT.
    const spent = parseDecimal(order.cost, 8);
    expect(await budgetOf(desk, "d")).toMatchObject({
      reserved: "0",
      spent: formatDecimal(spent, 8),
      left: formatDecimal(parseDecimal("5000", 8) - spent, 8),
    });
  });

  it("gateway - a halt gives back what the open orders reserved", async () => {
    const desk = await start();
    const mandate = desk.sign({ trader: TRADER, market: MARKET, nonce: "e" });
    await desk.order(limitBuy(mandate, "0.02", "35000"));
    await desk.order(limitBuy(mandate, "0.005", "34000"));
    expect(await budgetOf(desk, "e")).toMatchObject({ reserved: "870.87", left: "129.13" });
    const halted = await desk.command<{ cancelled: number }>("halt");
    expect(halted.cancelled).toBe(2);
    expect(await budgetOf(desk, "e")).toMatchObject({ reserved: "0", spent: "0", left: "1000" });
  });

  it("gateway - a market buy goes to the venue as an IOC limit at the touch plus the cap, reserving the taker fee", async () => {
    const desk = await start();
    const mandate = desk.sign({ trader: TRADER, market: MARKET, nonce: "f" });
    const ticker = await desk.settle(
      desk.bus.request<{ ask: string }>(deskCache("sim-main"), { op: "ticker", market: MARKET }),
    );
    const order = await desk.order(marketOrder(mandate, "buy", "0.01"));
    // ask × 1.01, up to the 0.01 tick; the bound is 0.01 BTC at that price plus 0.1 % fee, rounded up.
    const protective = roundToStep(mulDiv(parseDecimal(ticker.ask, 2), 101n, 100n, "up"), 1n, "up");
    const bound = mulDiv(protective * 1_000_000n, 1001n, 1000n * 10n ** 2n, "up"); // 0.01 BTC → 1e6 sats
    const placed = desk.events.find((e) => e.event === "order.placed");
    expect(placed).toMatchObject({
      type: "market",
      price: formatDecimal(protective, 2),
      reserved: formatDecimal(bound, 8),
    });
    expect(order).toMatchObject({ type: "limit", timeInForce: "IOC", status: "closed" });
    expect(parseDecimal(order.average ?? "0", 8)).toBeLessThanOrEqual(protective * 10n ** 6n);
  });

  it("gateway - concurrent sells never sell more than the Trader holds: the part beyond is reserved like a buy", async () => {
    const desk = await start();
    const mandate = desk.sign({ trader: TRADER, market: MARKET, maxNotional: "300", nonce: "g" });
    const market = (side: "buy" | "sell", amount: string) => marketOrder(mandate, side, amount);
    const bought = await desk.order(market("buy", "0.005"));
    expect(bought.filled).toBe("0.005");
    // Held: 0.005 less the 0.000005 fee taken in BTC. Two sells of 0.004 each at once: the first
    // sells what is held, the second would sell 0.003005 beyond it and the budget left cannot pay.
    const results = await desk.settle(
      Promise.allSettled([
        desk.order(market("sell", "0.004")),
        desk.order(market("sell", "0.004")),
      ]),
    );
    const sold = results.flatMap((r) => (r.status === "fulfilled" ? [r.value as Order] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    expect(sold).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(MandateDeniedError);
    expect(refused[0]?.message).toMatch(/beyond the 0.000995 BTC .* holds and has not offered/);
    // What is still held can always be sold, whatever budget is left.
    expect((await desk.order(market("sell", "0.00099"))).filled).toBe("0.00099");
  });

  it("gateway - the day's loss limit counts what fills realise: past it, a buy is refused and a sell of what is held passes", async () => {
    const desk = await start("50000", { maxDailyLoss: "5" });
    const mandate = desk.sign({ trader: TRADER, market: MARKET, maxNotional: "20000", nonce: "h" });
    const market = (side: "buy" | "sell", amount: string) => marketOrder(mandate, side, amount);
    // Selling half of 0.2 BTC (≈ 8,400 USDT) bought a moment ago realises the spread and two
    // 0.1 % fees on it: ≈ 9 USDT, beyond the day's 5.
    await desk.order(market("buy", "0.2"));
    await desk.order(market("sell", "0.1"));
    const err = await refusal(desk.order(market("buy", "0.01")));
    expect((err as { code?: string } | undefined)?.code).toBe("risk_denied");
    expect(err?.message).toMatch(/today's loss of [\d.]+ USDT is above the desk's limit of 5 USDT/);
    expect((await desk.order(market("sell", "0.0998"))).status).toBe("closed");
  });
});

/** A mandate from a Holder the Desk may not know, for a test Trader's key. */
const mandateBy = (holder: HolderKeys, desk: LoneDesk, traderKey: string, nonce: string) =>
  holder.sign(
    {
      trader: TRADER,
      traderKey,
      desk: "sim-main",
      market: MARKET,
      sides: ["buy", "sell"],
      maxNotional: "1000",
      expiresAt: desk.simulation.clock.now() + 3_600_000,
      nonce,
    },
    "sim-main_BTC",
  );

describe("desk - whose mandates it trusts", () => {
  it("desk - a Holder's key is trusted only from the state directory or an operator's trust, never by default", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "crypy-trust-"));
    try {
      d = await loneDesk(venue("50000"), { watch: [MARKET], keys: KeyRing.at(stateDir) });
      const other = HolderKeys.generate();
      const trader = d.trader(TRADER);
      const mandate = (nonce: string) => mandateBy(other, d!, trader.publicKey, nonce);
      const unknown = await refusal(d.order(limitBuy(mandate("o-1"), "0.001", "35000")));
      expect(unknown?.message).toMatch(/^unknown holder "sim-main_BTC"/);
      expect(await d.command("trust", ["sim-main_BTC", other.publicKey])).toEqual({
        trusted: "sim-main_BTC",
      });
      expect((await d.order(limitBuy(mandate("o-2"), "0.001", "35000"))).status).toBe("open");
      const file = join(stateDir, "keys", "holders", "sim-main_BTC.pub");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      // A later start trusts it from the state directory, with no command.
      await d.stop();
      d = await loneDesk(venue("50000"), { watch: [MARKET], keys: KeyRing.at(stateDir) });
      const again = mandateBy(other, d, d.trader(TRADER).publicKey, "o-3");
      expect((await d.order(limitBuy(again, "0.001", "35000"))).status).toBe("open");
      // A key file others may write is no proof of anything: ignored.
      await chmod(file, 0o666);
      await d.stop();
      d = await loneDesk(venue("50000"), { watch: [MARKET], keys: KeyRing.at(stateDir) });
      const ignored = mandateBy(other, d, d.trader(TRADER).publicKey, "o-4");
      expect((await refusal(d.order(limitBuy(ignored, "0.001", "35000"))))?.message).toMatch(
        /^unknown holder/,
      );
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
