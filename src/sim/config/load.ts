/**
 * Loading a venue file: YAML → shape check (schema.ts) → relations and exact values
 * (normalize.ts) → one deep-frozen VenueConfig. Validation happens here, once; everything
 * downstream trusts the result. Each pass reports all of its issues in one ConfigError; the second
 * pass runs only on a file that passed the first, since its checks need well-formed values.
 */

import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deepFreeze } from "../../config/freeze.js";
import { YamlSource } from "../../config/source.js";
import { readConfigText } from "../../config/yaml-file.js";
import { InternalError, InvalidInputError } from "../../domain/errors.js";
import { normalize } from "./normalize.js";
import { venueFileSchema } from "./schema.js";
import type { VenueConfig } from "./types.js";

export interface ParseVenueOptions {
  /** Names the source in error messages, e.g. "venues/sim.yaml". */
  readonly file: string;
  /** Data file paths in the config are resolved against this directory. */
  readonly baseDir: string;
}

/**
 * Parses and validates venue YAML text. Throws a ConfigError (an InvalidInputError) whose message
 * has one `file:line:col: field: problem` line per issue.
 *
 * @example
 * const venue = parseVenueConfig(text, { file: "venues/sim.yaml", baseDir: "venues" });
 * venue.markets["BTC/USDT"]?.tick; // { scale: 2, step: 1n }
 */
export function parseVenueConfig(text: string, options: ParseVenueOptions): VenueConfig {
  if (typeof text !== "string") throw new InvalidInputError("venue config text must be a string");
  const { file, baseDir } = options;
  const source = YamlSource.parse(text, file);
  const shaped = source.shape(venueFileSchema);
  const { config, issues } = normalize(shaped, { file, baseDir: resolve(baseDir) });
  if (issues.length > 0) throw source.error(issues);
  return deepFreeze(config);
}

/**
 * Reads and validates a venue file; data paths in it are relative to its directory. Errors name
 * the file as `path` was given.
 *
 * @example
 * const venue = await loadVenueConfig(DEFAULT_VENUE_FILE);
 * venue.accounts.main?.USDT?.units; // 1000000000000n
 */
export async function loadVenueConfig(path: string): Promise<VenueConfig> {
  const text = await readConfigText(path, "venue file");
  return parseVenueConfig(text, { file: path, baseDir: dirname(resolve(path)) });
}

/**
 * The directory holding crypy's package.json, found by walking up from this module, so it is the
 * same from src/ (tsx) and from dist/ (built).
 */
function packageRoot(from: string): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
      if (name === "crypy") return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new InternalError(`no crypy package.json above ${from}`);
    dir = parent;
  }
}

/** The venue a first run uses: `venues/sim.yaml` in the crypy package. */
export const DEFAULT_VENUE_FILE: string = join(
  packageRoot(fileURLToPath(import.meta.url)),
  "venues",
  "sim.yaml",
);

/**
 * The venue files crypy ships, by name (`sim` is venues/sim.yaml in the package), so a template
 * can name one wherever the template itself lives.
 *
 * @example
 * const shipped = await shippedVenues(); // { sim: "/…/crypy/venues/sim.yaml" }
 */
export async function shippedVenues(): Promise<Record<string, string>> {
  const dir = dirname(DEFAULT_VENUE_FILE);
  const names = (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort();
  return Object.fromEntries(names.map((f) => [f.slice(0, -".yaml".length), join(dir, f)]));
}
