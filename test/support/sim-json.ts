/**
 * The real `crypy sim --speed max --json` for a simulated span, in a sandbox folder of the test's:
 * its templates in `<dir>/templates`, its state (keys, registry, audit log) in `<dir>/state`.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const BIN = fileURLToPath(new URL("../../bin/crypy", import.meta.url));
const run = promisify(execFile);

/** Runs it for `exitAfter` (e.g. "3h") of simulated time; resolves with its stdout (JSON lines). */
export async function simJson(dir: string, exitAfter: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [BIN, "sim", "--speed", "max", "--exit-after", exitAfter, "--json"],
    {
      env: {
        ...process.env,
        CRYPY_LOG_LEVEL: "error",
        CRYPY_TEMPLATES: join(dir, "templates"),
        CRYPY_STATE_DIR: join(dir, "state"),
      },
      timeout: 120_000,
      maxBuffer: 64 << 20,
    },
  );
  return stdout;
}
