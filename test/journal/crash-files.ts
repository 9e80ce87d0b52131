/**
 * A FileLayer in memory that models a power cut: what survives is what was fsynced, plus an
 * arbitrary torn piece of what was not.
 *
 *   - File bytes: everything up to the last `sync` survives. Of the bytes appended since, a random
 *     prefix may have reached the disk, with random pieces of it zeros or garbage (pages the disk
 *     wrote out of order, a size extended before the data). A truncate not yet synced is lost.
 *   - Names: creates, renames and removes survive once `syncDir` of their directory ran; of those
 *     not yet synced, a random prefix (in order) survives, as a journaling file system would.
 *
 * `crashAfter(n)` cuts the power at the n-th operation from now (a write may have reached the
 * page cache first, half the time); it and every operation after it reject, as if the process
 * were gone. `fail(op, n, code)` makes the n-th operation of that
 * kind reject with an errno error (EIO, ENOSPC) instead, without a crash.
 */
import { dirname } from "node:path";
import type { FileLayer, JournalFile } from "../../src/journal/files.js";

class Inode {
  data = Buffer.alloc(0);
  len = 0;
  syncedLen = 0;
  /** The synced bytes, when a truncate since the last sync made them differ from a prefix. */
  syncedCopy: Buffer | undefined;

  constructor(content?: Buffer) {
    if (content !== undefined) {
      this.data = Buffer.from(content);
      this.len = content.length;
      this.syncedLen = content.length;
    }
  }
  bytes(): Buffer {
    return this.data.subarray(0, this.len);
  }
  append(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.data.length) {
      const grown = Buffer.alloc(Math.max(this.len + chunk.length, this.data.length * 2, 4096));
      this.data.copy(grown, 0, 0, this.len);
      this.data = grown;
    }
    this.data.set(chunk, this.len);
    this.len += chunk.length;
  }
  truncate(size: number): void {
    if (size < this.syncedLen && this.syncedCopy === undefined) {
      this.syncedCopy = Buffer.from(this.data.subarray(0, this.syncedLen));
    }
    if (size > this.len) this.append(Buffer.alloc(size - this.len));
    this.len = size;
  }
  sync(): void {
    this.syncedLen = this.len;
    this.syncedCopy = undefined;
  }
}

type DirOp =
  | { op: "create"; path: string; inode: Inode }
  | { op: "rename"; from: string; to: string }
  | { op: "remove"; path: string };

type OpKind = "write" | "sync" | "truncate" | "open" | "rename" | "remove" | "syncDir" | "read";

/** mulberry32: a small seeded generator, so a failing fast-check seed replays exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function errno(code: string, what: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${what}`);
  err.code = code;
  return err;
}

function applyDirOp(names: Map<string, Inode>, op: DirOp): void {
  if (op.op === "create") names.set(op.path, op.inode);
  else if (op.op === "remove") names.delete(op.path);
  else {
    const inode = names.get(op.from);
    if (inode === undefined) return;
    names.delete(op.from);
    names.set(op.to, inode);
  }
}

export class CrashFiles implements FileLayer {
  /** Bytes returned by readFile, per path: what a recovery had to read. */
  readonly bytesRead = new Map<string, number>();
  private names = new Map<string, Inode>();
  private durableNames = new Map<string, Inode>();
  private pending: DirOp[] = [];
  private readonly random: () => number;
  private opsLeft = Number.POSITIVE_INFINITY;
  private survivors: Map<string, Buffer> | undefined;
  private readonly counts = new Map<OpKind, number>();
  private readonly faults: { op: OpKind; n: number; code: string }[] = [];

  constructor(seed = 1, image?: Map<string, Buffer>) {
    this.random = seeded(seed);
    for (const [path, content] of image ?? []) {
      const inode = new Inode(content);
      this.names.set(path, inode);
      this.durableNames.set(path, inode);
    }
  }

  get crashed(): boolean {
    return this.survivors !== undefined;
  }

  /** How many operations of kind `op` ran so far. */
  count(op: OpKind): number {
    return this.counts.get(op) ?? 0;
  }

  /** Cuts the power just before the n-th operation from now (n >= 1). */
  crashAfter(n: number): void {
    this.opsLeft = n;
  }

  /** Makes the n-th (1-based, counted from the start) operation of kind `op` fail with `code`. */
  fail(op: OpKind, n: number, code = "EIO"): void {
    this.faults.push({ op, n, code });
  }

  /** Cuts the power now (if it is still on) and returns a disk holding what survived. */
  powerCut(seed?: number): CrashFiles {
    this.cut();
    return new CrashFiles(seed ?? Math.floor(this.random() * 2 ** 31), this.survivors);
  }

  /** The current bytes of a file (as the running process sees them). */
  peek(path: string): Buffer | undefined {
    return this.names.get(path)?.bytes();
  }

  /** Replaces a file's bytes, durably: for tests that corrupt a file "on disk". */
  poke(path: string, content: Buffer): void {
    const inode = new Inode(content);
    this.names.set(path, inode);
    this.durableNames.set(path, inode);
  }

  private cut(): void {
    if (this.survivors !== undefined) return;
    const names = new Map(this.durableNames);
    const keep = Math.floor(this.random() * (this.pending.length + 1));
    for (const op of this.pending.slice(0, keep)) applyDirOp(names, op);
    const survivors = new Map<string, Buffer>();
    const torn = new Map<Inode, Buffer>();
    for (const [path, inode] of names) {
      let content = torn.get(inode);
      if (content === undefined) {
        content = this.tear(inode);
        torn.set(inode, content);
      }
      survivors.set(path, content);
    }
    this.survivors = survivors;
  }

  private tear(inode: Inode): Buffer {
    if (inode.syncedCopy !== undefined) return Buffer.from(inode.syncedCopy);
    const extra = Math.floor(this.random() * (inode.len - inode.syncedLen + 1));
    const out = Buffer.from(inode.data.subarray(0, inode.syncedLen + extra));
    let at = inode.syncedLen;
    while (at < out.length) {
      const piece = 1 + Math.floor(this.random() * 32);
      const roll = this.random();
      if (roll < 0.1) out.fill(0, at, Math.min(out.length, at + piece));
      else if (roll < 0.15)
        for (let i = at; i < Math.min(out.length, at + piece); i++)
          out[i] = Math.floor(this.random() * 256);
      at += piece;
    }
    return out;
  }

  /** Every operation passes here: one event-loop turn, then the crash and fault checks. */
  private async step(op: OpKind, what: string, midway?: () => void): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.crashed) throw errno("EPOWER", `power cut before ${op} ${what}`);
    this.opsLeft--;
    if (this.opsLeft <= 0) {
      // Half the time a write reached the page cache before the power went: it may be torn.
      if (midway !== undefined && this.random() < 0.5) midway();
      this.cut();
      throw errno("EPOWER", `power cut at ${op} ${what}`);
    }
    const n = (this.counts.get(op) ?? 0) + 1;
    this.counts.set(op, n);
    const fault = this.faults.find((f) => f.op === op && f.n === n);
    if (fault !== undefined) throw errno(fault.code, `${op} ${what}`);
  }

  async mkdir(): Promise<void> {}

  async list(dir: string): Promise<string[]> {
    await this.step("read", dir);
    return [...this.names.keys()]
      .filter((p) => dirname(p) === dir)
      .map((p) => p.slice(dir.length + 1));
  }

  async readFile(path: string): Promise<Buffer> {
    await this.step("read", path);
    const inode = this.names.get(path);
    if (inode === undefined) throw errno("ENOENT", path);
    this.bytesRead.set(path, (this.bytesRead.get(path) ?? 0) + inode.len);
    return Buffer.from(inode.bytes());
  }

  async size(path: string): Promise<number> {
    await this.step("read", path);
    const inode = this.names.get(path);
    if (inode === undefined) throw errno("ENOENT", path);
    return inode.len;
  }

  async openAppend(path: string): Promise<JournalFile> {
    await this.step("open", path);
    let inode = this.names.get(path);
    if (inode === undefined) {
      inode = new Inode();
      this.names.set(path, inode);
      this.pending.push({ op: "create", path, inode });
    }
    const node = inode;
    let open = true;
    const usable = () => {
      if (!open) throw errno("EBADF", path);
    };
    return {
      append: async (data) => {
        await this.step("write", path, () => node.append(data));
        usable();
        node.append(data);
      },
      truncate: async (size) => {
        await this.step("truncate", path);
        usable();
        node.truncate(size);
      },
      sync: async () => {
        await this.step("sync", path);
        usable();
        node.sync();
      },
      close: async () => {
        open = false;
      },
    };
  }

  async rename(from: string, to: string): Promise<void> {
    await this.step("rename", from);
    const inode = this.names.get(from);
    if (inode === undefined) throw errno("ENOENT", from);
    this.names.delete(from);
    this.names.set(to, inode);
    this.pending.push({ op: "rename", from, to });
  }

  async remove(path: string): Promise<void> {
    await this.step("remove", path);
    this.names.delete(path);
    this.pending.push({ op: "remove", path });
  }

  async syncDir(dir: string): Promise<void> {
    await this.step("syncDir", dir);
    const inDir = (op: DirOp) =>
      dirname(op.op === "rename" ? op.to : op.path) === dir ||
      (op.op === "rename" && dirname(op.from) === dir);
    for (const op of this.pending.filter(inDir)) applyDirOp(this.durableNames, op);
    this.pending = this.pending.filter((op) => !inDir(op));
  }
}
