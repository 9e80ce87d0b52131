/**
 * The history responder: answers `crypy.history.<venue>.<market>.<kind>` requests from a store.
 *
 * Rules:
 * - Request `{ from, to, limit?, cursor? }` (request.ts), range [from, to).
 * - Replies: `{ venue, market, kind, candles: OHLCV[] }` for candle-<tf> (open times in range),
 *   `{ …, trades: Trade[] }` for trade (ccxt's trade shape, decimals as text, (time, id) order),
 *   `{ …, events: [{ snapshot }, { diff }…, { gap }…] }` for book: the book at `from` as a
 *   snapshot, then its diffs in sequence order up to `to`, a gap told where updates were lost and
 *   the next stored snapshot after it (store/postgres/read-book.ts).
 * - A reply holds at most `limit` items and stays under three quarters of the bus's payload limit;
 *   when the range goes on past it, `next` is the request that reads on (send it as it is). A book
 *   page never ends on a gap: the snapshot after it comes in the same reply.
 * - Bad subjects, ranges or fields, and kinds the store does not hold, are error replies
 *   `{ code, message }` naming what was wrong; the responder carries on.
 */
import type { Bus, Subscription } from "../../bus/bus.js";
import { allHistory } from "../../bus/subjects.js";
import { InvalidInputError } from "../../domain/errors.js";
import { marketFromToken } from "../../domain/market.js";
import type { OHLCV } from "../../domain/market-data.js";
import { parseTimeframe } from "../../domain/timeframe.js";
import { type BookEventWire, bookEventWire } from "../../store/postgres/read-book.js";
import type { StoredTrade } from "../../store/postgres/read-trades.js";
import { type HistoryRequest, parseHistoryRequest } from "./request.js";
import type { HistorySource } from "./sources.js";

export interface HistoryReply {
  venue: string;
  market: string;
  kind: string;
  candles?: OHLCV[];
  trades?: StoredTrade[];
  events?: BookEventWire[];
  /** The request that reads on, when the range goes on past this reply. */
  next?: { from: number; to: number; limit: number; cursor?: string };
}

interface Target {
  venue: string;
  market: string;
  kind: string;
}

function target(subject: string): Target {
  const [, , venue, marketTok, kind, ...rest] = subject.split(".");
  if (venue === undefined || marketTok === undefined || kind === undefined || rest.length > 0)
    throw new InvalidInputError(
      `history subject ${JSON.stringify(subject)}: expected crypy.history.<venue>.<market>.<kind>`,
    );
  return { venue, market: marketFromToken(marketTok).symbol, kind };
}

const size = (value: unknown) => JSON.stringify(value).length;

/** How many of `items` fit in `budget` bytes of JSON (at least one). */
function fitting(items: readonly unknown[], budget: number): number {
  let bytes = 0;
  for (let i = 0; i < items.length; i++) {
    bytes += size(items[i]) + 1;
    if (bytes > budget) return Math.max(1, i);
  }
  return items.length;
}

async function candles(
  source: HistorySource,
  t: Target,
  req: HistoryRequest,
  budget: number,
): Promise<HistoryReply> {
  const timeframe = t.kind.slice("candle-".length);
  const interval = parseTimeframe(timeframe);
  // Candles sit on their grid: `limit` intervals hold at most `limit` of them.
  const end = Math.min(req.to, req.from + req.limit * interval);
  const rows = await source.candles({ ...t, timeframe, from: req.from, to: end });
  const kept = rows.slice(0, fitting(rows, budget));
  const last = kept.at(-1);
  const nextFrom = kept.length < rows.length && last !== undefined ? last[0] + interval : end;
  return {
    ...t,
    candles: kept,
    ...(nextFrom < req.to ? { next: { from: nextFrom, to: req.to, limit: req.limit } } : {}),
  };
}

async function trades(
  source: HistorySource,
  t: Target,
  req: HistoryRequest,
  budget: number,
): Promise<HistoryReply> {
  const rows = await source.trades({
    venue: t.venue,
    market: t.market,
    from: req.from,
    to: req.to,
    limit: req.limit + 1,
    ...(req.cursor === undefined ? {} : { after: { time: req.from, id: req.cursor } }),
  });
  const kept = rows.slice(0, Math.min(req.limit, fitting(rows, budget)));
  const last = kept.at(-1);
  const more = kept.length < rows.length && last !== undefined;
  return {
    ...t,
    trades: kept,
    ...(more
      ? { next: { from: last.timestamp, to: req.to, limit: req.limit, cursor: last.id } }
      : {}),
  };
}

async function book(
  source: HistorySource,
  t: Target,
  req: HistoryRequest,
  budget: number,
): Promise<HistoryReply> {
  let resume: { sequence: number; time: number } | undefined;
  if (req.cursor !== undefined) {
    const sequence = Number(req.cursor);
    if (!Number.isSafeInteger(sequence))
      throw new InvalidInputError(
        `history request: cursor ${JSON.stringify(req.cursor)} is not a book's update id`,
      );
    resume = { sequence, time: req.from };
  }
  const events: BookEventWire[] = [];
  let bytes = 0;
  let next: { sequence: number; time: number } | undefined;
  let previous: { sequence: number; time: number; gap: boolean } | undefined;
  const read = source.book({
    venue: t.venue,
    market: t.market,
    from: req.from,
    to: req.to - 1,
    ...(resume === undefined ? {} : { resume }),
  });
  for await (const event of read) {
    const wire = bookEventWire(event);
    const bytesOf = size(wire) + 1;
    const full = events.length >= req.limit || (events.length > 0 && bytes + bytesOf > budget);
    if (full && previous !== undefined && !previous.gap) {
      next = previous;
      break;
    }
    events.push(wire);
    bytes += bytesOf;
    previous =
      event.kind === "snapshot"
        ? { sequence: event.sequence, time: event.time, gap: false }
        : event.kind === "diff"
          ? { sequence: event.last, time: event.time, gap: false }
          : { sequence: event.after, time: event.time, gap: true };
  }
  return {
    ...t,
    events,
    ...(next === undefined
      ? {}
      : {
          next: {
            from: next.time,
            to: req.to,
            limit: req.limit,
            cursor: String(next.sequence),
          },
        }),
  };
}

/**
 * Serves every history subject from `source` until the subscription ends.
 *
 * @example
 * const sub = serveHistory(bus, await openHistorySource("postgres://127.0.0.1/crypy"));
 * // elsewhere: nats req crypy.history.binance.BTC-USDT.trade '{"from":"2024-01-01T00:00:00Z","to":"2024-01-02T00:00:00Z"}'
 */
export function serveHistory(bus: Bus, source: HistorySource): Subscription {
  const budget = Math.floor((bus.maxPayload * 3) / 4);
  return bus.serve(allHistory(), async (data, info) => {
    const t = target(info.subject);
    const req = parseHistoryRequest(data);
    if (t.kind === "trade") return trades(source, t, req, budget);
    if (t.kind === "book") return book(source, t, req, budget);
    if (t.kind.startsWith("candle-")) return candles(source, t, req, budget);
    throw new InvalidInputError(
      `history kind ${JSON.stringify(t.kind)} is not served: expected trade, book or candle-<timeframe>`,
    );
  });
}
