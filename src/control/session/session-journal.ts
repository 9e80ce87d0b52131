/**
 * A session's Desk journal, in `<state>/journal/<name>/`, opened before the venue: a venue that
 * lives in this process (the simulator of `crypy sim`, paper mode's account) is rebuilt from the
 * journal's last saved venue state before the Desk replays and reconciles
 * (src/actors/desk/journal/venue-state.ts says why the two then agree).
 */
import { FileDeskJournal } from "../../actors/desk/journal/file.js";
import { lastVenueState } from "../../actors/desk/journal/venue-state.js";
import { InvalidInputError } from "../../domain/errors.js";
import type { SavedExchange } from "../../sim/saved-state.js";
import { parseSavedExchange } from "../../sim/saved-state-parse.js";
import { ensurePrivateDir, stateDir } from "../registry/state-dir.js";

export interface SessionJournal {
  journal: FileDeskJournal;
  /** The venue's state when the journal's last entry became durable; none on a first run. */
  saved: SavedExchange | undefined;
}

/** A venue state that would not load: the error, with where the journal is and what to do. */
export function unresumable(name: string, err: unknown): InvalidInputError {
  const dir = `${stateDir()}/journal/${name}`;
  return new InvalidInputError(
    `${name} could not resume from its journal in ${dir}: ${err instanceof Error ? err.message : String(err)}; move that directory away to start afresh`,
    { cause: err },
  );
}

export async function openSessionJournal(name: string): Promise<SessionJournal> {
  const root = ensurePrivateDir(stateDir());
  const journal = await FileDeskJournal.open(root, name);
  if (journal.cutBytes > 0) {
    process.stderr.write(
      `crypy: ${name}'s journal ended in a torn write (${journal.cutBytes} bytes, never acknowledged): cut\n`,
    );
  }
  const state = lastVenueState(journal.recovered);
  try {
    return { journal, saved: state === undefined ? undefined : parseSavedExchange(state) };
  } catch (err) {
    await journal.close();
    throw unresumable(name, err);
  }
}
