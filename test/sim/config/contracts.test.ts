import { describe, expect, it } from "vitest";
import { loadVenueConfig, shippedVenues } from "../../../src/sim/config/index.js";
import { RATE_ONE } from "../../../src/sim/derivatives/rate.js";
import { errorLines, MINIMAL, parse } from "./venue-text.js";

const PERP = `  BTC/USDT:USDT:
    type: perpetual
    tickSize: "0.1"
    lotSize: "0.001"
    minQty: "0.001"
    maxQty: "1000"
    minNotional: "5"
    index: BTC/USDT
    leverageBrackets:
      - { notionalFloor: "0", notionalCap: "50000", maxLeverage: 125, maintMarginRatio: "0.004" }
      - { notionalFloor: "50000", notionalCap: "500000", maxLeverage: 100, maintMarginRatio: "0.005" }
`;

const withPerp = (perp = PERP) => MINIMAL.replace("accounts:\n", `${perp}accounts:\n`);

describe("config - perpetual and delivery markets", () => {
  it("config - a perpetual loads with its computed maintenance amounts and default funding", () => {
    const config = parse(withPerp());
    const m = config.markets["BTC/USDT:USDT"]!;
    expect(m.kind).toBe("perpetual");
    const contract = m.contract!;
    expect(contract.index).toBe("BTC/USDT");
    expect(contract.samePathAsIndex).toBe(true);
    expect(m.data).toEqual(config.markets["BTC/USDT"]!.data);
    // Binance BTCUSDT bracket 2: cum 50 USDT = 50,000 × (0.005 − 0.004)
    expect(contract.spec.brackets[1]!.maintAmount).toBe(50n * 10n ** 8n);
    // 0.75 × 0.4 % = 0.3 %, 8 hours, 0.01 % interest
    expect(contract.funding).toEqual({
      intervalHours: 8,
      interestRate: RATE_ONE / 10_000n,
      cap: (RATE_ONE * 3n) / 1000n,
    });
    expect(config.derivatives).toMatchObject({ leverage: 20, marginMode: "cross" });
  });

  it("config - a published maintAmount that disagrees with the tiers names the bracket", () => {
    const text = withPerp(
      PERP.replace('maintMarginRatio: "0.005" }', 'maintMarginRatio: "0.005", maintAmount: "60" }'),
    );
    expect(errorLines(text).join("\n")).toContain(
      'markets."BTC/USDT:USDT".leverageBrackets[1]: leverage bracket 2: maintAmount 60 disagrees with the tiers, which give 50',
    );
  });

  it("config - type, index, expiry and funding are checked against the symbol", () => {
    expect(
      errorLines(withPerp(PERP.replace("type: perpetual", "type: delivery"))).join(),
    ).toContain('"delivery" disagrees with the symbol, a perpetual market');
    expect(
      errorLines(withPerp(PERP.replace("index: BTC/USDT", "index: ETH/USDT"))).join(),
    ).toContain('"ETH/USDT" is not a market of this venue');
    expect(
      errorLines(
        withPerp(
          PERP.replace("index: BTC/USDT", 'index: BTC/USDT\n    expiry: "2025-03-28T08:00:00Z"'),
        ),
      ).join(),
    ).toContain("a perpetual has no expiry");
    const delivery = PERP.replace("BTC/USDT:USDT:", "BTC/USDT:USDT-250328:").replace(
      "type: perpetual",
      'type: delivery\n    expiry: "2025-03-29T08:00:00Z"',
    );
    expect(errorLines(withPerp(delivery)).join()).toContain(
      "symbol date 250328 is not the expiry's UTC day 250329",
    );
    const ok = parse(withPerp(delivery.replace("2025-03-29", "2025-03-28")));
    expect(ok.markets["BTC/USDT:USDT-250328"]!.contract!.spec.expiry).toBe(
      Date.UTC(2025, 2, 28, 8),
    );
    expect(
      errorLines(
        withPerp(
          `${delivery.replace("2025-03-29", "2025-03-28")}    funding: { intervalHours: 8 }\n`,
        ),
      ).join(),
    ).toContain("a delivery future pays no funding");
  });

  it("config - a spot market with a contract field is refused at that field", () => {
    const text = MINIMAL.replace(
      '    minNotional: "5"\n',
      '    minNotional: "5"\n    contractSize: "1"\n',
    );
    expect(errorLines(text)).toEqual([
      'venues/test.yaml:12:19: markets."BTC/USDT".contractSize: only perpetual and delivery markets have this field',
    ]);
  });

  it("config - the shipped sim-perp venue loads", async () => {
    const file = (await shippedVenues())["sim-perp"]!;
    const config = await loadVenueConfig(file);
    expect(Object.keys(config.markets)).toEqual([
      "BTC/USDT",
      "BTC/USDT:USDT",
      "BTC/USDT:USDT-240329",
    ]);
    expect(config.markets["BTC/USDT:USDT"]!.contract!.spec.brackets).toHaveLength(6);
    expect(config.markets["BTC/USDT:USDT-240329"]!.contract!.spec).toMatchObject({
      kind: "delivery",
      expiry: Date.UTC(2024, 2, 29, 8),
    });
  });
});
