/**
 * Where a user's running crypy keeps its runtime files: the registry of running actors and the
 * audit log. $CRYPY_STATE_DIR, else $XDG_STATE_HOME/crypy, else ~/.local/state/crypy. Made
 * readable by the user alone: it tells where every control endpoint listens.
 */
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRYPY_STATE_DIR !== undefined && env.CRYPY_STATE_DIR !== "") return env.CRYPY_STATE_DIR;
  const xdg = env.XDG_STATE_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), ".local", "state");
  return join(base, "crypy");
}

/** Creates `dir` (and parents) for the user alone. */
export function ensurePrivateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
