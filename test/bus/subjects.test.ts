import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SubjectIndex } from "../../src/bus/local/subject-index.js";
import {
  allDeskReports,
  allHeartbeats,
  allMarketData,
  assertPublishSubject,
  control,
  deskBalance,
  deskOrder,
  deskReport,
  heartbeat,
  holderProposal,
  marketData,
  subjectMatches,
  token,
} from "../../src/bus/subjects.js";
import { InvalidInputError } from "../../src/domain/errors.js";

describe("subjects - builders follow the grammar", () => {
  it("subjects - market data uses the market's subject token", () => {
    expect(marketData("sim-main", "BTC/USDT", "trade")).toBe("crypy.md.sim-main.BTC-USDT.trade");
    expect(marketData("sim-main", "BTC/USDT:USDT", "mark")).toBe(
      "crypy.md.sim-main.BTC-USDT-PERP.mark",
    );
    expect(marketData("sim-main", "BTC/USDT:USDT-250328", "candle-1m")).toBe(
      "crypy.md.sim-main.BTC-USDT-250328.candle-1m",
    );
    expect(marketData("sim-main", "ETH-BTC", "book")).toBe("crypy.md.sim-main.ETH-BTC.book");
    expect(allMarketData("sim-main")).toBe("crypy.md.sim-main.>");
  });

  it("subjects - desk, holder, control and heartbeat subjects", () => {
    expect(deskOrder("binance-main")).toBe("crypy.desk.binance-main.order");
    expect(deskReport("sim-main", "BTC-USDT")).toBe("crypy.desk.sim-main.report.BTC-USDT");
    expect(allDeskReports("sim-main")).toBe("crypy.desk.sim-main.report.*");
    expect(deskBalance("sim-main")).toBe("crypy.desk.sim-main.balance");
    expect(holderProposal("sim-main", "USDT")).toBe("crypy.holder.sim-main.USDT.proposal");
    expect(control("sim-main")).toBe("crypy.ctl.sim-main");
    expect(heartbeat("USDT")).toBe("crypy.sys.hb.USDT");
    expect(allHeartbeats()).toBe("crypy.sys.hb.*");
  });

  it("subjects - a bad token is rejected with the field and value named", () => {
    for (const bad of ["", "a.b", "*", ">", "a b", "tab\t", "é"]) {
      expect(() => deskOrder(bad), JSON.stringify(bad)).toThrow(InvalidInputError);
    }
    expect(() => deskReport("sim-main", "BTC/USDT")).toThrow(/actor "BTC\/USDT" is not a valid/);
    expect(() => holderProposal("sim main", "USDT")).toThrow(/desk "sim main"/);
    expect(() => token("x>", "asset")).toThrow(/asset "x>"/);
  });

  it("subjects - market-data kinds and timeframes are checked", () => {
    expect(() => marketData("d", "BTC/USDT", "quotes" as "trade")).toThrow(
      /unknown market-data kind/,
    );
    expect(() => marketData("d", "BTC/USDT", "candle-" as "trade")).toThrow(/bad timeframe/);
    expect(() => marketData("d", "BTC/USDT", "candle-0m")).toThrow(/bad timeframe/);
    expect(marketData("d", "BTC/USDT", "candle-4h")).toBe("crypy.md.d.BTC-USDT.candle-4h");
    expect(() => marketData("d", "BTC/usdt", "trade")).toThrow(InvalidInputError);
  });

  it("subjects - publish subjects never hold wildcards or empty tokens", () => {
    expect(() => assertPublishSubject("a.*")).toThrow(/only allowed when subscribing/);
    expect(() => assertPublishSubject("a..b")).toThrow(/empty token/);
    expect(() => assertPublishSubject("a b")).toThrow(/whitespace/);
    expect(() => assertPublishSubject("")).toThrow(/empty/);
    expect(() => assertPublishSubject("crypy.md.x.BTC-USDT.trade")).not.toThrow();
  });
});

describe("subjects - wildcard matching", () => {
  it("subjects - '*' is one token, '>' one or more trailing tokens", () => {
    expect(subjectMatches("a.*.c", "a.b.c")).toBe(true);
    expect(subjectMatches("a.*.c", "a.b.c.d")).toBe(false);
    expect(subjectMatches("a.>", "a.b")).toBe(true);
    expect(subjectMatches("a.>", "a.b.c")).toBe(true);
    expect(subjectMatches("a.>", "a")).toBe(false);
    expect(subjectMatches("a.b", "a.b")).toBe(true);
    expect(subjectMatches("a.b", "a.b.c")).toBe(false);
    expect(subjectMatches("a.b.c", "a.b")).toBe(false);
    expect(subjectMatches(">", "x")).toBe(true);
  });

  const tokenArb = fc.constantFrom("a", "b", "c");
  const subjectArb = fc.array(tokenArb, { minLength: 1, maxLength: 4 }).map((t) => t.join("."));
  const patternArb = fc
    .tuple(
      fc.array(fc.constantFrom("a", "b", "c", "*"), { minLength: 0, maxLength: 4 }),
      fc.boolean(),
    )
    .filter(([tokens, tail]) => tokens.length > 0 || tail)
    .map(([tokens, tail]) => [...tokens, ...(tail ? [">"] : [])].join("."));

  it("subjects - the LocalBus index agrees with subjectMatches on random patterns", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(patternArb, { maxLength: 12 }),
        subjectArb,
        (patterns, subject) => {
          const index = new SubjectIndex<string>();
          for (const p of patterns) index.add(p, p);
          const expected = patterns.filter((p) => subjectMatches(p, subject)).sort();
          expect(index.match(subject).sort()).toEqual(expected);
        },
      ),
    );
  });

  it("subjects - removing from the index removes exactly that pattern", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(patternArb, { minLength: 1, maxLength: 8 }),
        subjectArb,
        (patterns, subject) => {
          const index = new SubjectIndex<string>();
          for (const p of patterns) index.add(p, p);
          const [gone, ...kept] = patterns;
          index.remove(gone!, gone!);
          const expected = kept.filter((p) => subjectMatches(p, subject)).sort();
          expect(index.match(subject).sort()).toEqual(expected);
        },
      ),
    );
  });
});

describe("subjects - actor subjects", () => {
  it("subjects - cache, report and event subjects follow the grammar", async () => {
    const s = await import("../../src/bus/subjects.js");
    expect(s.deskCache("sim-main")).toBe("crypy.desk.sim-main.cache");
    expect(s.holderReport("sim-main", "USDT")).toBe("crypy.holder.sim-main.USDT.report");
    expect(s.actorEvent("sim-main")).toBe("crypy.sys.event.sim-main");
    expect(s.allActorEvents()).toBe("crypy.sys.event.*");
    expect(() => s.actorEvent("BTC/USDT")).toThrow(/actor "BTC\/USDT"/);
  });
});
