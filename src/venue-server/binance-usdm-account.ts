/**
 * The simulator's positions, margin settings and futures wallet behind Binance USDⓈ-M's SIGNED
 * account endpoints: /fapi/v1/leverage, /fapi/v1/marginType, /fapi/v1/leverageBracket,
 * /fapi/v1/symbolConfig, /fapi/v2|v3/positionRisk, /fapi/v2|v3/account and /fapi/v2|v3/balance.
 *
 * Rules:
 * - Every value is the simulator's own view (sim/perp/engine.ts: contracts, entry price, mark,
 *   unrealised PnL, liquidation price), put in Binance's fields; money stays exact decimal text.
 * - One wallet: the simulator keeps one balance per asset and account, so the futures wallet of a
 *   settle asset is the account's whole balance of it (free + locked), shared with its spot trades.
 * - Binance's account arithmetic, on the simulator's numbers: margin balance = wallet +
 *   unrealised PnL; initial margin = everything the simulator holds locked in the asset (positions'
 *   margin and open orders' reservations); cross wallet = wallet − isolated positions' margin;
 *   available = cross wallet + cross unrealised PnL − cross positions' margin − open orders'
 *   reservations (= free + cross unrealised PnL).
 * - Positions are one-way (positionSide BOTH); a short's positionAmt and notional are negative.
 *   v3 positionRisk lists open positions only and carries no leverage or margin type (Binance's
 *   v3); v2 lists every contract, with its leverage and marginType.
 * - Leverage above what the bracket allows is refused with -4028 and the simulator's reason; a
 *   margin type change is refused with -4046 when it is already set (ccxt reads that as
 *   MarginModeAlreadySet), -4048 with a position open, -4047 with open orders.
 */
import type { Position } from "../domain/derivatives.js";
import { InvalidOrderError } from "../domain/errors.js";
import { formatDecimal, parseDecimal } from "../domain/fixed.js";
import type { MarketConfig, VenueConfig } from "../sim/config/types.js";
import { formatRate } from "../sim/derivatives/rate.js";
import type { Simulator } from "../sim/simulator.js";
import { BinanceError } from "./binance-error.js";
import { type Query, required } from "./binance-spot.js";
import { type BinanceUsdm, contractId } from "./binance-usdm.js";

/** Binance's names of the margin modes, as /fapi/v1/marginType takes them. */
const MARGIN_TYPES: Readonly<Record<string, "cross" | "isolated">> = {
  CROSSED: "cross",
  ISOLATED: "isolated",
};

export class BinanceUsdmAccount {
  constructor(
    private readonly config: VenueConfig,
    private readonly sim: Simulator,
    private readonly usdm: BinanceUsdm,
  ) {}

  /** POST /fapi/v1/leverage. */
  setLeverage(account: string, q: Query): object {
    const id = required(q, "symbol");
    const m = this.usdm.marketOf(id);
    const text = required(q, "leverage");
    const leverage = Number(text);
    try {
      if (!/^\d{1,4}$/.test(text))
        throw new InvalidOrderError(`leverage ${text} is not a whole number`);
      this.sim.derivatives.setLeverage(account, m.symbol, leverage);
    } catch (err) {
      if (!(err instanceof InvalidOrderError)) throw err;
      throw new BinanceError(400, -4028, `Leverage ${text} is not valid: ${err.message}.`);
    }
    return { leverage, maxNotionalValue: this.maxNotional(m, leverage), symbol: id };
  }

  /** POST /fapi/v1/marginType (ISOLATED or CROSSED). */
  setMarginType(account: string, q: Query): object {
    const m = this.usdm.marketOf(required(q, "symbol"));
    const mode = MARGIN_TYPES[required(q, "marginType").toUpperCase()];
    if (mode === undefined) throw new BinanceError(400, -4044, "The margin type is invalid.");
    const x = this.sim.exchange;
    if (x.positions.setting(account, m.symbol).mode === mode) {
      throw new BinanceError(400, -4046, "No need to change margin type.");
    }
    if ((x.positions.get(account, m.symbol)?.qty ?? 0n) !== 0n) {
      throw new BinanceError(400, -4048, "Margin type cannot be changed if there exists position.");
    }
    if (this.sim.openOrders(account, m.symbol).length > 0) {
      throw new BinanceError(
        400,
        -4047,
        "Margin type cannot be changed if there exists open orders.",
      );
    }
    this.sim.derivatives.setMarginMode(account, m.symbol, mode);
    return { code: 200, msg: "success" };
  }

  /** GET /fapi/v1/leverageBracket: one contract's tiers (an object), or every one's (a list). */
  leverageBracket(q: Query): object {
    const one = (m: MarketConfig) => {
      const spec = m.contract!.spec;
      const money = (u: bigint) => Number(formatDecimal(u, spec.settleDecimals));
      return {
        symbol: contractId(m),
        notionalCoef: 1,
        brackets: spec.brackets.map((b) => ({
          bracket: b.bracket,
          initialLeverage: b.maxLeverage,
          notionalCap: money(b.notionalCap),
          notionalFloor: money(b.notionalFloor),
          maintMarginRatio: Number(formatRate(b.maintMarginRatio)),
          cum: money(b.maintAmount),
        })),
      };
    };
    const id = q.get("symbol");
    return id === null ? this.usdm.markets.map(one) : one(this.usdm.marketOf(id));
  }

  /** GET /fapi/v1/symbolConfig: each contract's margin type and leverage (ccxt's fetchLeverages). */
  symbolConfig(account: string, q: Query): object[] {
    const id = q.get("symbol");
    const markets = id === null ? this.usdm.markets : [this.usdm.marketOf(id)];
    return markets.map((m) => {
      const s = this.sim.exchange.positions.setting(account, m.symbol);
      return {
        symbol: contractId(m),
        marginType: s.mode === "cross" ? "CROSSED" : "ISOLATED",
        isAutoAddMargin: false,
        leverage: s.leverage,
        maxNotionalValue: this.maxNotional(m, s.leverage),
      };
    });
  }

  /** GET /fapi/v3/positionRisk (v3: open positions) and /fapi/v2/positionRisk (v2: every contract). */
  positionRisk(account: string, q: Query, version: 2 | 3): object[] {
    const id = q.get("symbol");
    const markets = id === null ? this.usdm.markets : [this.usdm.marketOf(id)];
    const open = new Map(
      this.sim.derivatives
        .positions(
          account,
          markets.map((m) => m.symbol),
        )
        .map((p) => [p.symbol, p]),
    );
    const now = Math.floor(this.sim.clock.now());
    return markets.flatMap((m): object[] => {
      const p = open.get(m.symbol);
      if (p === undefined && version === 3) return [];
      const risk = p === undefined ? this.flat(m, now) : this.risk(m, p);
      if (version === 3) return [{ ...risk, ...this.v3Margins(m, p) }];
      const s = this.sim.exchange.positions.setting(account, m.symbol);
      return [
        {
          ...risk,
          leverage: String(s.leverage),
          maxNotionalValue: this.maxNotional(m, s.leverage),
          marginType: s.mode,
          isAutoAddMargin: "false",
        },
      ];
    });
  }

  /** GET /fapi/v2|v3/account: the wallet of each settle asset, and the open positions. */
  account(account: string, version: 2 | 3): object {
    const assets = this.assets(account);
    // Binance's totals add its margin assets at their USD value; the simulator has no such
    // price, so they add the assets' amounts, at the finest decimals among them.
    const scale = Math.max(0, ...assets.map((a) => a.decimals));
    const sum = (key: Exclude<keyof AssetState, "asset" | "decimals">) =>
      this.money(
        assets.reduce((total, a) => total + a[key] * 10n ** BigInt(scale - a.decimals), 0n),
        scale,
      );
    const positions = this.sim.derivatives.positions(account).map((p) => {
      const m = this.config.markets[p.symbol]!;
      const risk = this.risk(m, p);
      return {
        symbol: risk.symbol,
        positionSide: "BOTH",
        positionAmt: risk.positionAmt,
        unrealizedProfit: p.unrealizedPnl,
        isolatedMargin: risk.isolatedMargin,
        notional: risk.notional,
        isolatedWallet: risk.isolatedWallet,
        initialMargin: p.initialMargin,
        maintMargin: p.maintenanceMargin,
        updateTime: p.timestamp,
        ...(version === 2
          ? {
              entryPrice: p.entryPrice,
              leverage: String(p.leverage),
              isolated: p.marginMode === "isolated",
            }
          : {}),
      };
    });
    return {
      totalInitialMargin: sum("initialMargin"),
      totalMaintMargin: sum("maintMargin"),
      totalWalletBalance: sum("wallet"),
      totalUnrealizedProfit: sum("unrealized"),
      totalMarginBalance: sum("marginBalance"),
      totalPositionInitialMargin: sum("positionMargin"),
      totalOpenOrderInitialMargin: sum("orderMargin"),
      totalCrossWalletBalance: sum("crossWallet"),
      totalCrossUnPnl: sum("crossUnrealized"),
      availableBalance: sum("available"),
      maxWithdrawAmount: sum("available"),
      ...(version === 2 ? { canTrade: true, canDeposit: false, canWithdraw: false } : {}),
      assets: assets.map((a) => ({
        asset: a.asset,
        walletBalance: this.money(a.wallet, a.decimals),
        unrealizedProfit: this.money(a.unrealized, a.decimals),
        marginBalance: this.money(a.marginBalance, a.decimals),
        maintMargin: this.money(a.maintMargin, a.decimals),
        initialMargin: this.money(a.initialMargin, a.decimals),
        positionInitialMargin: this.money(a.positionMargin, a.decimals),
        openOrderInitialMargin: this.money(a.orderMargin, a.decimals),
        crossWalletBalance: this.money(a.crossWallet, a.decimals),
        crossUnPnl: this.money(a.crossUnrealized, a.decimals),
        availableBalance: this.money(a.available, a.decimals),
        maxWithdrawAmount: this.money(a.available, a.decimals),
        marginAvailable: true,
        updateTime: Math.floor(this.sim.clock.now()),
      })),
      positions,
    };
  }

  /** GET /fapi/v2|v3/balance. */
  balance(account: string): object[] {
    return this.assets(account).map((a) => ({
      accountAlias: account,
      asset: a.asset,
      balance: this.money(a.wallet, a.decimals),
      crossWalletBalance: this.money(a.crossWallet, a.decimals),
      crossUnPnl: this.money(a.crossUnrealized, a.decimals),
      availableBalance: this.money(a.available, a.decimals),
      maxWithdrawAmount: this.money(a.available, a.decimals),
      marginAvailable: true,
      updateTime: Math.floor(this.sim.clock.now()),
    }));
  }

  /** The fields v2 and v3 share, of an open position. */
  private risk(m: MarketConfig, p: Position) {
    const decimals = m.contract!.spec.settleDecimals;
    const sign = p.side === "short" ? "-" : "";
    const isolated = p.marginMode === "isolated";
    const margin = parseDecimal(p.collateral, decimals) + parseDecimal(p.unrealizedPnl, decimals);
    return {
      symbol: contractId(m),
      positionSide: "BOTH",
      positionAmt: `${sign}${p.contracts}`,
      entryPrice: p.entryPrice,
      markPrice: p.markPrice,
      unRealizedProfit: p.unrealizedPnl,
      liquidationPrice: p.liquidationPrice ?? "0",
      // Binance's isolated margin is the position's wallet with its unrealised PnL.
      isolatedMargin: isolated ? this.money(margin, decimals) : "0",
      isolatedWallet: isolated ? p.collateral : "0",
      notional: p.notional === "0" ? "0" : `${sign}${p.notional}`,
      marginAsset: m.contract!.spec.settle,
      updateTime: p.timestamp,
    };
  }

  private flat(m: MarketConfig, now: number) {
    const scale = m.contract!.spec.tick.scale;
    return {
      symbol: contractId(m),
      positionSide: "BOTH",
      positionAmt: "0",
      entryPrice: "0",
      markPrice: formatDecimal(this.sim.derivatives.mark(m.symbol), scale),
      unRealizedProfit: "0",
      liquidationPrice: "0",
      isolatedMargin: "0",
      isolatedWallet: "0",
      notional: "0",
      marginAsset: m.contract!.spec.settle,
      updateTime: now,
    };
  }

  /** v3's margin fields of a position (no open-order margin is attributed to one position). */
  private v3Margins(_m: MarketConfig, p: Position | undefined) {
    return {
      initialMargin: p?.initialMargin ?? "0",
      maintMargin: p?.maintenanceMargin ?? "0",
      positionInitialMargin: p?.initialMargin ?? "0",
      openOrderInitialMargin: "0",
      adl: 0,
      bidNotional: "0",
      askNotional: "0",
    };
  }

  /** The largest notional the brackets allow at `leverage`: the cap of the last that allows it. */
  private maxNotional(m: MarketConfig, leverage: number): string {
    const spec = m.contract!.spec;
    const allowed = spec.brackets.filter((b) => b.maxLeverage >= leverage);
    const cap = allowed[allowed.length - 1]?.notionalCap ?? 0n;
    return formatDecimal(cap, spec.settleDecimals);
  }

  private assets(account: string): AssetState[] {
    return usdmWallets(this.sim, this.config, account);
  }

  private money(units: bigint, decimals: number): string {
    return formatDecimal(units, decimals);
  }
}

export interface AssetState {
  asset: string;
  decimals: number;
  wallet: bigint;
  unrealized: bigint;
  marginBalance: bigint;
  maintMargin: bigint;
  initialMargin: bigint;
  positionMargin: bigint;
  orderMargin: bigint;
  crossWallet: bigint;
  crossUnrealized: bigint;
  available: bigint;
}

/**
 * The futures wallet of each settle asset of the venue's contracts, in minor units, by Binance's
 * arithmetic on the simulator's numbers (the header's rules).
 */
export function usdmWallets(sim: Simulator, config: VenueConfig, account: string): AssetState[] {
  const contracts = Object.values(config.markets).filter((m) => m.contract !== undefined);
  const settles = [...new Set(contracts.map((m) => m.contract!.spec.settle))];
  const positions = sim.derivatives.positions(account);
  const ledger = sim.exchange.ledger;
  return settles.map((asset) => {
    const decimals = config.assets[asset]?.decimals ?? 8;
    const units = (text: string) => parseDecimal(text, decimals);
    const mine = positions.filter((p) => config.markets[p.symbol]?.contract?.spec.settle === asset);
    const total = (ps: Position[], f: (p: Position) => string) =>
      ps.reduce((s, p) => s + units(f(p)), 0n);
    const cross = mine.filter((p) => p.marginMode === "cross");
    const isolated = mine.filter((p) => p.marginMode === "isolated");
    const free = ledger.free(account, asset);
    const locked = ledger.locked(account, asset);
    const wallet = free + locked;
    const unrealized = total(mine, (p) => p.unrealizedPnl);
    const positionMargin = total(mine, (p) => p.collateral);
    const crossUnrealized = total(cross, (p) => p.unrealizedPnl);
    return {
      asset,
      decimals,
      wallet,
      unrealized,
      marginBalance: wallet + unrealized,
      maintMargin: total(mine, (p) => p.maintenanceMargin),
      initialMargin: locked,
      positionMargin,
      orderMargin: locked - positionMargin,
      crossWallet: wallet - total(isolated, (p) => p.collateral),
      crossUnrealized,
      available: free + crossUnrealized,
    };
  });
}
