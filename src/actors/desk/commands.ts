/**
 * The Desk's own commands (on top of every actor's): the kill switch, the markets it watches, its
 * Holders, the open orders and the risk limits. `pause` puts the Desk in REDUCING (only orders
 * that reduce a position pass); `resume` brings it back to ACTIVE from REDUCING or HALTED.
 */

import { InvalidInputError } from "../../domain/errors.js";
import type { Order } from "../../domain/order.js";
import type { Settings } from "../commands/settings.js";
import type { CommandSpec } from "../commands/types.js";
import { deskTemplateSchema } from "../templates/schema.js";
import type { RiskLimits } from "./risk.js";

/** What the commands reach inside the Desk. */
export interface DeskControls {
  halt(reason: string): Promise<{ cancelled: number }>;
  resume(): unknown;
  watching(): readonly string[];
  /** Markets the venue lists (what `watch` may add). */
  venueMarkets(): readonly string[];
  watch(market: string): Promise<unknown>;
  unwatch(market: string): unknown;
  holders(): readonly string[];
  openOrders(): readonly Order[];
  cancel(idOrAll: string, who: string): Promise<unknown>;
  limits(): Readonly<RiskLimits>;
  /** Each mandate's budget: maximum, reserved by open orders, spent by fills, left. */
  mandates(): readonly Record<string, unknown>[];
  /** Trusts a Holder's public key (an operator's registration, kept in the state directory). */
  trust(holder: string, publicKey: string): unknown;
}

export function deskCommands(desk: DeskControls): CommandSpec[] {
  const oneMarket = (verb: string, args: readonly string[], among: readonly string[]) => {
    const [market, ...rest] = args;
    if (market === undefined || rest.length > 0)
      throw new InvalidInputError(`${verb} needs one market, like ${verb} BTC/USDT`);
    if (!among.includes(market)) {
      throw new InvalidInputError(
        `${verb}: ${market} is not one of ${among.join(", ") || "(none)"}`,
      );
    }
    return market;
  };
  return [
    {
      name: "halt",
      usage: "halt",
      summary: "kill switch: cancel every open order and refuse new ones until resume",
      mutating: true,
      run: (_args, caller) => desk.halt(`operator (${caller.who})`),
    },
    {
      name: "resume",
      usage: "resume",
      summary: "trade again after halt or pause",
      mutating: true,
      run: () => desk.resume(),
    },
    {
      name: "markets",
      usage: "markets",
      summary: "the markets this Desk watches",
      run: () => desk.watching(),
    },
    {
      name: "watch",
      usage: "watch <pair>",
      summary: "publish and cache a market's data too",
      mutating: true,
      complete: (i) =>
        i === 0 ? desk.venueMarkets().filter((m) => !desk.watching().includes(m)) : [],
      run: (args) => {
        const market = oneMarket("watch", args, desk.venueMarkets());
        if (desk.watching().includes(market)) return `${market} is already watched`;
        return desk.watch(market);
      },
    },
    {
      name: "unwatch",
      usage: "unwatch <pair>",
      summary: "stop publishing a market's data (its Traders stop getting candles)",
      mutating: true,
      complete: (i) => (i === 0 ? desk.watching() : []),
      run: (args) => desk.unwatch(oneMarket("unwatch", args, desk.watching())),
    },
    {
      name: "holders",
      usage: "holders",
      summary: "the Holders whose mandates this Desk trusts",
      run: () => desk.holders(),
    },
    {
      name: "orders",
      usage: "orders",
      summary: "open orders",
      run: () =>
        desk.openOrders().map((o) => ({
          id: o.id,
          clientOrderId: o.clientOrderId,
          market: o.symbol,
          side: o.side,
          type: o.type,
          amount: o.amount,
          price: o.price,
          filled: o.filled,
          status: o.status,
        })),
    },
    {
      name: "cancel",
      usage: "cancel <id|all>",
      summary: "cancel one open order (venue or client id) or all of them, without halting",
      mutating: true,
      complete: (i) => (i === 0 ? ["all", ...desk.openOrders().map((o) => o.clientOrderId)] : []),
      run: ([id, ...rest], caller) => {
        if (id === undefined || rest.length > 0)
          throw new InvalidInputError("cancel needs an order id, or all");
        return desk.cancel(id, caller.who);
      },
    },
    {
      name: "trust",
      usage: "trust <holder> <publicKey>",
      summary:
        "trust a Holder's key (base64 Ed25519) for its mandates, as an operator; kept for later starts",
      mutating: true,
      run: (args) => {
        const [holder, publicKey, ...rest] = args;
        if (holder === undefined || publicKey === undefined || rest.length > 0)
          throw new InvalidInputError(
            "trust needs a holder id and its public key, like trust sim-main_BTC <key>",
          );
        return desk.trust(holder, publicKey);
      },
    },
    {
      name: "mandates",
      usage: "mandates",
      summary:
        "each mandate's budget: its maximum, what open orders reserve, what fills spent, what is left",
      run: () => desk.mandates(),
    },
    {
      name: "limits",
      usage: "limits",
      summary: "the risk limits every order meets (change one with set risk.<name> <value>)",
      run: () => desk.limits(),
    },
  ];
}

/** `get`/`set` of the risk limits, each checked by its desk template field. */
export function deskSettings(
  risk: { readonly limits: Readonly<RiskLimits>; setLimits(limits: RiskLimits): void },
  changed: (limit: Record<string, unknown>) => void,
): Settings {
  const shape = deskTemplateSchema.shape.risk.shape;
  const limit = (key: keyof RiskLimits) => ({
    schema: shape[key],
    get: () => risk.limits[key],
    set: (value: unknown) => {
      risk.setLimits({ ...risk.limits, [key]: value });
      changed({ [key]: value });
    },
  });
  return {
    "risk.maxOrderNotional": limit("maxOrderNotional"),
    "risk.maxPositionNotional": limit("maxPositionNotional"),
    "risk.maxDailyLoss": limit("maxDailyLoss"),
    "risk.maxOrdersPerSecond": limit("maxOrdersPerSecond"),
    "risk.maxSlippage": limit("maxSlippage"),
    "risk.maxMarginUsage": limit("maxMarginUsage"),
  };
}
