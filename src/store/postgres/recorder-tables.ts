/**
 * The rows of migration 3's tables (schema-recorder.ts): a contract market's mark price and its
 * funding rate as the Recorder polls them. Both are facts of their time: the first write of a
 * (venue, market, time) stands and a replay writes nothing.
 */

import { isoTime } from "./copy-text.js";
import type { Decimal, TableSpec } from "./tables.js";

export interface MarkRow {
  venue: string;
  market: string;
  /** Epoch ms. */
  time: number;
  markPrice: Decimal;
  indexPrice?: Decimal | undefined;
  seq?: number | undefined;
}

export interface FundingRow {
  venue: string;
  market: string;
  /** Epoch ms. */
  time: number;
  fundingRate: Decimal;
  /** When the funding is due (epoch ms). */
  fundingTime?: number | undefined;
  markPrice?: Decimal | undefined;
  seq?: number | undefined;
}

export const MARKS: TableSpec<MarkRow> = {
  table: "marks",
  columns: ["venue", "market", "time", "mark_price", "index_price", "seq"],
  key: ["venue", "market", "time"],
  timeOf: (r) => r.time,
  fields: (r) => [
    r.venue,
    r.market,
    isoTime(r.time),
    r.markPrice,
    r.indexPrice ?? null,
    r.seq ?? null,
  ],
  onConflict: "DO NOTHING",
};

export const FUNDING_RATES: TableSpec<FundingRow> = {
  table: "funding_rates",
  columns: ["venue", "market", "time", "funding_rate", "funding_time", "mark_price", "seq"],
  key: ["venue", "market", "time"],
  timeOf: (r) => r.time,
  fields: (r) => [
    r.venue,
    r.market,
    isoTime(r.time),
    r.fundingRate,
    r.fundingTime === undefined ? null : isoTime(r.fundingTime),
    r.markPrice ?? null,
    r.seq ?? null,
  ],
  onConflict: "DO NOTHING",
};
