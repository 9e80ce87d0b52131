/**
 * The system a session runs, on whichever venue: the control plane giving every actor its telnet
 * endpoint, and the Desk with its Holders and Traders as the templates describe them, with
 * identities from the state directory.
 */

import type { DeskJournal } from "../../actors/desk/journal/entries.js";
import { plansFromTemplates } from "../../actors/from-templates.js";
import { KeyRing } from "../../actors/identity/key-ring.js";
import { FileActorStore } from "../../actors/runtime/actor-store.js";
import { CrypySystem } from "../../actors/system.js";
import type { DeskTemplate } from "../../actors/templates/index.js";
import type { VenueConfig } from "../../sim/config/types.js";
import type { Clock } from "../../time/clock.js";
import type { Venue } from "../../venues/venue.js";
import { assertPortFree } from "../endpoint/port.js";
import { ControlPlane } from "../plane.js";
import { ensurePrivateDir, stateDir } from "../registry/state-dir.js";
import type { RunSystem } from "./exchange-command.js";

export interface SessionSystem {
  system: CrypySystem;
  plane: ControlPlane;
}

/** `rules`: a real exchange's (venue-rules.ts); a simulated Desk's come from its venue file. */
export async function sessionSystem(
  r: RunSystem,
  template: DeskTemplate,
  on: { clock: Clock; venue: Venue; rules?: VenueConfig; journal?: DeskJournal },
): Promise<SessionSystem> {
  const { venue: venueConfig, holderPlan } = await plansFromTemplates(
    r.deskFile,
    on.clock,
    on.rules,
  );
  if (r.options.controlPort !== undefined)
    await assertPortFree(r.options.controlHost ?? "127.0.0.1", r.options.controlPort);
  const plane = new ControlPlane({
    ...(r.options.controlHost === undefined ? {} : { host: r.options.controlHost }),
    ...(r.options.controlPort === undefined ? {} : { ports: { [r.desk]: r.options.controlPort } }),
    log: r.log,
  });
  const state = ensurePrivateDir(stateDir());
  const system = new CrypySystem({
    // Identities, mandate nonces and order sequences from the state directory: the same keys and
    // never a repeated nonce or sequence across restarts.
    keys: KeyRing.at(state),
    bus: r.bus,
    clock: on.clock,
    log: r.log.child({ component: "system" }),
    venue: on.venue,
    venueConfig,
    exchange: template.name,
    account: r.account,
    watch: template.watch,
    risk: template.risk,
    assets: template.assets,
    holderPlan,
    control: plane,
    // With the Desk's journal, the Holders' and Traders' records: a Trader holding a position
    // when the process died takes it up again at the next start.
    ...(on.journal === undefined
      ? {}
      : { deskJournal: on.journal, actorStore: new FileActorStore(state) }),
    balanceTolerance: template.balanceTolerance,
  });
  return { system, plane };
}
