/**
 * This machine's operator: the Ed25519 key crypy's tools sign control requests with (attach,
 * invest, trade, the dashboard, the session's command line). It lives in the state directory as
 * `keys/operator.key` (0600, created on first use), so actors started from the same state
 * directory trust it; `keys/operator.pub` shows its public key, to copy into another machine's
 * `keys/operators/<name>.pub` so that machine's actors take this one's requests as `operator:<name>`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ActorKeys, keysDir } from "../../actors/identity/keys.js";
import { OPERATOR_KEY_NAME } from "../registry/operators.js";
import { stateDir } from "../registry/state-dir.js";

const loaded = new Map<string, ActorKeys>();

/** The operator keys of the state directory `env` names (loaded once per process). */
export function operatorKeys(env: NodeJS.ProcessEnv = process.env): ActorKeys {
  const state = stateDir(env);
  let keys = loaded.get(state);
  if (keys === undefined) {
    const dir = keysDir(state);
    keys = ActorKeys.load(dir, OPERATOR_KEY_NAME);
    showPublicKey(join(dir, `${OPERATOR_KEY_NAME}.pub`), keys.publicKey);
    loaded.set(state, keys);
  }
  return keys;
}

function showPublicKey(file: string, publicKey: string): void {
  const text =
    "# This machine's crypy operator key. Copied to another machine as\n" +
    "# <state dir>/keys/operators/<name>.pub, it lets this machine operate that one's actors.\n" +
    `${publicKey}\n`;
  try {
    if (readFileSync(file, "utf8") === text) return;
  } catch {
    // Not written yet.
  }
  try {
    writeFileSync(file, text, { mode: 0o644 });
  } catch {
    // A convenience: signing does not need it.
  }
}
