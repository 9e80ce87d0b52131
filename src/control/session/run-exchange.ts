/**
 * A session on a real exchange (`crypy binance`, …): the Desk on a CcxtVenue (sandbox, live) or a
 * PaperVenue over the exchange's live data (paper), on the wall clock, until stopped or
 * `--exit-after` has passed. In live and sandbox mode the Desk journals to
 * `<state>/journal/<desk>/`, or with `--journal jetstream` to a JetStream stream on the session's
 * NATS server (desk-journal.ts), and at the next start replays it and reconciles with the exchange.
 * The mode is always shown: on stderr when the session starts, and in the dashboard's header.
 */

import type { DeskTemplate, ExchangeSettings } from "../../actors/templates/index.js";
import { WallClock } from "../../time/wall-clock.js";
import { openDeskJournal } from "./desk-journal.js";
import type { RunSystem } from "./exchange-command.js";
import { openExchange, sessionMode } from "./open-exchange.js";
import { sessionSystem } from "./session-system.js";

export async function runOnExchange(
  r: RunSystem,
  template: DeskTemplate,
  exchange: ExchangeSettings,
): Promise<void> {
  const mode = sessionMode(template, exchange, r.options.mode);
  const clock = new WallClock();
  const opened = await openExchange(template, exchange, { account: r.account, mode, clock });
  process.stderr.write(`crypy: ${r.desk} trades ${opened.banner}\n`);
  // Paper balances live in this process only: a journal would replay orders they no longer hold.
  const kind = r.options.journal ?? "file";
  const journaled =
    mode === "paper" ? undefined : await openDeskJournal(kind, r.desk, r.options.nats);
  const journal = journaled?.journal;
  if (journaled !== undefined && kind !== "file") {
    process.stderr.write(`crypy: ${r.desk} journals to ${journaled.where}\n`);
  }
  if (journaled !== undefined && journaled.cutBytes > 0) {
    process.stderr.write(
      `crypy: ${r.desk}'s journal ended in a torn write (${journaled.cutBytes} bytes, never acknowledged): cut\n`,
    );
  }
  try {
    const { system, plane } = await sessionSystem(r, template, {
      clock,
      venue: opened.venue,
      rules: opened.rules,
      ...(journal === undefined ? {} : { journal }),
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
    await opened.venue.close();
    await journaled?.close();
  }
}
