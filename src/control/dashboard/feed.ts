/**
 * The dashboard's data, from the bus alone — so the same dashboard watches a Desk in this process
 * (LocalBus) or in another (NATS): market data as it is published, actor events as they happen,
 * and every second the `status` of the Desk, its Holders and their Traders, and the open orders.
 * Money, amounts and ticker prices stay the decimal strings they arrived as (checked here, at the
 * edge: anything else becomes undefined, shown as missing); nothing of them goes through Number.
 * Every other text from the bus (ids, states, event lines) is made inert for a terminal here too.
 * Commands typed on the dashboard go out signed by this machine's operator (busChannel).
 */
import type { ActorEvent, ControlReply } from "../../actors/runtime/actor.js";
import type { Bus, Subscription } from "../../bus/bus.js";
import { allActorEvents, control, deskCache, marketData } from "../../bus/subjects.js";
import type { OHLCV, Ticker } from "../../domain/market-data.js";
import { terminalLine } from "../../domain/terminal-text.js";
import { busChannel } from "../client/bus-channel.js";
import { investRepl, tradeRepl } from "../repl/cores.js";
import { decimalText, differenceText } from "./decimal-text.js";
import { formatEventLine } from "./event-line.js";
import type {
  DashboardFeed,
  DashboardSnapshot,
  HolderRow,
  MarketRow,
  OrderRow,
  TraderRow,
} from "./types.js";

const CLOSES = 240;
const EVENTS = 200;
const POLL_MS = 1_000;

export interface BusFeedOptions {
  bus: Bus;
  desk: string;
  venue: string;
  /** Markets shown, in this order (the user's watch list). */
  markets: readonly string[];
  /** Real ms between status polls. */
  pollMs?: number;
}

export class BusDashboardFeed implements DashboardFeed {
  private readonly subscriptions: Subscription[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly markets = new Map<string, MarketRow>();
  private readonly events: string[] = [];
  private desk: DashboardSnapshot["desk"];
  private holders: HolderRow[] = [];
  private traders: TraderRow[] = [];
  private orders: OrderRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly options: BusFeedOptions) {
    this.desk = {
      id: options.desk,
      venue: options.venue,
      state: "connecting",
      equity: undefined,
      pnl: undefined,
      quote: "",
    };
    for (const market of options.markets) {
      this.markets.set(market, {
        market,
        last: undefined,
        changePct: undefined,
        spread: undefined,
        volume: undefined,
        closes: [],
      });
    }
  }

  /** Subscribes and starts polling; seeds each chart from the Desk's candle cache. */
  start(): this {
    const { bus, desk } = this.options;
    this.subscriptions.push(
      bus.subscribe<ActorEvent>(allActorEvents(), (e) => {
        this.events.push(formatEventLine(e));
        if (this.events.length > EVENTS) this.events.splice(0, this.events.length - EVENTS);
        this.changed();
      }),
    );
    for (const market of this.markets.keys()) {
      this.subscriptions.push(
        bus.subscribe<{ ticker?: Ticker }>(marketData(desk, market, "ticker"), (m) =>
          this.onTicker(market, m?.ticker),
        ),
        bus.subscribe<{ candle?: OHLCV }>(marketData(desk, market, "candle-1m"), (m) =>
          this.onCandle(market, m?.candle),
        ),
      );
      void bus
        .request<OHLCV[]>(deskCache(desk), { op: "candles", market, limit: CLOSES })
        .then((rows) => {
          const row = this.markets.get(market);
          if (row === undefined || !Array.isArray(rows)) return;
          row.closes = [...rows.map((r) => r[4]), ...row.closes].slice(-CLOSES);
          this.changed();
        })
        .catch(() => {});
    }
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? POLL_MS);
    return this;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.listeners.clear();
  }

  snapshot(): DashboardSnapshot {
    return {
      desk: { ...this.desk },
      markets: [...this.markets.values()].map((m) => ({ ...m })),
      holders: this.holders,
      traders: this.traders,
      orders: this.orders,
      events: [...this.events],
    };
  }

  onChange(changed: () => void): () => void {
    this.listeners.add(changed);
    return () => this.listeners.delete(changed);
  }

  async deskCommand(line: string): Promise<string> {
    try {
      return (await busChannel(this.options.bus, this.options.desk, { who: "dashboard" }).run(line))
        .text;
    } catch (err) {
      return `unreachable: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  investRepl(asset?: string) {
    const chosen = asset ?? this.holders[0]?.asset ?? this.desk.quote;
    return investRepl(this.options.desk, chosen, this.opener);
  }

  tradeRepl(market: string) {
    return tradeRepl(this.options.desk, market, this.opener);
  }

  private readonly opener = (actor: string) =>
    busChannel(this.options.bus, actor, { who: "dashboard" });

  private onTicker(market: string, t: Ticker | undefined): void {
    const row = this.markets.get(market);
    if (row === undefined || t === undefined || t === null) return;
    row.last = decimalText(t.last) ?? row.last;
    row.spread = differenceText(t.ask, t.bid) ?? row.spread;
    row.volume = decimalText(t.baseVolume) ?? row.volume;
    row.changePct = typeof t.percentage === "number" ? t.percentage : row.changePct;
    this.changed();
  }

  private onCandle(market: string, candle: OHLCV | undefined): void {
    const row = this.markets.get(market);
    if (row === undefined || !Array.isArray(candle)) return;
    row.closes = [...row.closes, candle[4]].slice(-CLOSES);
    this.changed();
  }

  private async status(actor: string): Promise<Record<string, unknown> | undefined> {
    try {
      const reply = await this.options.bus.request<ControlReply>(
        control(actor),
        { line: "status", role: "read", who: "dashboard" },
        { timeoutMs: 2_000 },
      );
      return reply.ok ? (reply.value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { desk } = this.options;
      const d = await this.status(desk);
      if (d === undefined) {
        this.desk = { ...this.desk, state: "unreachable" };
        return;
      }
      this.desk = {
        ...this.desk,
        state: shown(d.state),
        equity: decimalText(d.equity),
        pnl: decimalText(d.pnl),
        quote: typeof d.quote === "string" ? terminalLine(d.quote) : this.desk.quote,
      };
      const holderIds = Array.isArray(d.holders) ? d.holders.map(String) : [];
      const holders: HolderRow[] = [];
      const traderIds: string[] = [];
      for (const id of holderIds) {
        const h = await this.status(id);
        if (h === undefined) continue;
        const traders =
          typeof h.traders === "object" && h.traders !== null
            ? Object.values(h.traders as Record<string, string>)
            : [];
        traderIds.push(...traders);
        holders.push({
          id: terminalLine(id),
          asset: shown(h.asset ?? id.slice(id.lastIndexOf("_") + 1)),
          free: decimalText(h.free),
          allocated: decimalText(h.allocated),
          traders: traders.length,
          state: shown(h.state),
        });
      }
      const traders: TraderRow[] = [];
      for (const id of traderIds) {
        const t = await this.status(id);
        if (t === undefined) continue;
        traders.push({
          id: terminalLine(id),
          market: shown(t.market ?? ""),
          strategy: typeof t.strategy === "string" ? terminalLine(t.strategy) : undefined,
          state: `${shown(t.state)}${t.paused === true ? " (paused)" : ""}`,
          pnl: decimalText(t.pnl),
        });
      }
      const orders = await this.options.bus
        .request<ControlReply>(
          control(desk),
          { line: "orders", role: "read" },
          { timeoutMs: 2_000 },
        )
        .then((r) => (r.ok && Array.isArray(r.value) ? r.value.map(orderRow) : []))
        .catch(() => this.orders);
      this.holders = holders;
      this.traders = traders;
      this.orders = orders;
    } finally {
      this.polling = false;
      this.changed();
    }
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A view's failure is the view's; the feed carries on.
      }
    }
  }
}

/** A text from the bus as the screen may show it. */
function shown(value: unknown): string {
  return terminalLine(String(value));
}

/** One row of the Desk's `orders` answer; untrusted, so each field is checked. */
function orderRow(value: unknown): OrderRow {
  const o = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === "string" ? terminalLine(v) : "");
  return {
    id: text(o.id),
    market: text(o.market),
    side: text(o.side),
    type: text(o.type),
    amount: decimalText(o.amount),
    // Absent for a market order. Present but not a string, it must not read as "market": ""
    // is not decimal text, so the table shows it as missing.
    price: o.price === undefined || o.price === null ? undefined : text(o.price),
    filled: decimalText(o.filled),
    status: text(o.status),
  };
}
