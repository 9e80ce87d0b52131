/**
 * The Recorder's sink into the local column store, the embedded default (no server needed):
 * closed 1-minute candles through CandleSink, written every `flushMs` of the clock and at stop;
 * the tracked markets in the store's folder. The local store keeps candles only, so the other
 * kinds stay on the bus, and seqs start at 1 on each run (nothing to account them against).
 */

import type { OHLCV } from "../../domain/market-data.js";
import type { Clock, TimerHandle } from "../../time/clock.js";
import { CandleSink } from "../candle-sink.js";
import type { CandleStore } from "../candle-store.js";
import { fileMarkets } from "./markets.js";
import type { MarketList, OpenedStream, RecordSink, SinkEmit, StreamId } from "./sink.js";

export class LocalRecordSink implements RecordSink {
  readonly #candles: CandleSink;
  #timer: TimerHandle | undefined;
  readonly markets: MarketList;

  constructor(
    store: CandleStore,
    private readonly o: { recorder: string; clock: Clock; flushMs?: number },
  ) {
    this.#candles = new CandleSink(store);
    this.markets = fileMarkets(store.dir, o.recorder);
  }

  async start(_emit: SinkEmit): Promise<void> {
    const every = this.o.flushMs ?? 10_000;
    const tick = () => {
      this.#candles.flush(this.o.clock.now());
      this.#timer = this.o.clock.setTimeout(tick, every);
    };
    this.#timer = this.o.clock.setTimeout(tick, every);
  }

  async open(_stream: StreamId): Promise<OpenedStream> {
    return { firstSeq: 1 };
  }

  take(stream: StreamId, value: unknown): void {
    // One closed candle a message (the Recorder's candle-1m).
    if (stream.kind === "candles")
      this.#candles.take(stream.source, stream.market, [value as OHLCV]);
  }

  status(): Record<string, unknown> {
    return { store: "local", candlesWritten: this.#candles.written };
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) this.o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#candles.flush(this.o.clock.now());
  }
}
