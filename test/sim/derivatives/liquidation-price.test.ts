import { describe, expect, it } from "vitest";
import {
  formatPrice,
  moneyUnits,
  priceUnits,
  qtyUnits,
} from "../../../src/sim/derivatives/instrument.js";
import {
  bankruptcyPrice,
  liquidationPrice,
  roundToTick,
} from "../../../src/sim/derivatives/liquidation-price.js";
import { openPosition } from "../../../src/sim/derivatives/margin.js";
import { BTCUSDT, ETHUSDT } from "./fixtures.js";

const btc = (qty: string, entry: string) =>
  openPosition(BTCUSDT, qtyUnits(BTCUSDT, qty), priceUnits(BTCUSDT, entry));
const usdt = (text: string) => moneyUnits(BTCUSDT, text);
const shown = (exact: Parameters<typeof roundToTick>[1] | null) =>
  exact === null ? null : formatPrice(BTCUSDT, roundToTick(BTCUSDT, exact, "half-up"));

// Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
// https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 — its cross-margin
// example: wallet 1,535,443.01 USDT; BTCUSDT long 109.488 @ 32,481.98, mark 31,967.27 (2.5 %,
// cum 16,300); ETHUSDT long 3,683.979 @ 1,456.84, mark 1,335.18 (10 %, cum 135,365). The FAQ
// gives the liquidation prices 1,153.26 (ETHUSDT) and 26,316.89 (BTCUSDT), as its display
// rounds them (figures quoted from the FAQ in freqtrade's tests/exchange/test_binance.py
// "From calc example" and jesse-ai strategy code; Binance draws the formula as an image).
describe("derivatives liquidation price - Binance's cross-margin example", () => {
  const btcLong = { position: btc("109.488", "32481.98"), mark: priceUnits(BTCUSDT, "31967.27") };
  const ethLong = {
    position: openPosition(ETHUSDT, qtyUnits(ETHUSDT, "3683.979"), priceUnits(ETHUSDT, "1456.84")),
    mark: priceUnits(ETHUSDT, "1335.18"),
  };
  const wallet = usdt("1535443.01");

  it("liquidation - ETHUSDT: 1,153.26 USDT, in the 10 % bracket", () => {
    // (1,535,443.01 − 71,200.811444 − 56,354.56848 + 135,365 − 3,683.979 × 1,456.84)
    //   / (3,683.979 × 0.10 − 3,683.979), with 3,683.979 × 1,456.84 = 5,366,967.96636:
    //   −3,823,715.336284 / −3,315.5811 = 1,153.2564…
    const lp = liquidationPrice({
      position: ethLong.position,
      walletBalance: wallet,
      others: [btcLong],
    });
    expect(shown(lp)).toBe("1153.26");
    expect(lp!.bracket.bracket).toBe(6); // 3,683.979 × 1,153.26 ≈ 4.25M: the 2M–5M tier
  });

  it("liquidation - BTCUSDT: 26,316.89 USDT, in the 2.5 % bracket", () => {
    // (1,535,443.01 − 356,512.508122 − 448,192.88514 + 16,300 − 109.488 × 32,481.98)
    //   / (109.488 × 0.025 − 109.488), with 109.488 × 32,481.98 = 3,556,387.02624:
    //   −2,809,349.409502 / −106.7508 = 26,316.8932…
    const lp = liquidationPrice({
      position: btcLong.position,
      walletBalance: wallet,
      others: [ethLong],
    });
    expect(shown(lp)).toBe("26316.89");
    expect(lp!.bracket.bracket).toBe(4); // 109.488 × 26,316.89 ≈ 2.88M: the 1M–10M tier
  });
});

// No worked isolated example with its result is in the stored copies of Binance's FAQ, so these
// are built by hand from the same formula with TMM1 = UPNL1 = 0 (the FAQ's isolated rule) and the
// BTCUSDT table; the arithmetic is written out beside each.
describe("derivatives liquidation price - isolated, by hand", () => {
  it("liquidation - a long: 1 BTC @ 50,000 on 5,000 USDT", () => {
    // (5,000 + 0 − 1 × 50,000) / (1 × 0.004 − 1) = −45,000 / −0.996 = 45,180.7228…
    // notional there 45,180.72 ≤ 50,000: bracket 1 holds, so the 0.4 % rate was the right one
    const lp = liquidationPrice({ position: btc("1", "50000"), walletBalance: usdt("5000") });
    expect(shown(lp)).toBe("45180.72");
    expect(lp!.bracket.bracket).toBe(1);
  });

  it("liquidation - a short crosses into the next bracket and is recalculated there", () => {
    // Bracket 1: (5,000 + 0 + 50,000) / (0.004 + 1) = 54,780.876…, but 54,780.88 > 50,000 is not
    // in bracket 1; the FAQ says to recalculate with that level's rate and amount:
    // bracket 2: (5,000 + 50 + 50,000) / (0.005 + 1) = 55,050 / 1.005 = 54,776.1194…
    const lp = liquidationPrice({ position: btc("-1", "50000"), walletBalance: usdt("5000") });
    expect(shown(lp)).toBe("54776.12");
    expect(lp!.bracket.bracket).toBe(2);
  });

  it("liquidation - bankruptcy is where the margin is gone: beyond the liquidation price", () => {
    // long: 50,000 − 5,000 / 1 = 45,000 (< 45,180.72); short: 50,000 + 5,000 = 55,000 (> 54,776.12)
    expect(
      shown(bankruptcyPrice({ position: btc("1", "50000"), walletBalance: usdt("5000") })),
    ).toBe("45000");
    expect(
      shown(bankruptcyPrice({ position: btc("-1", "50000"), walletBalance: usdt("5000") })),
    ).toBe("55000");
  });

  it("liquidation - a fully funded long has none (Binance shows --)", () => {
    const input = { position: btc("1", "50000"), walletBalance: usdt("50000") };
    expect(liquidationPrice(input)).toBeNull();
    expect(bankruptcyPrice(input)).toBeNull();
  });

  it("liquidation - the exact price rounds only when asked, in the named direction", () => {
    const lp = liquidationPrice({ position: btc("1", "50000"), walletBalance: usdt("5000") })!;
    expect(formatPrice(BTCUSDT, roundToTick(BTCUSDT, lp, "down"))).toBe("45180.72");
    expect(formatPrice(BTCUSDT, roundToTick(BTCUSDT, lp, "up"))).toBe("45180.73");
  });

  it("liquidation - no position, or another market in the cross list twice, is refused", () => {
    expect(() => liquidationPrice({ position: btc("0", "50000"), walletBalance: 0n })).toThrow(
      /no position to liquidate/,
    );
    const pos = btc("1", "50000");
    expect(() =>
      liquidationPrice({
        position: pos,
        walletBalance: usdt("5000"),
        others: [{ position: pos, mark: priceUnits(BTCUSDT, "50000") }],
      }),
    ).toThrow(/one-way mode has one position per market/);
  });
});
