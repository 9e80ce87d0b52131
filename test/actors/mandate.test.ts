import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MandateBook } from "../../src/actors/desk/mandate-book.js";
import { ActorKeys } from "../../src/actors/identity/keys.js";
import {
  type AuthorizedMandate,
  canonicalBytes,
  HolderKeys,
  type Mandate,
  type MandateOrder,
  type MandateTerms,
} from "../../src/actors/mandate.js";
import { orderBytes, signOrder } from "../../src/actors/order-signature.js";
import { InternalError, InvalidInputError, MandateDeniedError } from "../../src/domain/errors.js";
import { parseDecimal } from "../../src/domain/fixed.js";

const DECIMALS = 2;
const NOW = 1_700_000_000_000;
const usdt = (text: string) => parseDecimal(text, DECIMALS);

// The Trader's identity: mandates name its public key.
const traderKeys = ActorKeys.generate();

const TERMS: MandateTerms = {
  trader: "BTC/USDT",
  traderKey: traderKeys.publicKey,
  desk: "sim-main",
  market: "BTC/USDT",
  sides: ["buy", "sell"],
  maxNotional: "1000",
  expiresAt: NOW + 60_000,
  nonce: "n-1",
};

const ORDER: MandateOrder = {
  trader: "BTC/USDT",
  desk: "sim-main",
  market: "BTC/USDT",
  side: "buy",
  notional: usdt("400"),
};

// Keys are slow-ish to make; one pair per holder for the whole file is enough.
const usdtKeys = HolderKeys.generate();
const btcKeys = HolderKeys.generate();

function setup(): { book: MandateBook; mandate: Mandate } {
  const book = new MandateBook(() => DECIMALS);
  book.trust("USDT", usdtKeys.publicKey);
  book.trust("BTC", btcKeys.publicKey);
  return { book, mandate: usdtKeys.sign(TERMS, "USDT") };
}

/** Authorizes and commits, as a Desk does for an accepted order. */
function spend(book: MandateBook, mandate: unknown, order: Partial<MandateOrder> = {}): void {
  book.commit(book.authorize({ ...ORDER, ...order }, mandate, NOW));
}

function denial(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(MandateDeniedError);
    return (err as Error).message;
  }
  throw new Error("expected a MandateDeniedError, nothing was thrown");
}

describe("mandate - signing", () => {
  it("mandate - public key is base64 of the raw 32-byte key; the private key never serialises", () => {
    expect(Buffer.from(usdtKeys.publicKey, "base64")).toHaveLength(32);
    expect(usdtKeys.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(JSON.parse(JSON.stringify(usdtKeys))).toEqual({ publicKey: usdtKeys.publicKey });
    expect(Object.keys(usdtKeys)).toEqual(["publicKey"]);
  });

  it("mandate - sign returns the terms (sides sorted), the holder and a 64-byte signature", () => {
    const mandate = usdtKeys.sign({ ...TERMS, sides: ["sell", "buy"] }, "USDT");
    expect(mandate).toEqual({
      ...TERMS,
      sides: ["buy", "sell"],
      holder: "USDT",
      signature: expect.any(String),
    });
    expect(Buffer.from(mandate.signature, "base64")).toHaveLength(64);
  });

  it("mandate - sign refuses bad terms with InvalidInputError naming the field", () => {
    expect(() => usdtKeys.sign({ ...TERMS, maxNotional: "-5" }, "USDT")).toThrow(
      new InvalidInputError(
        `cannot sign mandate: 'maxNotional' must be a plain decimal string above 0, got "-5"`,
      ),
    );
    expect(() => usdtKeys.sign({ ...TERMS, sides: [] }, "USDT")).toThrow(/'sides'/);
    expect(() => usdtKeys.sign(TERMS, "")).toThrow(/'holder'/);
  });

  it("mandate - canonical bytes ignore key order and sides order, and change with every field", () => {
    const reordered = Object.fromEntries(Object.entries(TERMS).reverse()) as MandateTerms;
    const base = canonicalBytes(TERMS);
    expect(canonicalBytes({ ...reordered, sides: ["sell", "buy"] })).toEqual(base);
    const changes: Partial<MandateTerms>[] = [
      { trader: "ETH/USDT" },
      { desk: "sim-other" },
      { market: "ETH/USDT" },
      { sides: ["buy"] },
      { maxNotional: "1000.0" },
      { expiresAt: TERMS.expiresAt + 1 },
      { nonce: "n-2" },
    ];
    for (const change of changes) expect(canonicalBytes({ ...TERMS, ...change })).not.toEqual(base);
  });

  it("mandate - survives JSON.stringify/parse with its keys in any order", () => {
    const { mandate } = setup();
    const entries = Object.entries(mandate);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(entries, { minLength: entries.length }),
        fc.boolean(),
        (shuffled, flipSides) => {
          const { book } = setup();
          const wire = JSON.parse(JSON.stringify(Object.fromEntries(shuffled))) as Mandate;
          if (flipSides) wire.sides.reverse();
          spend(book, wire);
          expect(book.remaining("n-1")).toBe(usdt("600"));
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("mandate - authorize", () => {
  it("mandate - a valid mandate authorizes several orders and its budget decreases", () => {
    const { book, mandate } = setup();
    expect(book.remaining("n-1")).toBeUndefined();
    const auth = book.authorize(ORDER, mandate, NOW);
    expect(auth).toEqual({
      holder: "USDT",
      nonce: "n-1",
      trader: "BTC/USDT",
      desk: "sim-main",
      market: "BTC/USDT",
      side: "buy",
      notional: usdt("400"),
      maxLeverage: 1,
      maxPosition: undefined,
    });
    expect(book.remaining("n-1")).toBe(usdt("1000")); // authorize alone spends nothing
    book.commit(auth);
    expect(book.remaining("n-1")).toBe(usdt("600"));
    spend(book, mandate, { side: "sell", notional: usdt("250.5") });
    expect(book.remaining("n-1")).toBe(usdt("349.5"));
    spend(book, mandate, { notional: usdt("349.5") }); // exactly what is left
    expect(book.remaining("n-1")).toBe(0n);
  });

  it("mandate - over budget: one order above maxNotional, or the sum of several", () => {
    const { book, mandate } = setup();
    expect(
      denial(() => book.authorize({ ...ORDER, notional: usdt("1000.01") }, mandate, NOW)),
    ).toBe(
      `over budget: order notional 1000.01 is above the 1000 left of mandate "n-1" (max 1000)`,
    );
    spend(book, mandate);
    spend(book, mandate);
    expect(denial(() => book.authorize(ORDER, mandate, NOW))).toMatch(
      /^over budget: order notional 400 is above the 200 left/,
    );
    expect(book.remaining("n-1")).toBe(usdt("200"));
  });

  it("mandate - two orders authorized against the same remainder cannot both commit", () => {
    const { book, mandate } = setup();
    const first = book.authorize({ ...ORDER, notional: usdt("700") }, mandate, NOW);
    const second = book.authorize({ ...ORDER, notional: usdt("700") }, mandate, NOW);
    book.commit(first);
    expect(denial(() => book.commit(second))).toMatch(/^over budget/);
    expect(book.remaining("n-1")).toBe(usdt("300"));
  });

  it("mandate - commit takes only this book's authorizations, once each", () => {
    const { book, mandate } = setup();
    const auth = book.authorize(ORDER, mandate, NOW);
    book.commit(auth);
    expect(() => book.commit(auth)).toThrow(InternalError);
    const forged: AuthorizedMandate = { ...auth, notional: 1n };
    expect(() => book.commit(forged)).toThrow(InternalError);
    const other = setup().book;
    expect(() => other.commit(book.authorize(ORDER, mandate, NOW))).toThrow(InternalError);
    expect(book.remaining("n-1")).toBe(usdt("600"));
  });

  it("mandate - release gives back unfilled notional, never more than is spent", () => {
    const { book, mandate } = setup();
    spend(book, mandate, { notional: usdt("1000") });
    book.release("n-1", usdt("300"));
    expect(book.remaining("n-1")).toBe(usdt("300"));
    spend(book, mandate, { notional: usdt("300") });
    expect(() => book.release("n-1", usdt("1000.01"))).toThrow(InvalidInputError);
    expect(() => book.release("n-1", -1n)).toThrow(InvalidInputError);
    expect(() => book.release("unknown", 1n)).toThrow(InvalidInputError);
    expect(book.remaining("n-1")).toBe(0n);
  });

  it("mandate - expired: now at expiresAt is refused, one ms before is allowed", () => {
    const { book, mandate } = setup();
    expect(() => book.authorize(ORDER, mandate, TERMS.expiresAt - 1)).not.toThrow();
    expect(denial(() => book.authorize(ORDER, mandate, TERMS.expiresAt))).toBe(
      `expired: mandate "n-1" expired at ${TERMS.expiresAt} (now ${TERMS.expiresAt})`,
    );
    expect(denial(() => book.authorize(ORDER, mandate, TERMS.expiresAt + 5))).toMatch(/^expired/);
  });

  it("mandate - wrong trader, desk, market or side", () => {
    const { book, mandate } = setup();
    expect(denial(() => book.authorize({ ...ORDER, trader: "ETH/USDT" }, mandate, NOW))).toBe(
      `wrong trader: mandate is for "BTC/USDT", order is "ETH/USDT"`,
    );
    expect(denial(() => book.authorize({ ...ORDER, desk: "binance-main" }, mandate, NOW))).toMatch(
      /^wrong desk/,
    );
    expect(denial(() => book.authorize({ ...ORDER, market: "ETH/USDT" }, mandate, NOW))).toMatch(
      /^wrong market/,
    );
    const buyOnly = usdtKeys.sign({ ...TERMS, sides: ["buy"], nonce: "n-buy" }, "USDT");
    expect(denial(() => book.authorize({ ...ORDER, side: "sell" }, buyOnly, NOW))).toBe(
      "wrong side: mandate allows buy, order is a sell",
    );
    expect(book.remaining("n-1")).toBeUndefined();
  });

  it("mandate - forged: any signed field changed after signing breaks the signature", () => {
    const { book, mandate } = setup();
    const forgeries: [Partial<Mandate>, Partial<MandateOrder>][] = [
      [{ maxNotional: "1000000" }, {}],
      [{ market: "ETH/USDT" }, { market: "ETH/USDT" }],
      [{ expiresAt: TERMS.expiresAt + 86_400_000 }, {}],
      [{ trader: "ETH/USDT" }, { trader: "ETH/USDT" }],
      [{ desk: "binance-main" }, { desk: "binance-main" }],
      [{ sides: ["buy"] }, {}],
      [{ nonce: "n-2" }, {}],
      [{ holder: "BTC" }, {}],
    ];
    for (const [change, order] of forgeries) {
      expect(
        denial(() => book.authorize({ ...ORDER, ...order }, { ...mandate, ...change }, NOW)),
      ).toMatch(/^bad signature/);
    }
    expect(book.remaining("n-1")).toBeUndefined();
    expect(book.remaining("n-2")).toBeUndefined();
  });

  it("mandate - a mandate already verified is remembered only as it is: changed copies, extra fields, a changed original and a re-keyed holder are refused", () => {
    const { book, mandate } = setup();
    const original = JSON.parse(JSON.stringify(mandate)) as Mandate;
    spend(book, original, { notional: usdt("1") }); // read, verified, remembered
    for (const change of [
      { maxNotional: "1000000" },
      { expiresAt: TERMS.expiresAt + 1 },
      { sides: ["buy"] },
      { holder: "BTC" },
    ] as Partial<Mandate>[]) {
      expect(denial(() => book.authorize(ORDER, { ...original, ...change }, NOW))).toMatch(
        /^bad signature/,
      );
    }
    expect(denial(() => book.authorize(ORDER, { ...original, extra: 1 }, NOW))).toMatch(
      /^malformed mandate: unknown field "extra"/,
    );
    const inherited = Object.assign(Object.create(original) as object, { a: 1, b: 2 });
    expect(denial(() => book.authorize(ORDER, inherited, NOW))).toMatch(/^malformed mandate/);
    const hostile = {
      get signature(): string {
        throw new Error("a getter that throws");
      },
    };
    expect(denial(() => book.authorize(ORDER, hostile, NOW))).toMatch(/^malformed mandate/);
    original.maxNotional = "1000000"; // the caller's object changes after it was verified
    expect(denial(() => book.authorize(ORDER, original, NOW))).toMatch(/^bad signature/);
    // The same terms, in a fresh copy, still pass; after re-keying the holder they do not.
    spend(book, JSON.parse(JSON.stringify(mandate)), { notional: usdt("1") });
    expect(book.remaining("n-1")).toBe(usdt("998"));
    book.trust("USDT", HolderKeys.generate().publicKey);
    expect(denial(() => book.authorize(ORDER, mandate, NOW))).toMatch(/^bad signature/);
  });

  it("mandate - a contract's maxLeverage and maxPosition are signed: added, changed or dropped after signing, the signature fails; the cache holds them as they are", () => {
    const { book } = setup();
    const spot = usdtKeys.sign(TERMS, "USDT");
    // A spot mandate signs exactly the bytes it did before contracts existed.
    expect(canonicalBytes(TERMS).toString()).not.toMatch(/null/);
    const contract = usdtKeys.sign(
      { ...TERMS, nonce: "n-c", maxLeverage: 5, maxPosition: "0.5" },
      "USDT",
    );
    expect(canonicalBytes(contract)).not.toEqual(canonicalBytes({ ...contract, maxLeverage: 6 }));
    const auth = book.authorize(ORDER, JSON.parse(JSON.stringify(contract)), NOW);
    expect(auth).toMatchObject({ maxLeverage: 5, maxPosition: "0.5" });
    for (const forged of [
      { ...contract, maxLeverage: 50 },
      { ...contract, maxPosition: "5" },
      { ...spot, maxLeverage: 125 },
    ]) {
      expect(denial(() => book.authorize(ORDER, forged, NOW))).toMatch(/^bad signature/);
    }
    const { maxLeverage: _dropped, ...withoutLeverage } = contract;
    expect(denial(() => book.authorize(ORDER, withoutLeverage, NOW))).toMatch(/^bad signature/);
    // A spot mandate authorizes at 1x with no position bound.
    expect(book.authorize(ORDER, spot, NOW)).toMatchObject({
      maxLeverage: 1,
      maxPosition: undefined,
    });
    for (const [change, field] of [
      [{ maxLeverage: 0 }, /'maxLeverage' must be a whole number from 1/],
      [{ maxLeverage: 2.5 }, /'maxLeverage'/],
      [{ maxPosition: "-1" }, /'maxPosition' must be a plain decimal string above 0/],
      [{ maxPosition: 1 }, /'maxPosition'/],
    ] as [Partial<Mandate>, RegExp][]) {
      expect(denial(() => book.authorize(ORDER, { ...contract, ...change }, NOW))).toMatch(field);
      expect(() => usdtKeys.sign({ ...TERMS, ...change } as MandateTerms, "USDT")).toThrow(
        InvalidInputError,
      );
    }
  });

  it("mandate - a Trader's reduceOnly and leverage are signed with its order", () => {
    const order = {
      trader: "t",
      market: "BTC/USDT:USDT",
      side: "sell",
      type: "market",
      amount: "1",
    };
    const plain = orderBytes("sim-main", order, "n", 1);
    expect(orderBytes("sim-main", { ...order, reduceOnly: undefined }, "n", 1)).toEqual(plain);
    const reducing = orderBytes("sim-main", { ...order, reduceOnly: true }, "n", 1);
    expect(reducing).not.toEqual(plain);
    expect(orderBytes("sim-main", { ...order, leverage: 5 }, "n", 1)).not.toEqual(plain);
    expect(orderBytes("sim-main", { ...order, leverage: 5 }, "n", 1)).not.toEqual(
      orderBytes("sim-main", { ...order, leverage: 6 }, "n", 1),
    );
  });

  it("mandate - forged: a signature by another holder's key, or an unknown holder", () => {
    const { book } = setup();
    const byBtcKey = btcKeys.sign(TERMS, "USDT"); // claims USDT, signed with BTC's key
    expect(denial(() => book.authorize(ORDER, byBtcKey, NOW))).toBe(
      `bad signature: mandate "n-1" was not signed by "USDT" as it is`,
    );
    const stranger = HolderKeys.generate().sign(TERMS, "ETH");
    expect(denial(() => book.authorize(ORDER, stranger, NOW))).toBe(
      `unknown holder "ETH": no public key is trusted for it`,
    );
    const zeroSignature = { ...usdtKeys.sign(TERMS, "USDT"), signature: `${"A".repeat(86)}==` };
    expect(denial(() => book.authorize(ORDER, zeroSignature, NOW))).toMatch(/^bad signature/);
  });

  it("mandate - replayed: a nonce already seen with other terms is refused; the same terms reuse it", () => {
    const { book, mandate } = setup();
    spend(book, mandate);
    spend(book, JSON.parse(JSON.stringify(mandate))); // the same mandate again: reuse
    const bigger = usdtKeys.sign({ ...TERMS, maxNotional: "5000" }, "USDT");
    expect(denial(() => book.authorize(ORDER, bigger, NOW))).toBe(
      `replayed: nonce "n-1" already belongs to a mandate with other terms`,
    );
    const otherHolder = btcKeys.sign(TERMS, "BTC"); // same terms and nonce, another holder
    expect(denial(() => book.authorize(ORDER, otherHolder, NOW))).toMatch(/^replayed/);
    expect(book.remaining("n-1")).toBe(usdt("200"));
  });

  it("mandate - revoked: refused from then on, whether seen before or not", () => {
    const { book, mandate } = setup();
    const pending = book.authorize(ORDER, mandate, NOW);
    spend(book, mandate);
    book.revoke("n-1");
    expect(book.remaining("n-1")).toBe(0n);
    expect(denial(() => book.authorize(ORDER, mandate, NOW))).toBe(
      `revoked: mandate "n-1" was revoked`,
    );
    expect(denial(() => book.commit(pending))).toMatch(/^revoked/);
    book.revoke("n-future");
    const future = usdtKeys.sign({ ...TERMS, nonce: "n-future" }, "USDT");
    expect(denial(() => book.authorize(ORDER, future, NOW))).toMatch(/^revoked/);
  });

  it("mandate - a maxNotional finer than the quote currency is malformed", () => {
    const { book } = setup();
    const fine = usdtKeys.sign({ ...TERMS, maxNotional: "10.001" }, "USDT");
    expect(denial(() => book.authorize(ORDER, fine, NOW))).toBe(
      `malformed mandate: 'maxNotional' "10.001" has more than 2 decimals`,
    );
  });

  it("mandate - trust refuses a key that is not base64 of 32 raw bytes", () => {
    const book = new MandateBook(() => DECIMALS);
    for (const key of ["", "abc", Buffer.alloc(31).toString("base64"), `${"A".repeat(43)}!`]) {
      expect(() => book.trust("USDT", key)).toThrow(InvalidInputError);
    }
    expect(() => book.trust("", usdtKeys.publicKey)).toThrow(InvalidInputError);
  });
});

describe("mandate - malformed payloads", () => {
  const { mandate } = setup();
  const without = (field: keyof Mandate) => {
    const copy: Record<string, unknown> = { ...mandate };
    delete copy[field];
    return copy;
  };
  const cases: [string, unknown, RegExp][] = [
    ["null", null, /expected an object, got null/],
    ["a number", 42, /expected an object, got 42/],
    ["a string", "mandate", /expected an object/],
    ["a list", [mandate], /expected an object, got a list/],
    ["an empty object", {}, /'trader'/],
    ["an unknown field", { ...mandate, admin: true }, /unknown field "admin"/],
    ["a __proto__ key", JSON.parse(`{"__proto__": {"x": 1}, "trader": "t"}`), /"__proto__"/],
    ...(Object.keys(mandate) as (keyof Mandate)[]).map((field): [string, unknown, RegExp] => [
      `no ${field}`,
      without(field),
      new RegExp(`'${field}'`),
    ]),
    ["trader a number", { ...mandate, trader: 7 }, /'trader' must be a string/],
    ["desk empty", { ...mandate, desk: "" }, /'desk'/],
    ["market an object", { ...mandate, market: {} }, /'market'.*an object/],
    ["nonce too long", { ...mandate, nonce: "x".repeat(257) }, /'nonce'/],
    ["holder null", { ...mandate, holder: null }, /'holder'/],
    ["sides a string", { ...mandate, sides: "buy" }, /'sides'/],
    ["sides empty", { ...mandate, sides: [] }, /'sides'/],
    ["sides duplicated", { ...mandate, sides: ["buy", "buy"] }, /'sides'/],
    ["sides unknown", { ...mandate, sides: ["hold"] }, /'sides'/],
    ["sides upper case", { ...mandate, sides: ["BUY"] }, /'sides'/],
    ["maxNotional a number", { ...mandate, maxNotional: 1000 }, /'maxNotional'/],
    ["maxNotional negative", { ...mandate, maxNotional: "-1" }, /'maxNotional'/],
    ["maxNotional zero", { ...mandate, maxNotional: "0.00" }, /'maxNotional'/],
    ["maxNotional exponent", { ...mandate, maxNotional: "1e3" }, /'maxNotional'/],
    ["maxNotional text", { ...mandate, maxNotional: "lots" }, /'maxNotional'/],
    ["expiresAt a string", { ...mandate, expiresAt: "soon" }, /'expiresAt'/],
    ["expiresAt fractional", { ...mandate, expiresAt: 1.5 }, /'expiresAt'/],
    ["expiresAt negative", { ...mandate, expiresAt: -1 }, /'expiresAt'/],
    ["expiresAt unsafe", { ...mandate, expiresAt: 2 ** 60 }, /'expiresAt'/],
    ["signature short", { ...mandate, signature: "AAAA" }, /'signature'/],
    ["signature not base64", { ...mandate, signature: `${"*".repeat(86)}==` }, /'signature'/],
    ["signature a list", { ...mandate, signature: [1, 2] }, /'signature'/],
  ];

  it.each(cases)("mandate - malformed: %s", (_name, payload, field) => {
    const { book } = setup();
    const message = denial(() => book.authorize(ORDER, payload, NOW));
    expect(message).toMatch(/^malformed mandate: /);
    expect(message).toMatch(field);
  });

  it("mandate - a throwing getter is malformed, not a crash", () => {
    const { book } = setup();
    const hostile = {
      ...mandate,
      get trader(): string {
        throw new Error("boom");
      },
    };
    expect(denial(() => book.authorize(ORDER, hostile, NOW))).toBe(
      "malformed mandate: unreadable value",
    );
  });

  it("mandate - random JSON never throws anything but MandateDeniedError", () => {
    const { book } = setup();
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => book.authorize(ORDER, value, NOW)).toThrow(MandateDeniedError);
      }),
      { numRuns: 300 },
    );
  });

  it("mandate - a valid mandate with one field replaced by random JSON is refused, never crashes", () => {
    const fields = Object.keys(mandate) as (keyof Mandate)[];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue(), (field, value) => {
        const canonical = (v: unknown) =>
          JSON.stringify(field === "sides" && Array.isArray(v) ? [...v].sort() : v);
        fc.pre(canonical(value) !== canonical(mandate[field]));
        const { book } = setup();
        expect(() => book.authorize(ORDER, { ...mandate, [field]: value }, NOW)).toThrow(
          MandateDeniedError,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe("mandate - getting out", () => {
  it("mandate - an order that only reduces exposure (notional 0) passes with the budget spent, but not unsigned", () => {
    const { book, mandate } = setup();
    spend(book, mandate, { notional: usdt(TERMS.maxNotional) });
    expect(book.remaining(mandate.nonce)).toBe(0n);
    const exit = book.authorize({ ...ORDER, side: "sell", notional: 0n }, mandate, NOW);
    book.commit(exit);
    expect(book.remaining(mandate.nonce)).toBe(0n);
    // Every other check still applies: a forged mandate cannot sell either.
    expect(() =>
      book.authorize(
        { ...ORDER, side: "sell", notional: 0n },
        { ...mandate, market: "ETH/USDT" },
        NOW,
      ),
    ).toThrow(MandateDeniedError);
    expect(() => book.authorize({ ...ORDER, side: "sell", notional: -1n }, mandate, NOW)).toThrow(
      InvalidInputError,
    );
  });

  it("mandate - getting out still works after the mandate expired or was revoked; getting in does not", () => {
    const { book, mandate } = setup();
    const later = mandate.expiresAt + 1;
    expect(() => book.authorize({ ...ORDER, notional: usdt("1") }, mandate, later)).toThrow(
      /expired/,
    );
    book.commit(book.authorize({ ...ORDER, side: "sell", notional: 0n }, mandate, later));
    book.revoke(mandate.nonce);
    expect(() => book.authorize({ ...ORDER, notional: usdt("1") }, mandate, NOW)).toThrow(
      /revoked/,
    );
    book.commit(book.authorize({ ...ORDER, side: "sell", notional: 0n }, mandate, NOW));
    // Not for another trader, nor with a forged mandate.
    expect(() =>
      book.authorize({ ...ORDER, side: "sell", notional: 0n, trader: "ETH/USDT" }, mandate, later),
    ).toThrow(/wrong trader/);
    expect(() =>
      book.authorize(
        { ...ORDER, side: "sell", notional: 0n },
        { ...mandate, maxNotional: "5000" },
        later,
      ),
    ).toThrow(/signature/);
  });
});

describe("mandate - every order is signed by the Trader the mandate names", () => {
  const request = {
    trader: "BTC/USDT",
    market: "BTC/USDT",
    side: "buy",
    type: "limit",
    amount: "0.01",
    price: "40000",
  };
  const proofOf = (keys: ActorKeys, seq: number, fields = request) => ({
    ...signOrder(keys, "sim-main", fields, TERMS.nonce, seq),
    bytes: (nonce: string, s: number) => orderBytes("sim-main", request, nonce, s),
  });

  it("mandate - a signed order passes; unsigned, re-signed by another key, changed or replayed ones are refused", () => {
    const { book, mandate } = setup();
    expect(() => book.authorize(ORDER, mandate, NOW, proofOf(traderKeys, 1))).not.toThrow();
    const sniffer = ActorKeys.generate();
    const cases: Array<[string, Parameters<MandateBook["authorize"]>[3], RegExp]> = [
      [
        "unsigned",
        { seq: undefined, signature: undefined, bytes: () => Buffer.alloc(0) },
        /^unsigned/,
      ],
      ["a sniffed mandate, signed by another key", proofOf(sniffer, 2), /^bad signature/],
      ["a changed amount", proofOf(traderKeys, 3, { ...request, amount: "1" }), /^bad signature/],
      [
        "a replay of sequence 1",
        proofOf(traderKeys, 1),
        /^replayed request: sequence 1 .* not above 1/,
      ],
    ];
    for (const [what, proof, message] of cases) {
      expect(
        denial(() => book.authorize(ORDER, mandate, NOW, proof)),
        what,
      ).toMatch(message);
    }
    expect(() => book.authorize(ORDER, mandate, NOW, proofOf(traderKeys, 7))).not.toThrow();
    expect(denial(() => book.authorize(ORDER, mandate, NOW, proofOf(traderKeys, 7)))).toMatch(
      /^replayed request/,
    );
  });

  it("mandate - a mandate without the Trader's key is malformed", () => {
    const { book } = setup();
    const { traderKey: _dropped, ...legacy } = usdtKeys.sign(TERMS, "USDT");
    expect(denial(() => book.authorize(ORDER, legacy, NOW))).toMatch(
      /^malformed mandate: 'traderKey'/,
    );
  });
});
