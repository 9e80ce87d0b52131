/**
 * Templates as a running system reads them, at every spawn: a human's edit applies to the next
 * Trader, but an edit that does not load leaves the last valid version in force, and the system
 * goes on. Each new problem is reported once: a file that stays broken is not reported again at
 * every spawn; fixed and then broken again, it is.
 */
import { InvalidInputError } from "../../domain/errors.js";

/** A template that did not load: `error` names `file:line:column: field: what is wrong`. */
export interface TemplateProblem {
  file: string;
  error: string;
}

export type ReportProblem = (problem: TemplateProblem) => void;

/**
 * @example
 * const traders = new LastValid(loadTraderTemplate);
 * const t = await traders.read(file, (p) => holder.templateInvalid(p)); // undefined: never valid
 */
export class LastValid<T> {
  private readonly valid = new Map<string, T>();
  /** Per file, the problem last reported (so it is reported once). */
  private readonly reported = new Map<string, string>();

  constructor(private readonly load: (file: string) => Promise<T>) {}

  /** Remembers a version already loaded (checked at start) as the file's last valid one. */
  remember(file: string, template: T): void {
    this.valid.set(file, template);
  }

  /**
   * The file as it is now, or when it does not load, its last valid version (undefined if it
   * never loaded). Without `report`, a problem is left for the next read that has one to report.
   * Only bad input falls back; anything else is a bug and is thrown.
   */
  async read(file: string, report?: ReportProblem): Promise<T | undefined> {
    try {
      const template = await this.load(file);
      this.valid.set(file, template);
      this.reported.delete(file);
      return template;
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      if (report !== undefined && this.reported.get(file) !== err.message) {
        this.reported.set(file, err.message);
        report({ file, error: err.message });
      }
      return this.valid.get(file);
    }
  }
}
