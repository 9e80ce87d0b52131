/** `crypy nats config`: a NATS server for crypy, with its accounts and permissions. */
import type { Command } from "commander";
import { action } from "./program.js";

export function registerNats(program: Command): void {
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
        const { natsConfigCommand } = await import("./nats-config.js");
        return natsConfigCommand(options, process.stdout);
      }),
    );
}
