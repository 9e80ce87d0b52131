import { describe, expect, it } from "vitest";
import {
  formatMoney,
  moneyUnits,
  priceUnits,
  qtyUnits,
} from "../../../src/sim/derivatives/instrument.js";
import {
  crossMargin,
  initialMargin,
  isolatedMargin,
  maintenanceMargin,
  openPosition,
  unrealizedPnl,
} from "../../../src/sim/derivatives/margin.js";
import { formatRate } from "../../../src/sim/derivatives/rate.js";
import { BTCUSDT, ETHUSDT } from "./fixtures.js";

const btc = (qty: string, entry: string) =>
  openPosition(BTCUSDT, qtyUnits(BTCUSDT, qty), priceUnits(BTCUSDT, entry));
const eth = (qty: string, entry: string) =>
  openPosition(ETHUSDT, qtyUnits(ETHUSDT, qty), priceUnits(ETHUSDT, entry));
const usdt = (units: bigint) => formatMoney(BTCUSDT, units);
const p = (text: string) => priceUnits(BTCUSDT, text);

// Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts",
// https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 — its cross-margin
// example holds BTCUSDT long 109.488 @ 32,481.98 (mark 31,967.27) and ETHUSDT long 3,683.979 @
// 1,456.84 (mark 1,335.18) on a wallet of 1,535,443.01 USDT. It gives, for the BTCUSDT position
// seen from the ETHUSDT one: "TMM1 = 71,200.81144" and "UPNL1 = −56,354.57" (its display rounds).
// The example's figures are quoted from the FAQ in jesse-ai strategy code and freqtrade's tests
// (freqtrade/tests/exchange/test_binance.py, "From calc example").
describe("derivatives margin - Binance's worked example", () => {
  const btcLong = btc("109.488", "32481.98");
  const ethLong = eth("3683.979", "1456.84");

  it("margin - BTCUSDT maintenance margin at mark: the FAQ's TMM1 71,200.81144", () => {
    // 109.488 × 31,967.27 = 3,500,032.45776 (bracket 1M–10M: 2.5 %, cum 16,300)
    // 3,500,032.45776 × 0.025 − 16,300 = 87,500.811444 − 16,300 = 71,200.811444
    expect(usdt(maintenanceMargin(btcLong, p("31967.27")))).toBe("71200.811444");
  });

  it("margin - BTCUSDT unrealised PnL at mark: the FAQ's UPNL1 −56,354.57", () => {
    // 109.488 × (31,967.27 − 32,481.98) = 109.488 × −514.71 = −56,354.56848
    expect(usdt(unrealizedPnl(btcLong, p("31967.27")))).toBe("-56354.56848");
  });

  it("margin - the FAQ's 264,000 USDT position: 1 % less 1,300 = 1,340 USDT maintenance", () => {
    // 5.28 BTC × 50,000 = 264,000 USDT; the FAQ gives 1 % for it, and cum 1,300 for that tier:
    // 264,000 × 0.01 − 1,300 = 2,640 − 1,300 = 1,340
    expect(usdt(maintenanceMargin(btc("5.28", "50000"), p("50000")))).toBe("1340");
  });

  it("margin - cross: one wallet against both positions' PnL and maintenance", () => {
    // ETHUSDT at mark 1,335.18: 3,683.979 × 1,335.18 = 4,918,775.08122 (2M–5M: 10 %, 135,365)
    //   maintenance 491,877.508122 − 135,365 = 356,512.508122
    //   PnL 3,683.979 × (1,335.18 − 1,456.84) = 3,683.979 × −121.66 = −448,192.88514
    // balance 1,535,443.01 − 56,354.56848 − 448,192.88514 = 1,030,895.55638
    // maintenance 71,200.811444 + 356,512.508122 = 427,713.319566
    const state = crossMargin(moneyUnits(BTCUSDT, "1535443.01"), [
      { position: btcLong, mark: p("31967.27") },
      { position: ethLong, mark: priceUnits(ETHUSDT, "1335.18") },
    ]);
    expect(usdt(state.marginBalance)).toBe("1030895.55638");
    expect(usdt(state.maintenance)).toBe("427713.319566");
    expect(state.liquidatable).toBe(false);
    // 427,713.319566 / 1,030,895.55638 = 0.4148949104678650… → rounded up at 12 decimals
    expect(formatRate(state.marginRatio!)).toBe("0.414894910468");
  });
});

describe("derivatives margin - rules by hand", () => {
  it("margin - initial margin is notional / leverage, rounded up, within the bracket's max", () => {
    // 1 BTC × 50,000 at 20x = 2,500 USDT
    expect(usdt(initialMargin(btc("1", "50000"), p("50000"), 20))).toBe("2500");
    // 0.003 BTC × 10,000.01 = 30.00003 at 7x = 4.28571857142… → 4.28571858 (up, 8 decimals)
    expect(usdt(initialMargin(btc("0.003", "10000.01"), p("10000.01"), 7))).toBe("4.28571858");
    // 1.2 BTC × 50,000 = 60,000 is in bracket 2, whose max is 100x
    expect(() => initialMargin(btc("1.2", "50000"), p("50000"), 125)).toThrow(
      /leverage 125 is above bracket 2's max 100/,
    );
  });

  it("margin - a short's PnL is the long's negated", () => {
    const short = btc("-2", "50000");
    // 2 × (50,000 − 51,000) = −2,000 for the short
    expect(usdt(unrealizedPnl(short, p("51000")))).toBe("-2000");
    expect(usdt(unrealizedPnl(btc("2", "50000"), p("51000")))).toBe("2000");
  });

  it("margin - isolated: liquidation is due once margin balance ≤ maintenance", () => {
    // 1 BTC long @ 50,000 on 5,000 USDT isolated margin.
    // At 45,180.72: balance 5,000 − 4,819.28 = 180.72; maintenance 45,180.72 × 0.004 = 180.72288
    const pos = btc("1", "50000");
    const at = isolatedMargin(pos, moneyUnits(BTCUSDT, "5000"), p("45180.72"));
    expect([usdt(at.marginBalance), usdt(at.maintenance), at.liquidatable]).toEqual([
      "180.72",
      "180.72288",
      true,
    ]);
    // At 45,180.73: balance 180.73 > maintenance 180.72292
    expect(isolatedMargin(pos, moneyUnits(BTCUSDT, "5000"), p("45180.73")).liquidatable).toBe(
      false,
    );
  });

  it("margin - a flat account has nothing to liquidate", () => {
    const state = crossMargin(0n, []);
    expect(state.liquidatable).toBe(false);
    expect(state.marginRatio).toBeNull();
  });
});
