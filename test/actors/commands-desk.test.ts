/**
 * The Desk's command language over the bus, as an operator uses it: a changed risk limit applies
 * to the next order, pause reduces, cancel takes an open order off the book, and watch/unwatch
 * change what the Desk publishes.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ControlReply } from "../../src/actors/runtime/actor.js";
import { LocalBus } from "../../src/bus/local/local-bus.js";
import { control, marketData } from "../../src/bus/subjects.js";
import { RiskDeniedError } from "../../src/domain/errors.js";
import { asOperator } from "./commands/as-operator.js";
import { quietDesk, refusal, type TestSystem } from "./support.js";

let running: TestSystem | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function quiet() {
  const bus = new LocalBus();
  const { t, sign, order: place } = await quietDesk(bus);
  running = t;
  const mandate = sign();
  const order = (change: Record<string, unknown> = {}) => place(mandate, change);
  // The reply's value when it has one: `{ok, value?, code?, message?, text}`.
  const say = (line: string, role: "operator" | "read" = "operator") =>
    t.settle(
      bus.request<ControlReply & { value?: unknown }>(
        control("sim-main"),
        asOperator("sim-main", { line, role }),
      ),
    );
  return { t, bus, order, say };
}

describe("actors - the Desk's commands", () => {
  it("actors - set risk.maxOrderNotional applies to the next order; a bad value changes nothing", async () => {
    const { order, say } = await quiet();
    expect(await say("set risk.maxOrderNotional -5")).toMatchObject({
      ok: false,
      code: "invalid_input",
      message:
        'risk.maxOrderNotional: expected a positive decimal string like "2500" (quote it: YAML reads an unquoted number as a binary float) (got "-5")',
    });
    expect((await say("get risk.maxOrderNotional")).value).toEqual({
      "risk.maxOrderNotional": "100000",
    });
    expect(await say("set risk.maxOrderNotional 100")).toMatchObject({
      ok: true,
      value: { "risk.maxOrderNotional": "100", was: "100000" },
    });
    const err = await refusal(order());
    expect(err).toBeInstanceOf(RiskDeniedError);
    expect(err).toMatchObject({ code: "risk_denied" });
    expect(err?.message).toMatch(
      /^order notional \d+(\.\d+)? USDT is above the desk's limit of 100 USDT per order$/,
    );
    expect((await say("limits")).value).toMatchObject({ maxOrderNotional: "100" });
  });

  it("actors - pause makes the Desk reduce only; resume trades again", async () => {
    const { t, order, say } = await quiet();
    expect(await say("pause")).toMatchObject({ ok: true, value: { state: "reducing" } });
    const err = await refusal(order());
    expect(err).toBeInstanceOf(RiskDeniedError);
    expect(err).toMatchObject({
      code: "risk_denied",
      message: "sim-main is reducing: only orders that reduce a position are accepted",
    });
    expect(t.system.desk.state).toBe("reducing");
    expect(await say("resume")).toMatchObject({ ok: true, value: { state: "active" } });
    expect((await order()).status).toBe("closed");
  });

  it("actors - cancel takes one open order off the book by its client id; an unknown id is named", async () => {
    const { order, say } = await quiet();
    const resting = await order({ type: "limit", price: "10000", amount: "0.001" });
    const listed = await say("orders", "read");
    expect(listed.text).toContain(resting.clientOrderId);
    expect(await say("cancel nope")).toMatchObject({
      ok: false,
      code: "order_not_found",
      message: "sim-main has no open order nope (see 'orders')",
    });
    expect(await say(`cancel ${resting.clientOrderId}`)).toMatchObject({
      ok: true,
      value: { cancelled: [resting.clientOrderId] },
    });
    expect(await say(`cancel ${resting.clientOrderId}`, "read")).toMatchObject({
      ok: false,
      code: "forbidden",
      message: "'cancel' changes sim-main: it needs the operator role (this session is read-only)",
    });
  });

  it("actors - unwatch stops a market's data and watch brings it back", async () => {
    const { t, bus, say } = await quiet();
    let candles = 0;
    bus.subscribe(marketData("sim-main", "BTC/USDT", "candle-1m"), () => {
      candles++;
    });
    await t.run(() => false, 300_000);
    expect(candles).toBeGreaterThan(0);
    expect(await say("unwatch BTC/USDT")).toMatchObject({ ok: true, value: { watching: [] } });
    await t.run(() => false, 120_000); // a value already asked for may still arrive
    const after = candles;
    await t.run(() => false, 300_000);
    expect(candles).toBe(after);
    expect(await say("watch DOGE/USDT")).toMatchObject({
      ok: false,
      code: "invalid_input",
      message: "watch: DOGE/USDT is not one of BTC/USDT",
    });
    expect((await say("watch BTC/USDT")).ok).toBe(true);
    await t.run(() => false, 300_000);
    expect(candles).toBeGreaterThan(after);
  });
});
