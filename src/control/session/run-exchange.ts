/**
 * A session on a real exchange (`crypy binance`, …): the Desk on a CcxtVenue (sandbox, live) or a
 * PaperVenue over the exchange's live data (paper), on the wall clock, until stopped or
 * `--exit-after` has passed. The Desk journals to `<state>/journal/<desk>/` (paper mode:
 * `<desk>.paper`, so paper orders never mix with an account's real ones), or in sandbox and live
 * mode with `--journal jetstream` to a JetStream stream on the session's NATS server
 * (desk-journal.ts), and at the next start replays it and reconciles with the exchange. In paper
 * mode the paper account's balances and orders are written with each journal entry and restored
 * from it first. The mode is always shown: on stderr when the session starts, and in the
 * dashboard's header. The session keeps the venue address's request-weight budget and serves it on
 * `crypy.budget.<venue>`, so a `crypy record` on the same address spends the same budget.
 */

import type { DeskJournal } from "../../actors/desk/journal/entries.js";
import { withVenueState } from "../../actors/desk/journal/venue-state.js";
import type { DeskTemplate, ExchangeSettings } from "../../actors/templates/index.js";
import { SavedStateError } from "../../sim/saved-state.js";
import { WallClock } from "../../time/wall-clock.js";
import { serveBudget } from "../../venues/budget/index.js";
import { openDeskJournal } from "./desk-journal.js";
import type { RunSystem } from "./exchange-command.js";
import { type OpenedExchange, openExchange, sessionMode } from "./open-exchange.js";
import { openSessionJournal, unresumable } from "./session-journal.js";
import { sessionSystem } from "./session-system.js";

export async function runOnExchange(
  r: RunSystem,
  template: DeskTemplate,
  exchange: ExchangeSettings,
): Promise<void> {
  const mode = sessionMode(template, exchange, r.options.mode);
  const clock = new WallClock();
  const name = mode === "paper" ? `${r.desk}.paper` : r.desk;
  // JetStream keeps a real exchange's Desk journal; paper's account lives in this process and is
  // journaled with the Desk's entries in the file journal (session-journal.ts).
  const jetstream = r.options.journal === "jetstream" && mode !== "paper";
  const streamed = jetstream
    ? await openDeskJournal("jetstream", r.desk, r.options.nats)
    : undefined;
  if (streamed !== undefined)
    process.stderr.write(`crypy: ${r.desk} journals to ${streamed.where}\n`);
  const session = streamed === undefined ? await openSessionJournal(name) : undefined;
  const journal: DeskJournal = streamed?.journal ?? session!.journal;
  const saved = session?.saved;
  let opened: OpenedExchange | undefined;
  let keeper: { unsubscribe(): void } | undefined;
  try {
    opened = await openExchange(template, exchange, {
      account: r.account,
      mode,
      clock,
      resume: mode === "paper" ? saved : undefined,
    }).catch((err: unknown) => {
      throw err instanceof SavedStateError ? unresumable(name, err) : err;
    });
    process.stderr.write(`crypy: ${r.desk} trades ${opened.banner}\n`);
    keeper = serveBudget(r.bus, opened.budget.key, opened.budget.window, clock);
    const { saveState } = opened;
    const { system, plane } = await sessionSystem(r, template, {
      clock,
      venue: opened.venue,
      rules: opened.rules,
      journal: saveState === undefined ? journal : withVenueState(journal, saveState),
    });
    // Watching before the start: the Desk's recovery from its journal is news to the user.
    const viewing = r.view(`${exchange.id} ${mode.toUpperCase()}`);
    await system.start();
    const end =
      r.exitAfterMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + r.exitAfterMs;
    while (!r.isStopping() && clock.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, end - clock.now())));
    }
    // Graceful: Traders exit their positions, actors stop, endpoints close.
    await system.stop();
    await plane.closeAll();
    void viewing;
  } finally {
    keeper?.unsubscribe();
    await opened?.venue.close();
    await (streamed?.close() ?? session?.journal.close());
  }
}
