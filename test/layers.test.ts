/**
 * DESIGN.md: dependencies point downward only. Every import in src/ must stay in its own layer or
 * go to a lower one, in this order (bottom first).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const LAYERS = [
  "domain",
  "config",
  "time",
  "log",
  // the append-only journal the Desk writes before it acts (src/journal)
  "journal",
  "bus",
  "store",
  "sim",
  "venues",
  // the simulator behind a real exchange's API (`crypy venue serve`)
  "venue-server",
  "strategy",
  "actors",
  "control",
  // command implementations behind bin/crypy.ts: they use control (the state dir), nothing uses them
  "cli",
];
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

const layerOf = (file: string) => relative(SRC, file).split("/")[0]!;

describe("layers - dependencies point downward", () => {
  it("layers - every folder of src/ is a layer, so its imports are checked too", () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it("layers - no module imports from a layer above its own", () => {
    const violations: string[] = [];
    for (const file of files(SRC)) {
      const own = LAYERS.indexOf(layerOf(file));
      if (own < 0) continue; // src/index.ts lists the public API of every layer
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"/g)) {
        const target = layerOf(resolve(file, "..", spec!));
        const index = LAYERS.indexOf(target);
        if (index > own) violations.push(`${relative(SRC, file)} → ${target} (${spec})`);
      }
    }
    expect(violations).toEqual([]);
  });
});
