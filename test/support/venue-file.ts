/**
 * A test's own venue file: the shipped venues/sim.yaml with some top-level blocks replaced
 * (accounts and their made-up API keys, latency, rate limits, faults), written to `dir`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { DEFAULT_VENUE_FILE } from "../../src/sim/config/load.js";

let written = 0;

/** Writes venues/sim.yaml with `blocks` in place of its own top-level blocks; returns the path. */
export async function writeVenueFile(
  dir: string,
  blocks: Record<string, unknown>,
): Promise<string> {
  const venue = { ...parse(await readFile(DEFAULT_VENUE_FILE, "utf8")), ...blocks };
  written += 1;
  const file = join(dir, `venue-${process.pid}-${written}.yaml`);
  await writeFile(file, stringify(venue));
  return file;
}
