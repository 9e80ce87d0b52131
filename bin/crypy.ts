/**
 * The crypy command line: assembles the command groups of src/cli/, nothing else — the global
 * options, the error printer, one registration per group. Each command loads the modules that do
 * its work when it runs, so `crypy --help` starts fast.
 */
import { existsSync, readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { registerBacktest } from "../src/cli/backtest.js";
import { registerBus } from "../src/cli/bus.js";
import { registerData } from "../src/cli/data.js";
import { registerDoctor } from "../src/cli/doctor.js";
import { registerHistory } from "../src/cli/history.js";
import { registerJournal } from "../src/cli/journal.js";
import { registerNats } from "../src/cli/nats.js";
import type { GlobalFlags } from "../src/cli/program.js";
import { registerReach } from "../src/cli/reach.js";
import { registerRecord } from "../src/cli/record.js";
import { registerReplay } from "../src/cli/replay.js";
import { registerSession, routeExchange } from "../src/cli/session.js";
import { registerVenue } from "../src/cli/venue.js";

/** crypy's package.json, found from here whether this runs compiled (dist/bin) or from source. */
function packageVersion(): string {
  for (let dir = new URL(".", import.meta.url); dir.pathname !== "/"; dir = new URL("..", dir)) {
    const file = new URL("package.json", dir);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "crypy" && pkg.version !== undefined) return pkg.version;
  }
  return "unknown";
}

const program = new Command()
  .name("crypy")
  .description(
    "Trading agents for crypto markets: a Desk per exchange account, a Holder per asset, a Trader per pair, talking over NATS subjects.",
  )
  .version(packageVersion(), "-V, --version", "print the crypy version")
  .addOption(
    new Option(
      "--nats <url>",
      "use the NATS bus at this URL (default: the embedded in-process bus)",
    ).env("CRYPY_NATS_URL"),
  )
  .addOption(
    new Option(
      "--nats-creds <file>",
      "connect to NATS as the user in this credentials file (from `crypy nats config`)",
    ).env("CRYPY_NATS_CREDS"),
  )
  .showHelpAfterError(
    "(run 'crypy --help' for usage; crypy <exchange> needs templates/desk/<exchange>.yaml in your templates)",
  )
  .addHelpText(
    "after",
    `
Sessions:
  crypy sim                  the whole system on the simulator, with a live dashboard
  crypy <exchange>           the same on the Desk of templates/desk/<exchange>.yaml

Environment:
  CRYPY_NATS_URL    same as --nats
  CRYPY_NATS_CREDS  same as --nats-creds
  CRYPY_LOG_LEVEL   fatal | error | warn | info (default) | debug | trace | silent; logs go to stderr`,
  );

// Code that opens its own bus (a session) reads the credentials from the environment.
program.hook("preAction", () => {
  const creds = program.opts<GlobalFlags>().natsCreds;
  if (creds !== undefined) process.env.CRYPY_NATS_CREDS = creds;
});

// The order of registration is the order of `crypy --help`.
registerDoctor(program);
registerBus(program);
registerNats(program);
registerData(program);
registerBacktest(program);
registerSession(program);
registerReach(program);
registerVenue(program);
registerRecord(program);
registerReplay(program);
registerHistory(program);
registerJournal(program);

/** A subcommand's usage error points at its own --help: `crypy <exchange>` is the program's. */
function pointAtOwnHelp(command: Command, path: string): void {
  for (const sub of command.commands) {
    const full = `${path} ${sub.name()}`;
    sub.showHelpAfterError(`(run '${full} --help' for usage)`);
    pointAtOwnHelp(sub, full);
  }
}
pointAtOwnHelp(program, "crypy");

const argv = await routeExchange(program, process.argv);
try {
  await program.parseAsync(argv);
} catch (err) {
  // A crypy error prints as `crypy: code: message` and exits 1. The message may come from the bus
  // (an actor's error reply), so its control characters are made inert.
  const { formatError } = await import("../src/domain/errors.js");
  const { terminalText } = await import("../src/domain/terminal-text.js");
  process.stderr.write(`crypy: ${terminalText(formatError(err))}\n`);
  process.exitCode = 1;
}
