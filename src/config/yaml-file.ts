/**
 * Config files on disk: read with an error that names the file, and edited in place the way a
 * human would want — one section changes, every other byte stays — and atomically.
 *
 * Invariants:
 * - A reader sees the old file or the new one, never a mix: the new text goes to a temp file in
 *   the same directory (same filesystem), is fsynced, then renamed over the original; the
 *   directory is fsynced after, so the rename itself survives a crash.
 * - When anything fails before the rename, the original is untouched and the temp file removed.
 *   (A crash at that point can leave a `.<name>.<pid>.<n>.tmp` file behind, never a torn config.)
 * - Edits of one file made through this process run one after another (each reads the file the
 *   previous one wrote), so two write-backs racing cannot lose each other's change. Writers in
 *   other processes are not coordinated.
 * - A file that is not valid YAML is never edited: the human's text is refused, not rewritten.
 * - Only the edited section's text changes, and the new file reads back as exactly the edited
 *   data (checked before writing; a layout that cannot be spliced is re-printed whole instead).
 */

import { type FileHandle, open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from "yaml";
import { InvalidInputError } from "../domain/errors.js";
import { YamlSource } from "./source.js";

/**
 * The text of a config file; a missing or unreadable file is an InvalidInputError naming it.
 *
 * @example
 * await readConfigText("templates/desk/sim.yaml", "desk template");
 * // InvalidInputError: templates/desk/sim.yaml: cannot read desk template (ENOENT)
 */
export async function readConfigText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InvalidInputError(`${path}: cannot read ${what} (${reason})`, { cause: err });
  }
}

let tempCounter = 0;

/**
 * Replaces `path` with `text` atomically (temp file, fsync, rename, fsync of the directory). An
 * existing file keeps its permission bits.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(resolve(path));
  tempCounter += 1;
  const temp = join(dir, `.${basename(path)}.${process.pid}.${tempCounter}.tmp`);
  const mode = await stat(path).then(
    (info) => info.mode & 0o777,
    () => 0o644,
  );
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, "wx", mode);
    await handle.writeFile(text, "utf8");
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

/** Some filesystems refuse to fsync a directory; the rename is then as durable as they allow. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Changes one top-level section (`key: …`) of the YAML file at `path` and writes the file back
 * atomically; every byte outside that section stays as it was. `edit` gets the whole Document
 * (for `createNode`, `mapAt`, `seqAt`) but may change only `key`'s subtree: the rest is not
 * written. A missing section is appended at the end, after a blank line. Throws a ConfigError when
 * the file is not valid YAML (nothing is written), and whatever `edit` throws.
 *
 * Why a splice and not `doc.toString()`: the yaml stringifier normalises style (`[a, b]` becomes
 * `[ a, b ]`, sequence indentation changes), and a human's file should only ever change where
 * crypy writes.
 *
 * @example
 * await editYamlSection("templates/holder/default.yaml", "learned", (doc) => {
 *   seqAt(doc, ["learned", "failedStrategies"]).add(doc.createNode({ strategy: "macd" }));
 * });
 */
export function editYamlSection(
  path: string,
  key: string,
  edit: (doc: Document) => void,
): Promise<void> {
  const queueKey = resolve(path);
  const previous = queues.get(queueKey) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => editNow(path, key, edit));
  const settled = run.catch(() => undefined);
  queues.set(queueKey, settled);
  void settled.then(() => {
    if (queues.get(queueKey) === settled) queues.delete(queueKey);
  });
  return run;
}

async function editNow(path: string, key: string, edit: (doc: Document) => void): Promise<void> {
  const text = await readConfigText(path, "YAML file");
  YamlSource.parse(text, path); // refuses broken YAML with file:line:col
  const doc = parseDocument(text, { merge: true });
  const old = sectionSpan(doc, key, text);
  edit(doc);
  const pair = topLevelPair(doc, key);
  if (pair === undefined) throw new InvalidInputError(`${path}: the edit removed "${key}"`);
  let rendered = renderSection(key, pair.value);
  let spliced: string;
  if (old === undefined) {
    const separator = text === "" ? "" : text.endsWith("\n") ? "\n" : "\n\n";
    spliced = text + separator + rendered;
  } else {
    if (old.end === text.length && !text.endsWith("\n")) rendered = rendered.replace(/\n$/, "");
    spliced = text.slice(0, old.start) + rendered + text.slice(old.end);
  }
  // The splice must mean exactly what the edited Document means. A layout it cannot handle (a
  // top-level flow mapping, say) falls back to re-printing the whole file: style may change there,
  // data never does.
  const written = means(spliced, doc) ? spliced : doc.toString({ lineWidth: 0 });
  await writeFileAtomic(path, written);
}

function means(text: string, doc: Document): boolean {
  const reread = parseDocument(text, { merge: true });
  return reread.errors.length === 0 && isDeepStrictEqual(reread.toJS(), doc.toJS());
}

/** Where `key: value` (with its trailing comments, through the end of its line) sits in `text`. */
function sectionSpan(
  doc: Document,
  key: string,
  text: string,
): { start: number; end: number } | undefined {
  const pair = topLevelPair(doc, key);
  const keyRange = (pair?.key as Node | undefined)?.range;
  if (pair === undefined || keyRange === undefined || keyRange === null) return undefined;
  const valueRange = (pair.value as Node | null)?.range ?? keyRange;
  let end = Math.min(Math.max(valueRange[2], keyRange[2]), text.length);
  if (end > 0 && text[end - 1] !== "\n") {
    const newline = text.indexOf("\n", end);
    end = newline < 0 ? text.length : newline + 1;
  }
  return { start: keyRange[0], end };
}

function topLevelPair(doc: Document, key: string): Pair | undefined {
  if (!isMap(doc.contents)) return undefined;
  // Keys read from the file are Scalars; keys added by an edit may be plain values.
  return doc.contents.items.find(
    (pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === key,
  );
}

/** `key:` and its value as block YAML, without the comment above the key (it stays in place). */
function renderSection(key: string, value: unknown): string {
  const section = new Document(new YAMLMap());
  (section.contents as YAMLMap).items.push(new Pair(new Scalar(key), value));
  return section.toString({ lineWidth: 0 });
}

/**
 * The block mapping at `path` in `doc`, created (after the last key of its parent) when missing
 * or empty (`learned:` with nothing after it). An empty flow collection there (`{}`, `[]`)
 * becomes block style, so entries added to it read one per line. Anything else there is an
 * InvalidInputError.
 */
export function mapAt(doc: Document, path: readonly string[]): YAMLMap {
  return collectionAt(doc, path, "map") as YAMLMap;
}

/** The block sequence at `path` in `doc`; created or converted like `mapAt`. */
export function seqAt(doc: Document, path: readonly string[]): YAMLSeq {
  return collectionAt(doc, path, "seq") as YAMLSeq;
}

function collectionAt(doc: Document, path: readonly string[], kind: "map" | "seq"): unknown {
  let node: unknown = doc.contents;
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth]!;
    const wanted = depth === path.length - 1 ? kind : "map";
    if (!isMap(node)) throw notA("mapping", path.slice(0, depth));
    let child: unknown = node.get(key, true);
    if (child === undefined || (isScalar(child) && child.value === null)) {
      child = wanted === "map" ? new YAMLMap() : new YAMLSeq();
      node.set(key, child);
    }
    if (wanted === "seq" ? !isSeq(child) : !isMap(child)) {
      throw notA(wanted === "seq" ? "list" : "mapping", path.slice(0, depth + 1));
    }
    const collection = child as YAMLMap | YAMLSeq;
    if (collection.items.length === 0) collection.flow = false;
    node = collection;
  }
  return node;
}

function notA(what: string, path: readonly string[]): InvalidInputError {
  const where = path.length === 0 ? "the top level" : path.join(".");
  return new InvalidInputError(`expected a ${what} at ${where}`);
}
