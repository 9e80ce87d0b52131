/**
 * The USDⓈ-M user data stream's reports (Binance's "Event: Order Update" and "Event: Balance and
 * Position Update"): one ORDER_TRADE_UPDATE per execution of a contract order (NEW, TRADE,
 * CANCELED, EXPIRED), and an ACCOUNT_UPDATE after an event that moved the account's money.
 *
 * Rules:
 * - Only contract orders are reported here (spot's are spot's stream's), one-way (`ps` BOTH).
 * - An ACCOUNT_UPDATE lists each settle asset whose wallet changed since the last one reported
 *   (`wb` wallet, `cw` cross wallet, binance-usdm-account.ts's arithmetic) and the positions of
 *   the contracts whose orders changed in the event or that were liquidated in it, a closed one
 *   with amount 0. Its reason `m`, from what moved the money: ORDER when one of the account's
 *   orders changed (any market: the wallet is shared with spot) or the liquidation engine took a
 *   position over (Binance liquidates by an order of its own); DEPOSIT or WITHDRAW for one booked
 *   now; FUNDING_FEE otherwise (the contract path's other money movement is funding).
 * - The average price `ap` is the order's, as it stands after the whole event.
 */

import { formatDecimal } from "../../domain/fixed.js";
import type { Order } from "../../domain/order.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { Simulator } from "../../sim/simulator.js";
import { STP_MODES, tradeId } from "../binance-spot.js";
import { contractId } from "../binance-usdm.js";
import { type AssetState, usdmWallets } from "../binance-usdm-account.js";
import type { UserPayloads } from "./user-events.js";
import type { Execution } from "./user-payloads.js";

export class FuturesPayloads implements UserPayloads {
  /** The wallet (wb) last reported, per account and asset. */
  private readonly reported = new Map<string, string>();

  constructor(
    private readonly sim: Simulator,
    private readonly config: VenueConfig,
  ) {}

  covers(symbol: string): boolean {
    return this.config.markets[symbol]?.contract !== undefined;
  }

  execution(time: number, order: Order, e: Execution): object {
    const fill = e.fill;
    const type = order.type === "market" ? "MARKET" : "LIMIT";
    return {
      e: "ORDER_TRADE_UPDATE",
      E: Math.floor(time),
      T: Math.floor(fill?.timestamp ?? time),
      o: {
        s: contractId(this.config.markets[order.symbol]!),
        c: order.clientOrderId,
        S: order.side.toUpperCase(),
        o: type,
        f: order.postOnly || order.timeInForce === "PO" ? "GTX" : order.timeInForce,
        q: order.amount,
        p: order.price ?? "0",
        ap: order.average ?? "0",
        sp: "0",
        x: e.type,
        X: e.status,
        i: Number(order.id),
        l: fill?.amount ?? "0",
        z: e.filled,
        L: fill?.price ?? "0",
        ...(fill === undefined ? {} : { N: fill.fee.currency, n: fill.fee.cost }),
        T: Math.floor(fill?.timestamp ?? time),
        t: fill === undefined ? 0 : tradeId(fill.id),
        b: "0",
        a: "0",
        m: fill?.takerOrMaker === "maker",
        R: order.reduceOnly,
        wt: "CONTRACT_PRICE",
        ot: type,
        ps: "BOTH",
        cp: false,
        pP: false,
        si: 0,
        ss: 0,
        V: STP_MODES[this.config.selfTradePrevention],
        pm: "NONE",
        gtd: 0,
      },
    };
  }

  reset(): void {
    this.reported.clear();
    for (const account of Object.keys(this.config.accounts)) {
      for (const w of usdmWallets(this.sim, this.config, account)) {
        this.reported.set(`${account}\u0000${w.asset}`, this.money(w, w.wallet));
      }
    }
  }

  account(
    account: string,
    time: number,
    traded: ReadonlySet<string>,
    orders: boolean,
  ): object | undefined {
    const liquidated = this.sim.derivatives.liquidations
      .filter((l) => l.account === account && l.time === time)
      .map((l) => l.symbol);
    const symbols = new Set([...traded, ...liquidated]);
    const changed = usdmWallets(this.sim, this.config, account).filter((w) => {
      const key = `${account}\u0000${w.asset}`;
      const wb = this.money(w, w.wallet);
      if (this.reported.get(key) === wb) return false;
      this.reported.set(key, wb);
      return true;
    });
    if (changed.length === 0 && symbols.size === 0) return undefined;
    const open = new Map(this.sim.derivatives.positions(account).map((p) => [p.symbol, p]));
    const t = Math.floor(time);
    return {
      e: "ACCOUNT_UPDATE",
      E: t,
      T: t,
      a: {
        m: this.reason(account, time, orders || liquidated.length > 0),
        B: changed.map((w) => ({
          a: w.asset,
          wb: this.money(w, w.wallet),
          cw: this.money(w, w.crossWallet),
          bc: "0",
        })),
        P: [...symbols].map((symbol) => {
          const p = open.get(symbol);
          const s = contractId(this.config.markets[symbol]!);
          if (p === undefined) {
            const setting = this.sim.exchange.positions.setting(account, symbol);
            return { s, pa: "0", ep: "0", cr: "0", up: "0", mt: setting.mode, iw: "0", ps: "BOTH" };
          }
          return {
            s,
            pa: p.side === "short" ? `-${p.contracts}` : p.contracts,
            ep: p.entryPrice,
            cr: p.realizedPnl,
            up: p.unrealizedPnl,
            mt: p.marginMode,
            iw: p.marginMode === "isolated" ? p.collateral : "0",
            ps: "BOTH",
          };
        }),
      },
    };
  }

  private reason(account: string, time: number, ordered: boolean): string {
    if (ordered) return "ORDER";
    const booked = this.sim.ledger(account, time).filter((e) => e.timestamp === time);
    const entry = booked[booked.length - 1];
    if (entry !== undefined) return entry.amount.startsWith("-") ? "WITHDRAW" : "DEPOSIT";
    return "FUNDING_FEE";
  }

  private money(w: AssetState, units: bigint): string {
    return formatDecimal(units, w.decimals);
  }
}
