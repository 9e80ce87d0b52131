import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { ConfigError } from "../../../src/config/issues.js";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The `learned:` section of each shipped template, as shipped: empty. */
export const PRISTINE_LEARNED: Readonly<Record<string, string>> = {
  "desk/sim.yaml": "learned:\n  losingAssets: []\n",
  "holder/default.yaml": "learned:\n  failedStrategies: []\n",
  "trader/breakout.yaml": "learned:\n  outcomes: {}\n",
  "trader/moving-average.yaml": "learned:\n  outcomes: {}\n",
  "trader/multi-strategy.yaml": "learned:\n  outcomes: {}\n",
};

/** `text` with its top-level `learned:` section (the last one in shipped templates) replaced. */
export function withLearned(text: string, learned: string): string {
  return text.slice(0, text.indexOf("\nlearned:") + 1) + learned;
}

/**
 * A copy of the shipped templates and venues in a temp dir, laid out as in the repo, with empty
 * `learned:` sections (a local `crypy sim` run may have written into the repo's copies).
 */
export interface Sandbox {
  readonly dir: string;
  readonly desk: string;
  readonly holder: string;
  readonly trader: string;
  readonly multi: string;
  /** The shipped Holder's Trader template. */
  readonly breakout: string;
  read(path: string): string;
  write(path: string, text: string): void;
  /** Replaces the one occurrence of `from` in the file by `to`. */
  edit(path: string, from: string, to: string): void;
  remove(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "crypy-templates-"));
  cpSync(join(REPO, "templates"), join(dir, "templates"), { recursive: true });
  cpSync(join(REPO, "venues"), join(dir, "venues"), { recursive: true });
  const at = (p: string) => join(dir, "templates", p);
  for (const [file, learned] of Object.entries(PRISTINE_LEARNED)) {
    writeFileSync(at(file), withLearned(readFileSync(at(file), "utf8"), learned));
  }
  return {
    dir,
    desk: at("desk/sim.yaml"),
    holder: at("holder/default.yaml"),
    trader: at("trader/moving-average.yaml"),
    multi: at("trader/multi-strategy.yaml"),
    breakout: at("trader/breakout.yaml"),
    read: (path) => readFileSync(path, "utf8"),
    write: (path, text) => writeFileSync(path, text),
    edit(path, from, to) {
      const text = readFileSync(path, "utf8");
      expect(text.split(from).length, `one "${from}" in ${path}`).toBe(2);
      writeFileSync(path, text.replace(from, to));
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The lines of the ConfigError `promise` rejects with. */
export async function errorLines(promise: Promise<unknown>): Promise<string[]> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message.split("\n");
}
