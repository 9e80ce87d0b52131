/**
 * One import at a time per series, across processes: an import holds `import.lock` (holding its
 * pid) in the series directory while it merges chunks and rewrites the index. Without it, two
 * imports could each write an index that forgets the other's chunks.
 *
 * A lock left by a process that died is taken over. An import runs synchronously, so a lock naming
 * this very process is stale too.
 */

import { linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TransientError } from "../domain/errors.js";

const LOCK_FILE = "import.lock";

export function withImportLock<T>(dir: string, what: string, work: () => T): T {
  const file = join(dir, LOCK_FILE);
  acquire(file, what);
  try {
    return work();
  } finally {
    rmSync(file, { force: true });
  }
}

function acquire(file: string, what: string): void {
  // The pid is written to a private file first and linked into place, so a lock file is never
  // seen empty: link fails with EEXIST if the lock is held.
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, file);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = lockHolder(file);
      if (holder !== undefined && isRunning(holder)) {
        throw new TransientError(
          `another import into ${what} is running (pid ${holder}); try again when it ends`,
        );
      }
      rmSync(file, { force: true });
    }
    throw new TransientError(`could not take the import lock of ${what} (${file})`);
  } finally {
    rmSync(mine, { force: true });
  }
}

function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
