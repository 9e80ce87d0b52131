/**
 * Runs a ReplCore on a terminal with node's readline: line editing, history (kept across runs in
 * the state directory) and tab completion of commands and their arguments.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ensurePrivateDir, stateDir } from "../registry/state-dir.js";
import type { ReplCore } from "./types.js";

const HISTORY_LINES = 500;

export async function runRepl(
  first: ReplCore,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
  historyName = "repl",
): Promise<void> {
  let core = first;
  const historyFile = join(ensurePrivateDir(stateDir()), `history-${historyName}`);
  let history: string[] = [];
  try {
    history = readFileSync(historyFile, "utf8").split("\n").filter(Boolean).reverse();
  } catch {
    // No history yet.
  }
  const rl = createInterface({
    input,
    output,
    terminal: (output as { isTTY?: boolean }).isTTY === true,
    history: history.slice(0, HISTORY_LINES),
    historySize: HISTORY_LINES,
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) => {
      core.complete(line).then(
        (result) => callback(null, result),
        () => callback(null, [[], line]),
      );
    },
  });
  rl.setPrompt(core.prompt());
  rl.prompt();
  let busy: Promise<void> = Promise.resolve();
  await new Promise<void>((resolve) => {
    // exited: the REPL said so (quit); lines after it are not run. Input that simply ends (a
    // pipe) still runs every line it sent first.
    let exited = false;
    let done = false;
    const finish = async () => {
      await busy;
      if (done) return;
      done = true;
      await core.close().catch(() => {});
      rl.close();
      resolve();
    };
    rl.on("line", (line) => {
      busy = busy.then(async () => {
        if (exited) return;
        if (line.trim() !== "") {
          try {
            appendFileSync(historyFile, `${line}\n`, { mode: 0o600 });
          } catch {
            // History is a convenience.
          }
        }
        const step = await core.run(line);
        if (step.text !== "") output.write(`${step.text}\n`);
        if (step.exit === true) {
          exited = true;
          void finish();
          return;
        }
        if (step.next !== undefined) core = step.next;
        rl.setPrompt(core.prompt());
        rl.prompt();
      });
    });
    rl.on("close", () => void finish());
    rl.on("SIGINT", () => void finish());
  });
}
