/**
 * The Desk's journal on disk: a FileJournal (src/journal) named after the Desk, in
 * `<state>/journal/<desk>/`. What a restart replays is the newest snapshot's entries followed by
 * every entry after it; a snapshot is itself a list of Desk entries (the books, compacted), so
 * replay has one path.
 */
import { join } from "node:path";
import { FileJournal } from "../../../journal/journal.js";
import type { DeskEntry, DeskJournal } from "./entries.js";

export class FileDeskJournal implements DeskJournal {
  readonly recovered: readonly DeskEntry[];
  /** Bytes of a torn tail the open cut (a write a crash interrupted). */
  readonly cutBytes: number;

  private constructor(private readonly file: FileJournal<DeskEntry, DeskEntry[]>) {
    const { snapshot, entries, cutBytes } = file.recovered;
    this.recovered = [...(snapshot?.state ?? []), ...entries.map((e) => e.record)];
    this.cutBytes = cutBytes;
  }

  /** Opens (creating if new) the journal of Desk `desk` under `stateDir`. */
  static async open(stateDir: string, desk: string): Promise<FileDeskJournal> {
    return new FileDeskJournal(
      await FileJournal.open<DeskEntry, DeskEntry[]>(join(stateDir, "journal"), { name: desk }),
    );
  }

  async append(entry: DeskEntry): Promise<void> {
    await this.file.append(entry);
  }

  /** One frame: recovery returns all of `entries` or none. */
  async appendAll(entries: DeskEntry[]): Promise<void> {
    await this.file.appendAll(entries);
  }

  async snapshot(entries: DeskEntry[]): Promise<void> {
    await this.file.snapshot(entries);
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
