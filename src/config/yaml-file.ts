/**
 * Config files on disk: read with an error that names the file, and edited in place the way a
 * human would want — their comments, blank lines, key order and quoting kept — and atomically.
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
 */

import { type FileHandle, open, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type Document, isMap, isScalar, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
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
 * Reads the YAML file at `path` as a Document, lets `edit` change it, and writes it back
 * atomically with everything `edit` did not touch kept as the human wrote it. Throws a
 * ConfigError when the file is not valid YAML (nothing is written), and whatever `edit` throws.
 *
 * @example
 * await editYamlFile("templates/holder/default.yaml", (doc) => {
 *   seqAt(doc, ["learned", "failedStrategies"]).add(doc.createNode({ strategy: "macd" }));
 * });
 */
export function editYamlFile(path: string, edit: (doc: Document) => void): Promise<void> {
  const key = resolve(path);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => editNow(path, edit));
  const settled = run.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

async function editNow(path: string, edit: (doc: Document) => void): Promise<void> {
  const text = await readConfigText(path, "YAML file");
  YamlSource.parse(text, path); // refuses broken YAML with file:line:col
  const doc = parseDocument(text, { merge: true });
  edit(doc);
  // lineWidth 0: never re-fold the human's long lines.
  await writeFileAtomic(path, doc.toString({ lineWidth: 0 }));
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
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    doc.contents = new YAMLMap();
  }
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
