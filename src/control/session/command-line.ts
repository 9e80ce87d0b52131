/**
 * The session's command line without a dashboard: each line on stdin is a command for the Desk,
 * or for another actor with `@<actor> <command>`; the answer is printed. The end of stdin ends
 * only the command line, never the session (`crypy sim </dev/null` runs until stopped). Commands
 * go out signed by this machine's operator; answers arrive inert for a terminal (busChannel).
 */
import { createInterface } from "node:readline";
import type { Bus } from "../../bus/bus.js";
import { terminalText } from "../../domain/terminal-text.js";
import { busChannel } from "../client/bus-channel.js";

export function commandLine(options: {
  bus: Bus;
  desk: string;
  input: NodeJS.ReadableStream;
  out: NodeJS.WritableStream;
}): () => void {
  const { bus, desk, input, out } = options;
  const rl = createInterface({ input, terminal: false });
  let queue: Promise<void> = Promise.resolve();
  rl.on("line", (raw) => {
    const line = raw.trim();
    if (line === "") return;
    queue = queue.then(async () => {
      let actor = desk;
      let command = line;
      const at = /^@(\S+)\s*(.*)$/.exec(line);
      if (at !== null) {
        actor = at[1]!;
        command = at[2]!;
      }
      try {
        const reply = await busChannel(bus, actor, { who: "stdin" }).run(command);
        out.write(`${actor}> ${command}\n${reply.text}\n`);
      } catch (err) {
        out.write(
          `${actor}> ${command}\nunreachable: ${terminalText(err instanceof Error ? err.message : String(err))}\n`,
        );
      }
    });
  });
  // Closing lets go of stdin, so an open pipe does not keep the process alive after the session:
  // pausing alone is not enough when the session stopped before stdin was first read (a Ctrl-C
  // during start-up left a paused pipe holding the process), so the stream is destroyed too.
  return () => {
    rl.close();
    (input as { destroy?: () => void }).destroy?.();
  };
}
