/**
 * rolePermissions: each role is granted the subjects its actors use, built by the same builders,
 * and nothing that belongs to another role. The server-side proof is nats-permissions.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actorEvent,
  assertSubscribeSubject,
  control,
  deskBalance,
  deskCache,
  deskOrder,
  deskReport,
  heartbeat,
  history,
  holderProposal,
  holderReport,
  inboxPrefix,
  marketData,
  ROLES,
  type Role,
  rolePermissions,
  subjectMatches,
} from "../../src/bus/subjects.js";

const canPublish = (role: Role, subject: string) =>
  rolePermissions(role).publish.some((p) => subjectMatches(p, subject));
const canSubscribe = (role: Role, subject: string) =>
  rolePermissions(role).subscribe.some((p) => subjectMatches(p, subject));

const tokenArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);

describe("permissions - each role gets what its actors use", () => {
  it("permissions - every allow entry is a valid NATS subscription subject", () => {
    for (const role of ROLES) {
      const p = rolePermissions(role);
      for (const s of [...p.publish, ...p.subscribe])
        expect(() => assertSubscribeSubject(s)).not.toThrow();
    }
  });

  it("permissions - a Trader orders from a Desk, proposes and reports to a Holder, beats and reads its data", () => {
    for (const s of [
      deskOrder("sim-main"),
      deskCache("sim-main"),
      holderProposal("sim-main", "USDT"),
      holderReport("sim-main", "USDT"),
      heartbeat("sim-main_BTC-USDT"),
      actorEvent("sim-main_BTC-USDT"),
    ]) {
      expect(canPublish("trader", s), s).toBe(true);
    }
    for (const s of [
      marketData("sim-main", "BTC/USDT", "candle-1m"),
      marketData("sim-main", "BTC/USDT", "ticker"),
      deskReport("sim-main", "sim-main_BTC-USDT"),
      control("sim-main_BTC-USDT"),
      `${inboxPrefix("trader")}.abc.1`,
    ]) {
      expect(canSubscribe("trader", s), s).toBe(true);
    }
    for (const s of [marketData("sim-main", "BTC/USDT", "ticker"), deskBalance("sim-main")]) {
      expect(canPublish("trader", s), s).toBe(false);
    }
  });

  it("permissions - the Desk publishes market data, balances and reports, and serves orders and its cache", () => {
    for (const s of [
      marketData("sim-main", "BTC/USDT", "candle-1m"),
      deskBalance("sim-main"),
      deskReport("sim-main", "sim-main_BTC-USDT"),
    ]) {
      expect(canPublish("desk", s), s).toBe(true);
    }
    for (const s of [deskOrder("sim-main"), deskCache("sim-main"), control("sim-main")]) {
      expect(canSubscribe("desk", s), s).toBe(true);
    }
    expect(canPublish("desk", deskOrder("sim-main"))).toBe(false);
    expect(canPublish("desk", holderProposal("sim-main", "USDT"))).toBe(false);
  });

  it("permissions - the Holder serves proposals and reads reports, balances and its Traders' heartbeats", () => {
    for (const s of [
      holderProposal("sim-main", "USDT"),
      holderReport("sim-main", "USDT"),
      deskBalance("sim-main"),
      heartbeat("sim-main_BTC-USDT"),
    ]) {
      expect(canSubscribe("holder", s), s).toBe(true);
    }
    expect(canPublish("holder", deskCache("sim-main"))).toBe(true);
    expect(canPublish("holder", deskOrder("sim-main"))).toBe(false);
  });

  it("permissions - the observer publishes nothing and reads market data and events, not heartbeats", () => {
    expect(rolePermissions("observer").publish).toEqual([]);
    expect(rolePermissions("observer").respond).toBe(false);
    expect(canSubscribe("observer", marketData("d", "BTC/USDT", "trade"))).toBe(true);
    expect(canSubscribe("observer", actorEvent("d"))).toBe(true);
    expect(canSubscribe("observer", heartbeat("d"))).toBe(false);
    expect(canSubscribe("observer", deskReport("d", "t"))).toBe(false);
  });

  it("permissions - the recorder publishes market data only (and its own beats and events)", () => {
    expect(canPublish("recorder", marketData("binance", "BTC/USDT", "trade"))).toBe(true);
    expect(canPublish("recorder", deskBalance("d"))).toBe(false);
    expect(canPublish("recorder", deskOrder("d"))).toBe(false);
  });

  it("permissions - node is the union of desk, holder and trader, with the observer's reads", () => {
    const node = rolePermissions("node");
    for (const role of ["desk", "holder", "trader", "observer"] as const) {
      const p = rolePermissions(role);
      expect(node.publish).toEqual(expect.arrayContaining([...p.publish]));
      const own = `${inboxPrefix(role)}.>`;
      expect(node.subscribe).toEqual(expect.arrayContaining(p.subscribe.filter((s) => s !== own)));
    }
    expect(node.respond).toBe(true);
  });
});

describe("permissions - what no role but its owner may do", () => {
  it("permissions - only the operator may publish on crypy.ctl.<actor>", () => {
    fc.assert(
      fc.property(tokenArb, (actor) => {
        for (const role of ROLES)
          expect(canPublish(role, control(actor)), role).toBe(role === "operator");
      }),
    );
  });

  it("permissions - each user may subscribe to its own inbox and to no other's, nor to _INBOX.>", () => {
    for (const role of ROLES) {
      expect(rolePermissions(role).subscribe.at(-1)).toBe(`${inboxPrefix(role)}.>`);
      expect(canSubscribe(role, `_INBOX.abc.1`), role).toBe(false);
      for (const other of ROLES) {
        expect(canSubscribe(role, `${inboxPrefix(other)}.abc.1`), `${role} → ${other}`).toBe(
          role === other,
        );
      }
      expect(rolePermissions(role).subscribe).not.toContain(">");
    }
  });

  it("permissions - only the Desk (and node) may publish execution reports and balances", () => {
    fc.assert(
      fc.property(tokenArb, tokenArb, (desk, actor) => {
        for (const role of ROLES) {
          const allowed = role === "desk" || role === "node";
          expect(canPublish(role, deskReport(desk, actor)), role).toBe(allowed);
          expect(canPublish(role, deskBalance(desk)), role).toBe(allowed);
        }
      }),
    );
  });

  it("permissions - only Traders (and node) may send orders and proposals", () => {
    fc.assert(
      fc.property(tokenArb, tokenArb, (desk, asset) => {
        for (const role of ROLES) {
          const allowed = role === "trader" || role === "node";
          expect(canPublish(role, deskOrder(desk)), role).toBe(allowed);
          expect(canPublish(role, holderProposal(desk, asset)), role).toBe(allowed);
        }
      }),
    );
  });

  it("permissions - the recorder serves history; Traders, Holders and the operator may ask for it", () => {
    const asked = history("binance", "BTC/USDT", "book");
    expect(canSubscribe("recorder", asked)).toBe(true);
    for (const role of ["trader", "holder", "operator", "node"] as const)
      expect(canPublish(role, asked), role).toBe(true);
    for (const role of ["desk", "observer"] as const) {
      expect(canPublish(role, asked), role).toBe(false);
      expect(canSubscribe(role, asked), role).toBe(false);
    }
  });

  it("permissions - the inbox prefix is one subject token named after the user", () => {
    expect(inboxPrefix("trader")).toBe("_INBOX_trader");
    expect(() => inboxPrefix("a.b")).toThrow(/user "a.b"/);
  });
});
