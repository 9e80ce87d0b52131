/**
 * A venue that lives in this process — the simulator of `crypy sim`, paper mode's account — dies
 * with it, so its state goes into the Desk's journal: every Desk entry is written in one durable
 * step together with a `desk.venue` entry holding the venue's state at that instant, and a
 * snapshot of the books carries one too. At restart the session loads the last one into a fresh
 * venue before the Desk replays and reconciles, so reconcile meets the venue as it was when the
 * journal's last entry became durable.
 *
 * Why the two cannot disagree after a crash, wherever it lands (the crashPoint names):
 * - The venue's state is taken when the Desk's entry is appended, and a Desk entry records what
 *   the venue did before it (an ack, fill or cancel is taken in after the venue made it). So the
 *   last durable venue state holds everything the journal says happened: the venue restored is
 *   never behind the journal. It may be ahead (the venue had filled an order the Desk had not yet
 *   taken in); reconcile then finds the fill by client id, as on a real exchange.
 * - desk.intent.before, desk.intent.durable: the order was never sent. The venue restored is from
 *   an earlier entry, the lookup by client id finds nothing, the intent is lost and its
 *   reservation released.
 * - desk.order.answered, desk.state.taken, desk.fill.partial: the venue placed, filled or
 *   cancelled the order, and the Desk's entry for that is not durable. The venue restored is from
 *   the last durable entry, before that change, with the balances of then. An order placed after
 *   it is "not found": lost, on both sides alike. An order filled after it is open again at the
 *   state the journal has, and a replayed simulated market may fill it again.
 * - desk.state.durable: the entry and the venue's state after the change are durable together.
 * - desk.halt.before-cancel, desk.halt.cancelled: cancels whose entries are not durable are
 *   undone with them: the orders are open at the venue as in the journal, and the Desk starts
 *   halted.
 * - journal.write.unsynced: both entries are one frame (appendAll): both survive or neither.
 * - desk.recover.replayed, desk.recover.looked-up: the next run loads the same last venue state
 *   and reconciles again; what the first recovery journaled carries the same venue state.
 *
 * Without `appendAll` (a journal that lacks it), the venue's entry is appended first and the
 * Desk's right after, in order: if only the first survives, the venue is ahead, which reconcile
 * handles. For the same reason the venue's state is taken before the Desk's entry is applied to
 * the set of orders it keeps (below): a terminal state that does not survive must not have
 * dropped its order from the venue's saved state.
 *
 * Ended orders: the venue keeps, besides every open order, the ended ones the journal still has
 * open (intents with no terminal state or loss after them), so each order a restart looks up is
 * found with how it ended, and the saved state stays as small as the open books.
 */
import type { DeskEntry, DeskJournal, VenueEntry } from "./entries.js";

/** The venue's state now, keeping the ended orders whose client ids `keep` names. */
export type SaveVenue = (keep: ReadonlySet<string>) => unknown;

export interface VenueStateJournal extends DeskJournal {
  /** Journals the venue's state alone (a quiet stretch with no Desk entry). */
  checkpoint(): Promise<void>;
  /**
   * Resolves once every write begun so far has settled: a simulation on a virtual clock waits
   * for it before moving time on, so a disk's latency is not simulated minutes.
   */
  idle(): Promise<void>;
}

const TERMINAL = new Set(["closed", "canceled", "expired", "rejected"]);

/** The state in the last `desk.venue` entry, if there is one. */
export function lastVenueState(entries: readonly DeskEntry[]): unknown {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (entry.kind === "desk.venue") return entry.state;
  }
  return undefined;
}

/** `journal`, with the venue's state written in the same durable step as each entry. */
export function withVenueState(journal: DeskJournal, save: SaveVenue): VenueStateJournal {
  const open = new Set<string>();
  for (const entry of journal.recovered) follow(open, entry);
  const venue = (keep: ReadonlySet<string>): VenueEntry => ({
    kind: "desk.venue",
    state: save(keep),
  });
  const appendAll = (entries: DeskEntry[]): Promise<void> =>
    journal.appendAll !== undefined
      ? journal.appendAll(entries)
      : // Called in order in one turn: a journal writes them in that order.
        Promise.all(entries.map((e) => journal.append(e))).then(() => undefined);
  const snapshot = journal.snapshot?.bind(journal);
  const writing = new Set<Promise<void>>();
  const track = (write: Promise<void>): Promise<void> => {
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    writing.add(settled);
    void settled.then(() => writing.delete(settled));
    return write;
  };
  return {
    recovered: journal.recovered,
    append: (entry) => {
      const state = venue(open);
      follow(open, entry);
      return track(appendAll([state, entry]));
    },
    checkpoint: () => track(journal.append(venue(open))),
    idle: async () => {
      while (writing.size > 0) await Promise.all(writing);
    },
    ...(snapshot === undefined
      ? {}
      : {
          snapshot: (entries: DeskEntry[]) => {
            const keep = new Set(open);
            for (const e of entries) follow(keep, e);
            const state = venue(new Set([...open, ...keep]));
            open.clear();
            for (const id of keep) open.add(id);
            return track(snapshot([...entries, state]));
          },
        }),
  };
}

/** The client ids a replay of the journal leaves open, after `entry`. */
function follow(open: Set<string>, entry: DeskEntry): void {
  switch (entry.kind) {
    case "desk.books":
      open.clear();
      for (const o of entry.open) open.add(o.intent.clientOrderId);
      return;
    case "desk.intent":
      open.add(entry.clientOrderId);
      return;
    case "desk.order":
      if (TERMINAL.has(entry.order.status)) open.delete(entry.order.clientOrderId);
      return;
    case "desk.lost":
      open.delete(entry.clientOrderId);
      return;
    default:
      return;
  }
}
