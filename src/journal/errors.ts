/**
 * The journal's two failures. Neither is retryable: a Desk that meets one halts.
 *
 *   JournalError          a write, fsync or rename failed (EIO, ENOSPC, …), or the journal is closed;
 *                         every pending append rejects with the same error and the journal stays failed
 *   JournalCorruptError   a record that was once durable no longer reads back (bad checksum, a gap in
 *                         the sequence) somewhere other than the torn tail; names the file and offset
 */
import { CrypyError } from "../domain/errors.js";

export class JournalError extends CrypyError {
  static override readonly code: string = "journal_error";
}

export class JournalCorruptError extends CrypyError {
  static override readonly code: string = "journal_corrupt";
  readonly file: string;
  readonly offset: number;

  constructor(file: string, offset: number, problem: string, options?: ErrorOptions) {
    super(`${file} at byte ${offset}: ${problem}`, options);
    this.file = file;
    this.offset = offset;
  }
}
