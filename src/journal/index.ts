/** The journal layer's public names: the embedded append-only journal and its file layer. */
export { JournalCorruptError, JournalError } from "./errors.js";
export { type FileLayer, type JournalFile, nodeFiles } from "./files.js";
export {
  FileJournal,
  type JournalOptions,
  type JournalRecord,
  journalDir,
  type Recovered,
} from "./journal.js";
export {
  type Entry,
  type JournalScan,
  type SegmentInfo,
  type Snapshot,
  scanJournal,
  type TornTail,
} from "./scan.js";
