/**
 * A session on a real exchange (`crypy binance`, …): the Desk on a CcxtVenue (sandbox, live) or a
 * PaperVenue over the exchange's live data (paper), on the wall clock, until stopped or
 * `--exit-after` has passed. The mode is always shown: on stderr when the session starts, and in
 * the dashboard's header.
 */
import type { DeskTemplate, ExchangeSettings } from "../../actors/templates/index.js";
import { WallClock } from "../../time/wall-clock.js";
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
  try {
    const { system, plane } = await sessionSystem(r, template, {
      clock,
      venue: opened.venue,
      rules: opened.rules,
    });
    await system.start();
    const viewing = r.view(`${exchange.id} ${mode.toUpperCase()}`);
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
  }
}
