/**
 * The order gateway on a perpetual: a sell that opens a short reserves its margin like a buy that
 * opens a long, only reduceOnly orders get the closing exemption, and the mandate bounds leverage
 * and position size; the Desk's margin usage limit holds across its contract positions. Against
 * the simulator's perpetual (venues/sim-perp.yaml), through the bus.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { RiskLimits } from "../../src/actors/desk/risk.js";
import type { MandateTerms } from "../../src/actors/mandate.js";
import { InvalidInputError, MandateDeniedError, RiskDeniedError } from "../../src/domain/errors.js";
import { type LoneDesk, loneDesk } from "./desk-harness.js";
import { refusal } from "./support.js";

const PERP = "BTC/USDT:USDT";
const TRADER = "sim-main_BTC-USDT-PERP";
const VENUE = readFileSync(new URL("../../venues/sim-perp.yaml", import.meta.url), "utf8");

let running: LoneDesk | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

interface Budget {
  nonce: string;
  max: string;
  reserved: string;
  spent: string;
  left: string;
}

async function perpDesk(risk: Partial<RiskLimits> = {}) {
  const d = await loneDesk(VENUE, { watch: [PERP, "BTC/USDT"], risk });
  running = d;
  let nonces = 0;
  const sign = (change: Partial<MandateTerms> = {}) => {
    const { maxLeverage = 10, ...rest } = change;
    return d.sign({
      trader: TRADER,
      market: PERP,
      nonce: `n-${++nonces}`,
      ...(maxLeverage === 0 ? {} : { maxLeverage }),
      ...rest,
    });
  };
  const order = (mandate: unknown, change: Record<string, unknown> = {}) =>
    d.order({
      op: "place",
      trader: TRADER,
      mandate,
      market: PERP,
      side: "sell",
      type: "market",
      amount: "0.01",
      ...change,
    });
  const budget = async (nonce: string) =>
    (await d.command<Budget[]>("mandates")).find((b) => b.nonce === nonce)!;
  const placed = () => d.events.filter((e) => e.event === "order.placed").at(-1)!;
  return { d, sign, order, budget, placed };
}

/** Decimal text at 8 decimals as units (the simulator's USDT). */
const units = (text: string) => {
  const [whole = "0", fraction = ""] = text.split(".");
  return BigInt(whole) * 10n ** 8n + BigInt(fraction.padEnd(8, "0").slice(0, 8));
};
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
/** 0.01 contracts of 1 BTC at the order's average price, in USDT units. */
const notional = (o: { average?: string | undefined }) => units(o.average ?? "0") / 100n;

describe("gateway - contract markets: margin, reduceOnly, leverage and position bounds", () => {
  it("gateway - a sell that opens a short reserves margin at its worst price and leverage plus the taker fee; a fill keeps only its own", async () => {
    const { sign, order, budget, placed } = await perpDesk();
    const mandate = sign();
    // A sell resting above the market fills at its limit: 0.01 × 99,000 = 990; / 5 = 198; fee
    // 990 × 0.0005 = 0.495.
    const resting = await order(mandate, {
      type: "limit",
      price: "99000",
      leverage: 5,
    });
    expect(resting.status).toBe("open");
    expect(placed().reserved).toBe("198.495");
    expect((await budget(mandate.nonce)).reserved).toBe("198.495");
    // A market sell fills at the bids, up to the touch: what it reserved covers its fill.
    const filled = await order(mandate, { leverage: 5 });
    expect(filled).toMatchObject({ status: "closed", filled: "0.01", side: "sell" });
    const cost = units(filled.cost);
    const fee = units(filled.fee!.cost);
    const kept = ceilDiv(cost, 5n) + fee;
    expect(units(String(placed().reserved))).toBeGreaterThanOrEqual(kept);
    // Spent: exactly the fill's margin at 5x and its fee; the resting sell still holds its own.
    const b = await budget(mandate.nonce);
    expect(units(b.spent)).toBe(kept);
    expect(b.reserved).toBe("198.495");
    expect(notional(filled)).toBe(cost); // sanity: the venue's cost is amount × average price
  });

  it("gateway - only reduceOnly closes free: it reserves nothing, even on a spent mandate, and can never reverse the position", async () => {
    const { sign, order, budget } = await perpDesk();
    const mandate = sign({ maxNotional: "50" });
    await order(mandate, { leverage: 10 }); // short 0.01: about 42 of margin at 10x
    // The budget cannot open more …
    const more = await refusal(order(mandate, { leverage: 10 }));
    expect(more).toBeInstanceOf(MandateDeniedError);
    expect(more?.message).toMatch(/over budget/);
    // … and a buy without reduceOnly is an opening order: reserved in full, so refused too.
    expect((await refusal(order(mandate, { side: "buy", leverage: 10 })))?.message).toMatch(
      /over budget/,
    );
    const spent = (await budget(mandate.nonce)).spent;
    // A reduceOnly buy larger than the short is refused, naming what is held.
    const tooBig = await refusal(order(mandate, { side: "buy", amount: "0.02", reduceOnly: true }));
    expect(tooBig).toBeInstanceOf(RiskDeniedError);
    expect(tooBig?.message).toMatch(/more than the 0\.01 of .* short 0\.01 on BTC\/USDT:USDT/);
    // A reduceOnly sell adds to the short: it reduces nothing.
    expect((await refusal(order(mandate, { reduceOnly: true })))?.message).toMatch(
      /reduceOnly sell reduces nothing: .* holds a short/,
    );
    const closed = await order(mandate, { side: "buy", reduceOnly: true });
    expect(closed).toMatchObject({ status: "closed", filled: "0.01", reduceOnly: true });
    expect((await budget(mandate.nonce)).spent).toBe(spent);
    // Flat now: a reduceOnly order has nothing to reduce.
    expect((await refusal(order(mandate, { side: "buy", reduceOnly: true })))?.message).toMatch(
      /holds no position/,
    );
  });

  it("gateway - the mandate bounds leverage and the position all open orders could make", async () => {
    const { sign, order } = await perpDesk();
    const lever = await refusal(order(sign({ maxLeverage: 3 }), { leverage: 4 }));
    expect(lever).toBeInstanceOf(MandateDeniedError);
    expect(lever?.message).toMatch(/over leverage: the order asks 4x, mandate .* at most 3x/);
    // No maxLeverage: 1x only.
    const plain = sign({ maxLeverage: 0 }); // 0: the mandate names none
    expect((await refusal(order(plain, { leverage: 2 })))?.message).toMatch(/at most 1x/);
    const bounded = sign({ maxPosition: "0.015" });
    await order(bounded, { leverage: 10 });
    // A resting sell far above the market counts as if it filled.
    await order(bounded, { type: "limit", price: "99000", amount: "0.005", leverage: 10 });
    const beyond = await refusal(order(bounded, { amount: "0.001", leverage: 10 }));
    expect(beyond).toBeInstanceOf(MandateDeniedError);
    expect(beyond?.message).toMatch(
      /over position: .* a short of 0\.016 on BTC\/USDT:USDT, .* at most 0\.015/,
    );
  });

  it("gateway - the desk's margin usage limit counts positions and open orders against the settle balance", async () => {
    // 10,000 USDT: 1 % is 100 of margin.
    const { sign, order } = await perpDesk({ maxMarginUsage: "0.01" });
    const mandate = sign();
    await order(mandate, { amount: "0.02", leverage: 10 }); // about 84 in use
    const err = await refusal(order(mandate, { amount: "0.01", leverage: 10 }));
    expect(err).toBeInstanceOf(RiskDeniedError);
    expect(err?.message).toMatch(
      /margin in use would be .* above the desk's limit of 0\.01 of the 10000(\.\d+)? USDT balance/,
    );
  });

  it("gateway - reduceOnly and leverage on a spot market are a clear error", async () => {
    const { sign, order } = await perpDesk();
    const spot = sign({ market: "BTC/USDT", maxLeverage: 0 });
    const err = await refusal(order(spot, { market: "BTC/USDT", side: "buy", leverage: 2 }));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err?.message).toMatch(
      /reduceOnly and leverage are for contract markets; BTC\/USDT is spot/,
    );
  });
});
