/**
 * A published value as the rows of its table: trades by trade id, candles (1m) as the Recorder
 * publishes them — one closed candle a message, so one row a seq — marks and funding rates by
 * their time, books as snapshots or diffs. Every row carries the seq of the message it came in.
 * Tickers have no table: they stay on the bus.
 *
 * Candles are stored closed, with the bus seq as their version too: the store keeps exactly what
 * subscribers were given, under the numbering the seq leases account for (every published seq is
 * a row or inside a gap), and no second numbering of unpublished versions is needed. Seqs only
 * grow, across restarts too, so a candle recorded again (a later run's correction) replaces the
 * earlier.
 *
 * Book kinds: `book` is a whole book as ccxt pro keeps it (a snapshot whose sequence is the
 * venue's nonce, or the seq where the venue gives none); `book.snapshot` and `book.diff` are a
 * sequenced feed's events ({ sequence, timestamp, bids, asks }; a diff also { first, prev }) for
 * book_snapshots and book_diffs.
 */

import type { FundingRate } from "../../domain/derivatives.js";
import type { BookLevel, OHLCV, PublicTrade } from "../../domain/market-data.js";
import type { FundingRow, MarkRow } from "../postgres/recorder-tables.js";
import type { BookDiffRow, BookRow, CandleRow, TradeRow } from "../postgres/tables.js";

export type RowsOf =
  | { table: "trades"; rows: TradeRow[] }
  | { table: "candles"; rows: CandleRow[] }
  | { table: "marks"; rows: MarkRow[] }
  | { table: "funding_rates"; rows: FundingRow[] }
  | { table: "book_snapshots"; rows: BookRow[] }
  | { table: "book_diffs"; rows: BookDiffRow[] };

export type SinkTable = RowsOf["table"];

/**
 * A sequenced book event (a snapshot or a diff) as a book feed gives it. A diff's `sequence` is
 * its last update id; `first` and `prev` its first and (futures) the previous diff's last.
 */
export interface BookEvent {
  sequence?: number;
  nonce?: number;
  first?: number;
  prev?: number;
  timestamp: number;
  bids: BookLevel[];
  asks: BookLevel[];
}

/** The table each kind goes to; undefined: bus only. */
export function tableOf(kind: string): SinkTable | undefined {
  switch (kind) {
    case "trades":
      return "trades";
    case "candles":
      return "candles";
    case "mark":
      return "marks";
    case "funding":
      return "funding_rates";
    case "book":
    case "book.snapshot":
      return "book_snapshots";
    case "book.diff":
      return "book_diffs";
    default:
      return undefined;
  }
}

export function rowsOf(
  venue: string,
  market: string,
  kind: string,
  value: unknown,
  seq: number,
): RowsOf | undefined {
  switch (tableOf(kind)) {
    case "trades":
      return {
        table: "trades",
        rows: (value as PublicTrade[]).map((t) => ({
          venue,
          market,
          tradeId: t.id,
          time: t.timestamp,
          price: t.price,
          amount: t.amount,
          side: t.side,
          seq,
        })),
      };
    case "candles":
      return {
        table: "candles",
        rows: [candleRow(venue, market, value as OHLCV, seq)],
      };
    case "marks": {
      const r = value as FundingRate;
      return {
        table: "marks",
        rows: [
          {
            venue,
            market,
            time: r.timestamp,
            markPrice: r.markPrice,
            indexPrice: r.indexPrice,
            seq,
          },
        ],
      };
    }
    case "funding_rates": {
      const r = value as FundingRate;
      return {
        table: "funding_rates",
        rows: [
          {
            venue,
            market,
            time: r.timestamp,
            fundingRate: r.fundingRate,
            fundingTime: r.fundingTimestamp,
            markPrice: r.markPrice,
            seq,
          },
        ],
      };
    }
    case "book_snapshots":
    case "book_diffs": {
      const b = value as BookEvent;
      const row: BookRow = {
        venue,
        market,
        sequence: b.sequence ?? b.nonce ?? seq,
        time: b.timestamp,
        bids: b.bids,
        asks: b.asks,
        seq,
      };
      if (kind !== "book.diff") return { table: "book_snapshots", rows: [row] };
      return {
        table: "book_diffs",
        rows: [{ ...row, firstSequence: b.first, prevSequence: b.prev }],
      };
    }
    default:
      return undefined;
  }
}

function candleRow(venue: string, market: string, candle: OHLCV, seq: number): CandleRow {
  const [openTime, open, high, low, close, volume] = candle;
  return {
    venue,
    market,
    timeframe: "1m",
    openTime,
    open,
    high,
    low,
    close,
    volume,
    version: seq,
    seq,
  };
}
