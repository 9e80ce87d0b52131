/**
 * The crypy command line: wires commands to the modules that do the work, nothing else. Each
 * command loads its modules when it runs, so `crypy --help` starts fast.
 */
import { existsSync, readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import type { Bus } from "../src/bus/bus.js";

type BusTools = typeof import("../src/control/bus-tools.js");

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

/** Parses a positive whole number option; commander names the option in the error. */
function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError("must be a positive whole number");
  return n;
}

/** Parses a TCP port option (1-65535); commander names the option in the error. */
function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65_535)
    throw new InvalidArgumentError("must be a port: a whole number from 1 to 65535");
  return n;
}

/**
 * Runs a command body; a crypy error prints as `crypy: code: message` and exits 1. The message may
 * come from the bus (an actor's error reply), so its control characters are made inert.
 */
function action<A extends unknown[]>(body: (...args: A) => Promise<number | undefined>) {
  return async (...args: A) => {
    try {
      const code = await body(...args);
      if (code !== undefined) process.exitCode = code;
    } catch (err) {
      const { formatError } = await import("../src/domain/errors.js");
      const { terminalText } = await import("../src/domain/terminal-text.js");
      process.stderr.write(`crypy: ${terminalText(formatError(err))}\n`);
      process.exitCode = 1;
    }
  };
}

interface GlobalFlags {
  nats?: string;
  natsCreds?: string;
}

// Code that opens its own bus (a session) reads the credentials from the environment.
program.hook("preAction", () => {
  const creds = program.opts<GlobalFlags>().natsCreds;
  if (creds !== undefined) process.env.CRYPY_NATS_CREDS = creds;
});

async function openBus() {
  const { createBus } = await import("../src/bus/select.js");
  const { nats, natsCreds } = program.opts<GlobalFlags>();
  return createBus({ natsUrl: nats, natsCreds, name: "crypy-cli" });
}

/** Opens the NATS bus for `crypy bus <command>`, runs `body`, and always closes the bus. */
async function withNatsBus(command: string, body: (bus: Bus, tools: BusTools) => Promise<void>) {
  const tools = await import("../src/control/bus-tools.js");
  const b = await openBus();
  try {
    tools.requireNats(b, command);
    await body(b, tools);
  } finally {
    await b.close();
  }
  return 0;
}

program
  .command("doctor")
  .description("check this machine and run a round trip through the selected bus")
  .option("--json", "print the checks as one JSON document")
  .action(
    action(async (options: { json?: boolean }) => {
      const d = await import("../src/control/doctor.js");
      const { selectedNatsUrl } = await import("../src/bus/select.js");
      const url = selectedNatsUrl({ natsUrl: program.opts<{ nats?: string }>().nats });
      const checks = [d.checkNode(), d.checkNatsServer()];
      try {
        const bus = await openBus();
        checks.push(await d.checkBus(bus, url === undefined ? "embedded bus" : `NATS at ${url}`));
        await bus.close();
      } catch (err) {
        const { formatError } = await import("../src/domain/errors.js");
        checks.push({ name: "bus", ok: false, detail: formatError(err) });
      }
      const passed = d.doctorPassed(checks);
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ ok: passed, checks }, null, 2)}\n`
          : `${d.formatChecks(checks)}\n${passed ? "crypy is ready." : "crypy is not ready: see FAIL above."}\n`,
      );
      return passed ? 0 : 1;
    }),
  );

const bus = program
  .command("bus")
  .description("publish, subscribe and request on a NATS bus (needs --nats)");

bus
  .command("pub")
  .description("publish one message (JSON, or text sent as a JSON string)")
  .argument("<subject>", "subject to publish on")
  .argument("[payload]", "message body")
  .action(
    action((subject: string, payload: string | undefined) =>
      withNatsBus("pub", async (b, tools) => {
        b.publish(subject, tools.parsePayload(payload));
        await b.flush();
      }),
    ),
  );

bus
  .command("sub")
  .description("print messages on a subject (wildcards * and > allowed) as JSON lines until Ctrl-C")
  .argument("<subject>", "subject or pattern")
  .option("--count <n>", "exit after this many messages", positiveInt)
  .action(
    action(async (subject: string, options: { count?: number }) => {
      const tools = await import("../src/control/bus-tools.js");
      const b = await openBus();
      tools.requireNats(b, "sub");
      let seen = 0;
      await new Promise<void>((resolve) => {
        b.subscribe(subject, (data, info) => {
          process.stdout.write(`${tools.formatMessage(info.subject, data)}\n`);
          if (options.count !== undefined && ++seen >= options.count) resolve();
        });
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await b.drain();
      return 0;
    }),
  );

bus
  .command("req")
  .description(
    "send a request and print the reply; an error reply prints as code: message. A control request ({line} or {command, args} on crypy.ctl.<actor>) is signed by this machine's operator key",
  )
  .argument("<subject>", "subject to request on")
  .argument("[payload]", "request body")
  .option("--timeout <ms>", "how long to wait for the reply", positiveInt, 5_000)
  .action(
    action((subject: string, payload: string | undefined, options: { timeout: number }) =>
      withNatsBus("req", async (b, tools) => {
        const request = tools.requestPayload(subject, tools.parsePayload(payload));
        const reply = await b.request(subject, request, { timeoutMs: options.timeout });
        process.stdout.write(`${tools.formatReply(reply)}\n`);
      }),
    ),
  );

const nats = program
  .command("nats")
  .description("a NATS server for crypy: accounts and permissions");

nats
  .command("config")
  .description(
    "write a nats-server configuration with one user per role and their permissions, and one credentials file per user (random passwords)",
  )
  .option(
    "--out <dir>",
    "folder for the files (default: the state dir's nats/, e.g. ~/.local/state/crypy/nats)",
  )
  .option("--listen <host:port>", "where nats-server listens for clients", "127.0.0.1:4222")
  .option("--force", "replace the files already there (every password changes)")
  .addHelpText(
    "after",
    `
Roles (one NATS user each; subjects from crypy's subject grammar):
  desk       publishes market data, balances and execution reports; serves orders and its cache
  holder     serves Trader proposals; reads Trader reports, balances and heartbeats
  trader     sends orders, proposals and reports; reads market data and its execution reports
  operator   the only role that sends control commands (crypy.ctl.*); reads everything
  observer   reads market data and actor events; publishes nothing
  recorder   publishes (and reads) market data
  node       an all-in-one process (crypy sim --nats): desk + holder + trader, and the observer's reads

node is for today's all-in-one processes: crypy sim --nats runs the Desk, its Holders and Traders
in one process on one connection, so that user holds the union of the desk, holder and trader
permissions, and the observer's reads for the session's own event lines. Its control commands
(stdin, the dashboard) need the operator: run crypy attach / crypy bus req with operator creds.

Each user reads replies only on its own inbox prefix (_INBOX_<user>) and may answer the requests
it receives. The configuration holds every password (mode 0600); each <role>.creds.json holds one.
Then: nats-server -c <dir>/nats-server.conf, and crypy --nats URL --nats-creds <dir>/<role>.creds.json ...`,
  )
  .action(
    action(async (options: { out?: string; listen: string; force?: boolean }) => {
      const { natsConfigCommand } = await import("../src/cli/nats-config.js");
      return natsConfigCommand(options, process.stdout);
    }),
  );

const data = program
  .command("data")
  .description("the local market-data store: import candle or trade files, list what is stored");

data
  .command("import")
  .description(
    "import a candle (Binance kline dump or OHLCV CSV) or trade dump file; re-importing is idempotent",
  )
  .argument("<file>", "a .csv or .csv.gz file")
  .requiredOption("--market <symbol>", "market symbol, e.g. BTC/USDT")
  .option("--timeframe <tf>", "candle timeframe to store", "1m")
  .option("--venue <name>", "which venue the data is from", "binance")
  .option("--kind <kind>", "candles or trades (default: detected)")
  .action(
    action(
      async (
        file: string,
        options: { market: string; timeframe: string; venue: string; kind?: string },
      ) => {
        const { dataImport } = await import("../src/control/data-commands.js");
        await dataImport(file, options, process.stdout);
        return 0;
      },
    ),
  );

data
  .command("ls")
  .description("list stored series with their ranges and gaps")
  .option("--json", "print JSON")
  .action(
    action(async (options: { json?: boolean }) => {
      const { dataList } = await import("../src/control/data-commands.js");
      await dataList(options, process.stdout);
      return 0;
    }),
  );

program
  .command("backtest")
  .description("backtest a strategy on a market through the full exchange simulator")
  .requiredOption(
    "--strategy <name|file>",
    "a built-in (sma-cross, ema-cross, rsi-reversion, bollinger-breakout, donchian-breakout, macd) or a strategy file (.ts, .js)",
  )
  .option("--params <list>", "parameters, e.g. fast=10,slow=30 (others take their defaults)")
  .requiredOption("--market <symbol>", "market symbol, e.g. BTC/USDT")
  .option(
    "--data <file>",
    "candles or trades from this CSV (.csv/.csv.gz) instead of the store or the venue's own data",
  )
  .option("--from <date>", "first candle, e.g. 2023-03-05 or 2023-03-05T12:00Z (UTC when no zone)")
  .option("--to <date>", "end of the range (exclusive)")
  .option("--timeframe <tf>", "candle timeframe (resampled from finer data)", "1m")
  .option("--venue <file>", "venue file with the market's rules (default: venues/sim.yaml)")
  .option("--capital <amount>", "starting capital in the quote currency", "10000")
  .option("--fraction <f>", "fraction of capital per position", (v) => Number(v), 1)
  .option("--sweep", "search the strategy's parameter ranges and report the best")
  .option(
    "--candidates <n>",
    "parameter sets in a sweep (grid if it fits, else seeded random)",
    positiveInt,
    100,
  )
  .option(
    "--walk-forward <folds>",
    "fit in-sample and measure out-of-sample over this many folds",
    positiveInt,
  )
  .option(
    "--objective <name>",
    "what a sweep maximises: sharpe, sortino, calmar, totalReturn, cagr, profitFactor, expectancy",
    "sharpe",
  )
  .option("--workers <n>", "parallel workers for sweeps (default: CPU count)", positiveInt)
  .option("--seed <n>", "seed for random sweeps", (v) => Number.parseInt(v, 10), 42)
  .option("--json", "print one JSON document (metrics, trades, equity curve)")
  .option("--report <file>", "write a standalone HTML report")
  .action(
    action(async (options: Record<string, unknown>) => {
      const { backtestCommand } = await import("../src/control/backtest-command.js");
      return backtestCommand(options as never, {
        out: process.stdout,
        err: process.stderr,
        interactive: process.stdout.isTTY === true,
      });
    }),
  );

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
    .option("--speed <n|max>", "simulated seconds per real second, or max (a virtual clock)", "60")
    .option(
      "--exit-after <duration>",
      "stop cleanly after this much simulated time, e.g. 30m, 6h, 2d",
    )
    .option(
      "--history <duration>",
      "simulated market history before the session starts, so Traders warm up at once",
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

async function runSession(exchange: string, flags: SessionFlags): Promise<number> {
  const { exchangeCommand } = await import("../src/control/session/exchange-command.js");
  return exchangeCommand(
    exchange,
    {
      ...flags,
      watch: flags.watch
        ?.split(",")
        .map((m) => m.trim())
        .filter(Boolean),
      nats: program.opts<{ nats?: string }>().nats,
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

sessionCommand(
  program
    .command("sim")
    .description(
      "run the whole system — Desk, Holders, Traders — on the simulated venue, with a live dashboard (crypy <exchange> with the simulator)",
    ),
).action(action((flags: SessionFlags) => runSession("sim", flags)));

sessionCommand(
  program
    .command("exchange <name>", { hidden: true })
    .description("a terminal session on the Desk of <name> (also: crypy <name>)"),
).action(action((name: string, flags: SessionFlags) => runSession(name, flags)));

async function natsIfAsked(): Promise<Bus | undefined> {
  const url = program.opts<{ nats?: string }>().nats;
  if (url === undefined) return undefined;
  return openBus();
}

async function withReach<T>(body: (bus: Bus | undefined) => Promise<T>): Promise<T> {
  const bus = await natsIfAsked();
  try {
    return await body(bus);
  } finally {
    await bus?.close();
  }
}

program
  .command("actors")
  .description("list running actors: id, kind, state, control address")
  .option("--json", "print JSON")
  .action(
    action((options: { json?: boolean }) =>
      withReach(async (bus) => {
        const { actorsCommand } = await import("../src/control/session/cli-commands.js");
        return actorsCommand(bus, options.json === true, process.stdout);
      }),
    ),
  );

program
  .command("attach <actor>")
  .description("a command line on a running actor (line editing, history, tab completion)")
  .option("--read-only", "ask for the read-only role")
  .action(
    action((actor: string, options: { readOnly?: boolean }) =>
      withReach(async (bus) => {
        const { attachCommand } = await import("../src/control/session/cli-commands.js");
        return attachCommand(actor, { bus, readOnly: options.readOnly });
      }),
    ),
  );

program
  .command("invest [asset]")
  .description(
    "the invest REPL of a running Holder: capital, traders, proposals, accept/refuse, trade <pair>",
  )
  .option("--desk <id>", "the Desk (default: the only one running)")
  .action(
    action((asset: string | undefined, options: { desk?: string }) =>
      withReach(async (bus) => {
        const { investCommand } = await import("../src/control/session/cli-commands.js");
        return investCommand(asset, { bus, desk: options.desk });
      }),
    ),
  );

program
  .command("trade <pair>")
  .description("the trade REPL of a pair's running Trader: position, enter, adjust sl|tp, exit")
  .option("--desk <id>", "the Desk (default: the only one running)")
  .action(
    action((pair: string, options: { desk?: string }) =>
      withReach(async (bus) => {
        const { tradeCommand } = await import("../src/control/session/cli-commands.js");
        return tradeCommand(pair, { bus, desk: options.desk });
      }),
    ),
  );

/**
 * `crypy <exchange> …` is `crypy exchange <exchange> …` when the templates hold a desk template
 * of that name; any other unknown word stays an unknown command.
 */
async function routeExchange(argv: string[]): Promise<string[]> {
  const args = argv.slice(2);
  const withValue = new Set(["--nats", "--nats-creds"]);
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) i += withValue.has(args[i]!) ? 2 : 1;
  const word = args[i];
  if (word === undefined || word === "help" || !/^[a-z0-9][a-z0-9_-]*$/i.test(word)) return argv;
  const known = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (known.includes(word)) return argv;
  const at = args.indexOf("--templates", i);
  const { userTemplatesDir } = await import("../src/control/session/user-templates.js");
  const templates = at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : userTemplatesDir();
  if (!existsSync(`${templates}/desk/${word}.yaml`)) return argv;
  return [...argv.slice(0, 2), ...args.slice(0, i), "exchange", ...args.slice(i)];
}

await program.parseAsync(await routeExchange(process.argv));
