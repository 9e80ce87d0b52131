/**
 * Client order id rules per shipped exchange: the Desk's own ids (from the Desk's OwnedOrders)
 * are legal or get a deterministic legal form, and what breaks a rule is never sent as it is.
 */
import { describe, expect, it } from "vitest";
import { OwnedOrders } from "../../../src/actors/desk/gateway/owned-orders.js";
import { InvalidOrderError } from "../../../src/domain/errors.js";
import {
  clientIdLookup,
  clientOrderIdRules,
  isVenueLegal,
  venueClientOrderId,
} from "../../../src/venues/ccxt/client-order-id.js";

/** The Desk's n-th client id on `market` for desk `desk`, in a run started 2024-01-01 (s6k2o0). */
function deskId(desk: string, market: string, n = 1): string {
  const orders = new OwnedOrders(desk, Date.UTC(2024, 0, 1));
  let id = "";
  for (let i = 0; i < n; i++) id = orders.nextClientId(market);
  return id;
}

const LONG_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("client order ids - per exchange", () => {
  it("client order ids - binance: ≤36 of [.A-Za-z0-9:/_-]; a Desk id goes as it is; a longer one as c + 32 hex", () => {
    const rules = clientOrderIdRules("binance");
    const id = deskId("binance-main", "BTC/USDT", 17);
    expect(id).toBe("binance-main-BTC-USDT-s6k2o0-17");
    expect(venueClientOrderId("binance", id)).toBe(id);
    expect(isVenueLegal(rules, "a.b:c/d_e-f")).toBe(true);
    const long = deskId("binance-main", "LONGASSETNAME/USDT:USDT-250328", 123456);
    expect(long.length).toBeGreaterThan(36);
    const sent = venueClientOrderId("binance", long);
    expect(sent).toMatch(/^c[0-9a-f]{32}$/);
    expect(isVenueLegal(rules, sent)).toBe(true);
    expect(venueClientOrderId("binance", long)).toBe(sent);
    expect(clientIdLookup("binance", id)).toEqual({
      kind: "fetchOrder",
      params: { origClientOrderId: id },
    });
  });

  it("client order ids - bybit: ≤36 of [A-Za-z0-9_-]; a dot or colon is encoded", () => {
    const id = deskId("bybit-main", "BTC/USDT", 3);
    expect(venueClientOrderId("bybit", id)).toBe(id);
    expect(isVenueLegal(clientOrderIdRules("bybit"), "a.b")).toBe(false);
    expect(venueClientOrderId("bybit", "a.b")).toMatch(/^c[0-9a-f]{32}$/);
    expect(venueClientOrderId("bybit", "x".repeat(37))).toHaveLength(33);
    expect(clientIdLookup("bybit", id)).toEqual({
      kind: "fetchOrder",
      params: { orderLinkId: id, acknowledged: true },
    });
  });

  it("client order ids - kraken: a UUID or ≤18 free text; a Desk id becomes a deterministic UUID", () => {
    const rules = clientOrderIdRules("kraken");
    const first = deskId("kraken-main", "BTC/USD", 1);
    const second = deskId("kraken-main", "BTC/USD", 2);
    expect(first.length).toBeGreaterThan(18);
    const sent = venueClientOrderId("kraken", first);
    expect(sent).toMatch(LONG_UUID);
    expect(isVenueLegal(rules, sent)).toBe(true);
    expect(venueClientOrderId("kraken", first)).toBe(sent);
    expect(venueClientOrderId("kraken", second)).not.toBe(sent);
    for (const legal of [
      "d15708c1-dbb6-465d-b77d-47258319cc90",
      "da8e4ad59b78481c93e589746b0cf91f",
      "arb-20240509-00010",
    ]) {
      expect(venueClientOrderId("kraken", legal)).toBe(legal);
    }
    expect(venueClientOrderId("kraken", "arb-20240509-000101")).toMatch(LONG_UUID);
    expect(clientIdLookup("kraken", sent)).toEqual({
      kind: "search",
      params: { clientOrderId: sent },
    });
  });

  it("client order ids - bitget: ≤40 of [A-Za-z0-9_:-]; longer ones encoded", () => {
    const id = deskId("bitget-main", "BTC/USDT", 9);
    expect(venueClientOrderId("bitget", id)).toBe(id);
    expect(venueClientOrderId("bitget", "a:b_c-d")).toBe("a:b_c-d");
    expect(venueClientOrderId("bitget", "y".repeat(40))).toBe("y".repeat(40));
    const sent = venueClientOrderId("bitget", "y".repeat(41));
    expect(sent).toMatch(/^c[0-9a-f]{32}$/);
    expect(clientIdLookup("bitget", id)).toEqual({
      kind: "fetchOrder",
      params: { clientOrderId: id },
    });
  });

  it("client order ids - upbit: ≤36 of [A-Za-z0-9_-]; the identifier is looked up as itself", () => {
    const id = deskId("upbit-main", "BTC/KRW", 5);
    expect(venueClientOrderId("upbit", id)).toBe(id);
    expect(venueClientOrderId("upbit", "a/b")).toMatch(/^c[0-9a-f]{32}$/);
    expect(clientIdLookup("upbit", id)).toEqual({
      kind: "fetchOrder",
      params: { identifier: id },
    });
  });

  it("client order ids - an exchange without a rule of its own gets the strictest form: ≤32 letters and digits", () => {
    const id = deskId("okx-main", "BTC/USDT", 1);
    const sent = venueClientOrderId("okx", id);
    expect(sent).toMatch(/^c[0-9a-f]{31}$/);
    expect(venueClientOrderId("okx", "abc123")).toBe("abc123");
  });

  it("client order ids - a caller id that is empty, has spaces or control characters, or is huge is refused", () => {
    for (const bad of ["", "a b", "a\nb", "x".repeat(201)]) {
      expect(() => venueClientOrderId("binance", bad)).toThrow(InvalidOrderError);
    }
  });
});
