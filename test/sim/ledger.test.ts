import { describe, expect, it } from "vitest";
import { InsufficientFundsError, InternalError } from "../../src/domain/errors.js";
import { FEE_ACCOUNT, Ledger } from "../../src/sim/ledger.js";

const decimals = new Map([
  ["BTC", 8],
  ["USDT", 6],
]);

describe("ledger - balances in minor units", () => {
  it("ledger - lock, unlock and transfer move money without creating any", () => {
    const ledger = new Ledger(decimals);
    ledger.deposit("alice", "USDT", 1_000_000_000n); // 1000 USDT
    ledger.lock("alice", "USDT", 250_000_000n, "buy");
    ledger.transfer("alice", "locked", "bob", "USDT", 200_000_000n);
    ledger.unlock("alice", "USDT", 50_000_000n);
    ledger.transfer("bob", "free", FEE_ACCOUNT, "USDT", 1n);
    expect(ledger.balances("alice").USDT).toEqual({ free: "800", used: "0", total: "800" });
    expect(ledger.balances("bob").USDT).toEqual({
      free: "199.999999",
      used: "0",
      total: "199.999999",
    });
    expect(ledger.total("USDT")).toBe(1_000_000_000n);
  });

  it("ledger - locking more than is free is refused, naming the need and what is free", () => {
    const ledger = new Ledger(decimals);
    ledger.deposit("alice", "USDT", 5_000_000n);
    expect(() => ledger.lock("alice", "USDT", 7_500_000n, "buy 1 BTC/USDT")).toThrow(
      InsufficientFundsError,
    );
    expect(() => ledger.lock("alice", "USDT", 7_500_000n, "buy 1 BTC/USDT")).toThrow(
      "buy 1 BTC/USDT needs 7.5 USDT, alice has 5 USDT free",
    );
    expect(ledger.free("alice", "USDT")).toBe(5_000_000n);
  });

  it("ledger - anything that would go negative is an internal error, and changes nothing", () => {
    const ledger = new Ledger(decimals);
    ledger.deposit("alice", "BTC", 10n);
    expect(() => ledger.transfer("alice", "free", "bob", "BTC", 11n)).toThrow(InternalError);
    expect(() => ledger.unlock("alice", "BTC", 1n)).toThrow(/invariant broken/);
    expect(() => ledger.deposit("alice", "BTC", -1n)).toThrow(InternalError);
    expect(() => ledger.deposit("alice", "DOGE", 1n)).toThrow(/unknown asset DOGE/);
    expect(ledger.free("alice", "BTC")).toBe(10n);
    expect(ledger.total("BTC")).toBe(10n);
  });

  it("ledger - an opened account lists every declared asset, even empty", () => {
    const ledger = new Ledger(decimals);
    ledger.open("carol");
    expect(ledger.accounts()).toEqual(["carol"]);
    expect(ledger.balances("carol")).toEqual({
      BTC: { free: "0", used: "0", total: "0" },
      USDT: { free: "0", used: "0", total: "0" },
    });
  });
});
