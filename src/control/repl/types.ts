/**
 * A REPL's core without its terminal: a prompt, and what one line does. The same core runs under
 * node's readline (`crypy invest`, `crypy trade`, `crypy attach`) and inside the dashboard's popup.
 */
export interface ReplCore {
  /** E.g. "invest USDT> ", "trade BTC/USDT> ", "sim-main> ". */
  prompt(): string;
  /**
   * Runs one line. `text` is what to print (may be empty or several lines, '\n' breaks).
   * `next` replaces this core (e.g. `trade BTC/USDT` in the invest REPL goes down to the trade
   * REPL; `back` comes up again); `exit` ends the REPL. Never rejects: errors come back as text
   * `code: message`.
   */
  run(line: string): Promise<ReplStep>;
  /** Completions for a partial line: whole candidate lines or words, as readline's completer. */
  complete(line: string): Promise<[string[], string]>;
  /** Releases what the core holds (connections); called when the REPL ends. */
  close(): Promise<void>;
}

export interface ReplStep {
  text: string;
  next?: ReplCore;
  exit?: boolean;
}
