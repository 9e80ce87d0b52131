/**
 * The user's templates (copied from the shipped ones on first use; crypy writes what it learns
 * into them) and the session options read from text (--speed).
 */
import { existsSync } from "node:fs";
import { cp, mkdir } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";
import { DEFAULT_VENUE_FILE } from "../../sim/config/index.js";

/** The templates crypy ships (next to venues/): copied for each user, never written to. */
export const SHIPPED_TEMPLATES = join(dirname(DEFAULT_VENUE_FILE), "..", "templates");

/**
 * Where a user's templates live — the system writes what it learns into them: $CRYPY_TEMPLATES,
 * else $XDG_CONFIG_HOME/crypy/templates, else ~/.config/crypy/templates.
 */
export function userTemplatesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRYPY_TEMPLATES !== undefined && env.CRYPY_TEMPLATES !== "") return env.CRYPY_TEMPLATES;
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), ".config");
  return join(base, "crypy", "templates");
}

/**
 * The user's templates, copied from the shipped ones on first use (they name their venue by name,
 * so the copy works wherever it lives). Returns whether the copy was made now.
 */
export async function ensureUserTemplates(dir: string): Promise<boolean> {
  if (existsSync(join(dir, "desk", "sim.yaml"))) return false;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await cp(SHIPPED_TEMPLATES, dir, { recursive: true });
  return true;
}

/**
 * A desk template crypy ships that the user's folder lacks (the folder was copied from an older
 * crypy), copied in; a user's own file is never replaced. Returns whether it was copied now.
 */
export async function addShippedDesk(dir: string, name: string): Promise<boolean> {
  const shipped = join(SHIPPED_TEMPLATES, "desk", `${name}.yaml`);
  const mine = join(dir, "desk", `${name}.yaml`);
  if (existsSync(mine) || !existsSync(shipped)) return false;
  await cp(shipped, mine, { errorOnExist: false, force: false });
  // The holder and trader templates it may name (sim-perp's perp.yaml, long-short.yaml): the ones
  // the folder lacks are copied too; the user's own are left as they are.
  for (const kind of ["holder", "trader"]) {
    await cp(join(SHIPPED_TEMPLATES, kind), join(dir, kind), {
      recursive: true,
      errorOnExist: false,
      force: false,
    });
  }
  return true;
}

/** "max", or a positive number of simulated seconds per real second. */
export function parseSpeed(text: string): "max" | number {
  if (text === "max") return "max";
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidInputError(
      `--speed must be a positive number or max, got ${JSON.stringify(text)}`,
    );
  }
  return n;
}
