/**
 * A Holder's Trader slots: one running Trader per pair, at most `maxTraders` at a time. A pair
 * with no free slot — or that comes while the Holder is paused, unless a person asked — waits,
 * first come first served, and takes the next slot that frees (or all wake on `resume`).
 *
 * A Trader that ends, or goes silent (liveness.ts: no heartbeat, proposal or report for
 * `silentMs`), has its mandate revoked and its allocation released first, so a late reply or a
 * late order of it creates nothing; a silent one is then told to stop, if it can hear. Either way
 * a fresh Trader takes the pair after a pause, and will try the better candidates first.
 *
 * Invariants:
 * - A slot holds one incarnation (a successor on the pair has the same Trader id): the end of one
 *   already replaced changes nothing, and `holds` tells whether an incarnation still has its slot.
 * - Nothing is spawned while the Holder is not running.
 */
import type { Bus, Subscription } from "../../bus/bus.js";
import { heartbeat } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { Clock } from "../../time/clock.js";
import type { TraderEnd } from "../trader/types.js";
import { Liveness } from "./liveness.js";

export interface SpawnedTrader {
  id: string;
  /** The Trader's public key: its proposals, reports and orders are signed with it. */
  publicKey: string;
  ended: Promise<TraderEnd>;
  abandon?: (reason: string) => void;
}

/** One Trader this Holder started: an incarnation (a successor on the pair has the same id). */
export interface Spawned {
  readonly market: string;
  readonly id: string;
  readonly publicKey: string;
  readonly abandon?: (reason: string) => void;
  beats?: Subscription;
}

export interface SlotOptions {
  holder: string;
  bus: Bus;
  clock: Clock;
  /** Starts a Trader for a market (the system wires it). */
  spawnTrader: (market: string) => SpawnedTrader;
  /** A Trader took its slot: its key is known from now on, even to a report after its end. */
  spawned?: (t: Spawned) => void;
  /** Revokes a Trader's mandate and frees its allocation; the nonce revoked, if any. */
  release: (trader: string) => string | undefined;
  emit: (event: string, fields: Record<string, unknown>) => void;
  running: () => boolean;
  paused: () => boolean;
  maxTraders: () => number;
  /** Wait before replacing an ended Trader, clock ms. */
  respawnAfterMs: number;
  /** Heartbeat period and the silence after which a Trader is replaced, clock ms; 0 is off. */
  heartbeatMs: number;
  silentMs: number;
}

export class TraderSlots {
  /** The running Trader of each pair. */
  readonly #traders = new Map<string, Spawned>();
  /** Pairs that had no slot (or came while paused), first come first served. */
  readonly #waiting = new Set<string>();
  readonly #liveness: Liveness<Spawned> | undefined;
  #stopWatchingBus: (() => void) | undefined;

  constructor(private readonly o: SlotOptions) {
    if (o.heartbeatMs > 0 && o.silentMs > 0) {
      this.#liveness = new Liveness(o.clock, o.heartbeatMs, o.silentMs, (t, ms) =>
        this.onSilent(t, ms),
      );
    }
  }

  /** The running Trader of each pair. */
  get traders(): ReadonlyMap<string, Spawned> {
    return this.#traders;
  }

  /** Watches for silence; a Holder whose own bus is down counts none (liveness.ts). */
  start(): void {
    const liveness = this.#liveness;
    if (liveness === undefined) return;
    liveness.start();
    this.#stopWatchingBus = this.o.bus.onStatus((status) => {
      if (status.type === "disconnected" || status.type === "reconnecting") liveness.suspend();
      else if (status.type === "reconnected") liveness.resume();
    });
  }

  stop(): void {
    this.#liveness?.stop();
    this.#stopWatchingBus?.();
    for (const t of this.#traders.values()) t.beats?.unsubscribe();
  }

  /** `spawn`: a Trader for `market` now, if it has none and a slot is free (paused or not). */
  spawnNow(market: string): { spawned: string } {
    if (this.#traders.has(market))
      throw new InvalidInputError(
        `${market} already has a Trader: ${this.#traders.get(market)?.id}`,
      );
    if (this.#traders.size >= this.o.maxTraders()) {
      throw new InvalidInputError(
        `${this.#traders.size} Traders already run, the most allocation.maxTraders allows`,
      );
    }
    this.spawn(market, true);
    return { spawned: market };
  }

  /** Starts a Trader for `market` unless one runs, too many run, or (unless asked) paused. */
  spawn(market: string, asked = false): void {
    if (!this.o.running() || this.#traders.has(market)) return;
    if (this.#traders.size >= this.o.maxTraders() || (this.o.paused() && !asked)) {
      this.#waiting.add(market);
      return;
    }
    this.#waiting.delete(market);
    const handle = this.o.spawnTrader(market);
    const t: Spawned = {
      market,
      id: handle.id,
      publicKey: handle.publicKey,
      ...(handle.abandon === undefined ? {} : { abandon: handle.abandon }),
    };
    this.#traders.set(market, t);
    this.o.spawned?.(t);
    if (this.#liveness !== undefined)
      t.beats = this.o.bus.subscribe(heartbeat(t.id), () => this.heardFrom(t.id));
    void handle.ended.then(
      (end) => this.onTraderEnded(t, end),
      (err: unknown) => this.onTraderEnded(t, { kind: "failed", error: String(err) }),
    );
  }

  /** The Holder resumed: the pairs that waited try for a slot. */
  resume(): void {
    for (const market of [...this.#waiting]) this.spawn(market);
  }

  /** The running Trader with this id, if any. */
  current(id: string): Spawned | undefined {
    for (const t of this.#traders.values()) if (t.id === id) return t;
    return undefined;
  }

  /** Whether `t` still has its pair's slot (it was not replaced). */
  holds(t: Spawned): boolean {
    return this.#traders.get(t.market) === t;
  }

  /** A sign of life from Trader `id` (a heartbeat, a proposal, a report). */
  heardFrom(id: string): void {
    const t = this.current(id);
    if (t !== undefined) this.#liveness?.heard(t);
  }

  private onTraderEnded(t: Spawned, end: TraderEnd): void {
    t.beats?.unsubscribe();
    this.#liveness?.forget(t);
    // Replaced already (silent): its end changes nothing.
    if (!this.holds(t)) return;
    this.#traders.delete(t.market);
    this.o.release(t.id);
    if (end.kind === "failed")
      this.o.emit("holder.trader_failed", { trader: t.id, market: t.market, error: end.error });
    this.respawnSoon(t.market);
  }

  /**
   * Nothing heard from a Trader for too long: its mandate is revoked and its allocation released
   * first — whatever it still sends creates nothing — then it is told to stop (if it can hear) and
   * a fresh Trader replaces it.
   */
  private onSilent(t: Spawned, silentForMs: number): void {
    if (!this.holds(t)) return;
    const revoked = this.o.release(t.id);
    this.#traders.delete(t.market);
    t.beats?.unsubscribe();
    const seconds = Math.round(silentForMs / 1000);
    this.o.emit("holder.trader_silent", {
      trader: t.id,
      market: t.market,
      silentMs: silentForMs,
      ...(revoked === undefined ? {} : { revoked }),
    });
    t.abandon?.(`replaced by ${this.o.holder}: nothing heard from it for ${seconds} s`);
    this.respawnSoon(t.market);
  }

  /**
   * A fresh Trader for the pair, after a pause (it will try the better candidates first); a pair
   * that waited for a free slot goes first.
   */
  private respawnSoon(market: string): void {
    if (!this.o.running()) return;
    const next = [...this.#waiting][0] ?? market;
    if (next !== market) this.#waiting.add(market);
    this.o.clock.setTimeout(() => this.spawn(next), this.o.respawnAfterMs);
  }
}
