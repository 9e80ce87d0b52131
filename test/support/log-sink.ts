import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log/logger.js";

/** A logger whose JSON records are captured in memory, for asserting what was logged. */
export function capturedLogger(level = "debug"): {
  logger: Logger;
  records: Record<string, unknown>[];
} {
  const records: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) {
        if (line.trim() !== "") records.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ level, destination: sink, pretty: false }), records };
}
