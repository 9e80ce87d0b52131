/**
 * `crypy sim` and `crypy <exchange>` (registered as the hidden `crypy exchange <name>`): a
 * terminal session on a Desk, with its Holders and Traders.
 */
import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import { JOURNAL_KINDS, type JournalKind } from "../control/session/desk-journal.js";
import { action, type GlobalFlags, port } from "./program.js";

interface SessionFlags {
  account?: string;
  watch?: string;
  templates?: string;
  tui?: boolean;
  json?: boolean;
  speed: string;
  exitAfter?: string;
  history?: string;
  controlHost?: string;
  controlPort?: number;
  mode?: "paper" | "sandbox" | "live";
  journal?: JournalKind;
}

const MODES = ["paper", "sandbox", "live"] as const;

/** A real exchange's mode; commander names the option in the error. */
function mode(text: string): (typeof MODES)[number] {
  const found = MODES.find((m) => m === text);
  if (found === undefined) throw new InvalidArgumentError(`must be one of ${MODES.join(", ")}`);
  return found;
}

/** A journal kind; commander names the option in the error. */
function journalKind(text: string): JournalKind {
  const found = JOURNAL_KINDS.find((k) => k === text);
  if (found === undefined) {
    throw new InvalidArgumentError(`must be one of ${JOURNAL_KINDS.join(", ")}`);
  }
  return found;
}

/** The options `crypy sim` and `crypy <exchange>` share. */
function sessionCommand(command: Command): Command {
  return command
    .option("--account <name>", "the exchange account (default: the desk template's)")
    .option(
      "--watch <pairs>",
      "markets the dashboard shows, e.g. BTC/USDT,ETH/USDT (default: all the Desk watches)",
    )
    .option(
      "--templates <dir>",
      "templates folder (default: $CRYPY_TEMPLATES or ~/.config/crypy/templates, copied from the shipped ones on first run)",
    )
    .option("--no-tui", "no dashboard: print one line per actor event and read commands from stdin")
    .option("--json", "print each event as a JSON line ({ts, actor, event, ...}); implies --no-tui")
    .option(
      "--mode <paper|sandbox|live>",
      "a real exchange's mode (default: its desk template's): paper trades live data with simulated fills; live needs mode: live in the template too",
      mode,
    )
    .option(
      "--journal <file|jetstream>",
      "where a real exchange's Desk journals in sandbox and live mode: file (default; journal/<desk>/ in the state directory) or jetstream (a stream on the NATS server of --nats, run with JetStream: -js); paper mode and crypy sim always journal to the file, with their simulated account",
      journalKind,
    )
    .option(
      "--speed <n|max>",
      "simulator only: simulated seconds per real second, or max (a virtual clock)",
      "60",
    )
    .option(
      "--exit-after <duration>",
      "stop cleanly after this much simulated time, e.g. 30m, 6h, 2d",
    )
    .option(
      "--history <duration>",
      "simulator only: market history before a first session starts, so Traders warm up at once (a later one resumes where its journal left off)",
      "36h",
    )
    .option(
      "--control-host <address>",
      "address every actor's telnet endpoint binds (default 127.0.0.1; another needs $CRYPY_CONTROL_TOKEN)",
    )
    .option(
      "--control-port <port>",
      "the Desk's telnet port (default: chosen by the OS; one in use stops the session)",
      port,
    )
    .addHelpText(
      "after",
      `
Without a TTY, or with --no-tui, each line on stdin is a command for the Desk (e.g. halt), or
for another actor with @<actor> <command> (e.g. @sim-main_USDT proposals).

Every actor listens on its own telnet endpoint: \`crypy actors\` lists them, \`crypy attach <actor>\`
or \`telnet 127.0.0.1 <port>\` reaches one. Mutating commands are written to the audit log in
$CRYPY_STATE_DIR (default ~/.local/state/crypy).

Environment:
  CRYPY_CONTROL_TOKEN        operator token for the endpoints (required off loopback)
  CRYPY_CONTROL_READ_TOKEN   read-only token`,
    );
}

async function runSession(
  program: Command,
  exchange: string,
  flags: SessionFlags,
): Promise<number> {
  const { exchangeCommand } = await import("../control/session/exchange-command.js");
  return exchangeCommand(
    exchange,
    {
      ...flags,
      watch: flags.watch
        ?.split(",")
        .map((m) => m.trim())
        .filter(Boolean),
      nats: program.opts<GlobalFlags>().nats,
    },
    {
      out: process.stdout,
      input: process.stdin,
      isTTY: process.stdout.isTTY === true && process.stdin.isTTY === true,
      onStop: (stop) => {
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      },
    },
  );
}

export function registerSession(program: Command): void {
  sessionCommand(
    program
      .command("sim")
      .description(
        "run the whole system — Desk, Holders, Traders — on the simulated venue, with a live dashboard (crypy <exchange> with the simulator)",
      ),
  ).action(action((flags: SessionFlags) => runSession(program, "sim", flags)));

  sessionCommand(
    program
      .command("exchange <name>", { hidden: true })
      .description("a terminal session on the Desk of <name> (also: crypy <name>)"),
  ).action(action((name: string, flags: SessionFlags) => runSession(program, name, flags)));
}

/**
 * `crypy <exchange> …` is `crypy exchange <exchange> …` when the templates hold a desk template
 * of that name, or crypy ships one; any other unknown word stays an unknown command.
 */
export async function routeExchange(program: Command, argv: string[]): Promise<string[]> {
  const args = argv.slice(2);
  const withValue = new Set(["--nats", "--nats-creds"]);
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) i += withValue.has(args[i]!) ? 2 : 1;
  const word = args[i];
  if (word === undefined || word === "help" || !/^[a-z0-9][a-z0-9_-]*$/i.test(word)) return argv;
  const known = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (known.includes(word)) return argv;
  const at = args.indexOf("--templates", i);
  const { SHIPPED_TEMPLATES, userTemplatesDir } = await import(
    "../control/session/user-templates.js"
  );
  const given = at >= 0 && args[at + 1] !== undefined ? args[at + 1] : undefined;
  const templates = given ?? userTemplatesDir();
  // A shipped exchange (binance, kraken, …) routes too: its template is copied in on first use.
  const shipped = given === undefined && existsSync(`${SHIPPED_TEMPLATES}/desk/${word}.yaml`);
  if (!shipped && !existsSync(`${templates}/desk/${word}.yaml`)) return argv;
  return [...argv.slice(0, 2), ...args.slice(0, i), "exchange", ...args.slice(i)];
}
