/**
 * The file operations the journal needs, behind an interface so a test can run the journal over a
 * layer that loses everything not fsynced (a power cut), and `nodeFiles` for the real disk.
 *
 * Durability contract of `nodeFiles`, which the journal relies on:
 *   - `JournalFile.sync()` is fdatasync(2): the file's bytes and its size reach the disk (the size is
 *     metadata needed to read the data back, which fdatasync flushes; mtime is not);
 *   - a file's *name* (create, rename, unlink) is durable only after `syncDir` of its directory,
 *     which opens the directory and fsyncs it.
 */
import { constants } from "node:fs";
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
} from "node:fs/promises";

/** An open file: writes go to its end (or from offset 0 after `truncate(0)`). */
export interface JournalFile {
  append(data: Uint8Array): Promise<void>;
  /** Sets the size to `size` bytes; later appends go at the new end. Not durable until `sync`. */
  truncate(size: number): Promise<void>;
  /** fdatasync: every byte appended and every truncate so far is on the disk when this resolves. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileLayer {
  /** Creates `dir` and its parents if missing (mode 0700). */
  mkdir(dir: string): Promise<void>;
  /** The names in `dir`; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  /** The file's size in bytes. */
  size(path: string): Promise<number>;
  /** Opens for appending, creating the file (empty) if missing. */
  openAppend(path: string): Promise<JournalFile>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** fsyncs the directory, making the creates, renames and removes in it durable. */
  syncDir(dir: string): Promise<void>;
}

class NodeFile implements JournalFile {
  constructor(private readonly handle: FileHandle) {}

  async append(data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done);
      done += bytesWritten;
    }
  }
  truncate(size: number): Promise<void> {
    return this.handle.truncate(size);
  }
  sync(): Promise<void> {
    return this.handle.datasync();
  }
  close(): Promise<void> {
    return this.handle.close();
  }
}

/** The real disk, through node:fs. */
export const nodeFiles: FileLayer = {
  async mkdir(dir) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  },
  async list(dir) {
    try {
      return await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  },
  readFile: (path) => readFile(path),
  size: async (path) => (await stat(path)).size,
  async openAppend(path) {
    // O_APPEND: every write lands at the end, also after a truncate.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND;
    return new NodeFile(await open(path, flags, 0o600));
  },
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  async syncDir(dir) {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};
