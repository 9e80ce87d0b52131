/**
 * The runtime registry: which actors run on this machine for this user, and where their control
 * endpoints listen. Each process owns one file, `<state>/run/<pid>.json`, rewritten whole
 * (write to a temporary file, then rename) so a reader never sees half of it; readers drop files
 * whose process is gone. Files are 0600 in a 0700 directory.
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, stateDir } from "./state-dir.js";

export interface RegisteredActor {
  id: string;
  kind: string;
  /** "host:port" of its telnet endpoint. */
  control: string;
  pid: number;
}

export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), "run");
}

/** This process's entries. */
export class ProcessRegistry {
  private readonly actors = new Map<string, RegisteredActor>();
  private readonly file: string;

  constructor(private readonly dir: string = registryDir()) {
    this.file = join(dir, `${process.pid}.json`);
  }

  add(actor: Omit<RegisteredActor, "pid">): void {
    this.actors.set(actor.id, { ...actor, pid: process.pid });
    this.write();
  }

  remove(id: string): void {
    if (this.actors.delete(id)) this.write();
  }

  /** Removes this process's file (at shutdown). */
  clear(): void {
    this.actors.clear();
    rmSync(this.file, { force: true });
  }

  private write(): void {
    ensurePrivateDir(this.dir);
    if (this.actors.size === 0) {
      rmSync(this.file, { force: true });
      return;
    }
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify([...this.actors.values()], null, 1)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/** Every registered actor of live processes, by id; stale files are removed. */
export function readRegistry(dir: string = registryDir()): RegisteredActor[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: RegisteredActor[] = [];
  for (const name of names) {
    const match = /^(\d+)\.json$/.exec(name);
    if (match === null) continue;
    const pid = Number(match[1]);
    const path = join(dir, name);
    if (!alive(pid)) {
      rmSync(path, { force: true });
      continue;
    }
    try {
      const entries = JSON.parse(readFileSync(path, "utf8")) as unknown;
      if (!Array.isArray(entries)) continue;
      for (const e of entries as RegisteredActor[]) {
        if (typeof e?.id === "string" && typeof e.control === "string") out.push({ ...e, pid });
      }
    } catch {
      // Being rewritten or damaged: its process writes it again at its next change.
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
