/**
 * A published value as the rows of its table: trades by trade id, candles (1m) with the seq as
 * their version (seqs only grow, across restarts too, so the later version of a candle always
 * replaces the earlier), marks and funding rates by their time, books as snapshots or diffs.
 * Every row carries the seq of the message it came in. Tickers have no table: they stay on the
 * bus.
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
        rows: (value as OHLCV[]).map(([openTime, open, high, low, close, volume]) => ({
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
        })),
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
