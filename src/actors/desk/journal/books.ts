/**
 * The Desk's books and its journal entries, both ways: an owned order as the intent that records
 * it and back, the books compacted into one `desk.books` entry (what a snapshot keeps) and back.
 * The order gateway replays through these; the accounting of order states stays its own.
 */
import type { Order } from "../../../domain/order.js";
import { PositionLedger } from "../../../domain/position-ledger.js";
import type { OwnedOrder, OwnedOrders } from "../gateway/owned-orders.js";
import type { MandateBook, MandateRecord } from "../mandate-book.js";
import type { RiskGates } from "../risk-gates.js";
import type { BooksEntry, IntentEntry } from "./entries.js";

/** The intent entry of an owned order, as it reserves now, under its mandate's budget terms. */
export function intentOf(
  owned: OwnedOrder,
  mandate: MandateRecord,
  signed: IntentEntry["signed"],
): IntentEntry {
  return {
    kind: "desk.intent",
    clientOrderId: owned.clientOrderId,
    trader: owned.trader,
    market: owned.market,
    side: owned.side,
    nonce: owned.nonce,
    price: owned.price,
    amount: String(owned.amount),
    budget: String(owned.budget),
    closing: String(owned.closing),
    excess: String(owned.excess),
    ...(owned.reduceOnly === undefined ? {} : { reduceOnly: owned.reduceOnly }),
    ...(owned.leverage === undefined ? {} : { leverage: owned.leverage }),
    ...(owned.marginPrice === undefined ? {} : { marginPrice: owned.marginPrice }),
    mandate: {
      fingerprint: mandate.fingerprint,
      trader: mandate.trader,
      traderKey: mandate.traderKey,
      market: mandate.market,
      max: String(mandate.max),
    },
    signed,
  };
}

/** The owned order an intent records, with what had filled and its last state. */
function ownedOf(intent: IntentEntry, filled: bigint, last: Order | undefined): OwnedOrder {
  return {
    clientOrderId: intent.clientOrderId,
    trader: intent.trader,
    market: intent.market,
    side: intent.side,
    nonce: intent.nonce,
    price: intent.price,
    amount: BigInt(intent.amount),
    filled,
    budget: BigInt(intent.budget),
    closing: BigInt(intent.closing),
    excess: BigInt(intent.excess),
    last,
    done: false,
    ...(intent.reduceOnly === undefined ? {} : { reduceOnly: intent.reduceOnly }),
    ...(intent.leverage === undefined ? {} : { leverage: intent.leverage }),
    ...(intent.marginPrice === undefined ? {} : { marginPrice: intent.marginPrice }),
  };
}

export interface Books {
  orders: OwnedOrders;
  mandates: MandateBook;
  risk: RiskGates;
}

/** The books now, compacted into one entry. */
export function booksOf({ orders, mandates, risk }: Books): BooksEntry {
  const saved = mandates.saved();
  return {
    kind: "desk.books",
    sequences: orders.sequences(),
    budgets: saved.budgets.map((b) => ({ ...b, max: String(b.max), spent: String(b.spent) })),
    signed: saved.signed,
    revoked: saved.revoked,
    risk: risk.saved(),
    positions: orders.positions().map(({ trader, market, position }) => ({
      trader,
      market,
      scales: position.scales,
      saved: position.saved(),
    })),
    open: orders.open().map((o) => {
      const record = mandates.record(o.nonce) ?? {
        nonce: o.nonce,
        fingerprint: "",
        trader: o.trader,
        traderKey: "",
        market: o.market,
        max: 0n,
      };
      return { intent: intentOf(o, record, undefined), filled: String(o.filled), last: o.last };
    }),
  };
}

/** Books as `booksOf` compacted them. */
export function restoreBooks(b: BooksEntry, { orders, mandates, risk }: Books): void {
  for (const [market, seq] of b.sequences) orders.restoreSequence(market, seq);
  for (const budget of b.budgets) {
    mandates.restoreSpent({ ...budget, max: BigInt(budget.max) }, BigInt(budget.spent));
  }
  for (const [key, seq] of b.signed) mandates.observeSigned(key, seq);
  for (const nonce of b.revoked) mandates.revoke(nonce);
  risk.restore(b.risk);
  for (const p of b.positions) {
    orders.restorePosition(p.trader, p.market, PositionLedger.restored(p.scales, p.saved));
  }
  for (const { intent, filled, last } of b.open) {
    orders.restore(ownedOf(intent, BigInt(filled), last));
    if (last !== undefined) orders.firstSight(last);
  }
}

/** An intent from the journal: the order owned again, its budget reserved as when it was sent. */
export function restoreIntent(e: IntentEntry, { orders, mandates }: Books): void {
  if (orders.byClientId(e.clientOrderId) !== undefined) return;
  mandates.restore({
    nonce: e.nonce,
    fingerprint: e.mandate.fingerprint,
    trader: e.mandate.trader,
    traderKey: e.mandate.traderKey,
    market: e.mandate.market,
    max: BigInt(e.mandate.max),
  });
  mandates.reserve(e.nonce, BigInt(e.budget));
  if (e.signed !== undefined) mandates.observeSigned(e.signed.key, e.signed.seq);
  orders.restore(ownedOf(e, 0n, undefined));
}
