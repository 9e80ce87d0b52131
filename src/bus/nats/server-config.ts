/**
 * The nats-server configuration for a permissioned crypy deployment: one account, one user per
 * role, each user's publish/subscribe allow lists taken from `rolePermissions` (subjects.ts), so
 * the server refuses whatever a role may not say. Checked against nats-server 2.9 (`-t`).
 *
 * Invariants: a role with nothing to publish gets `deny: [">"]` (a permissions block without
 * `publish` would allow every publish); responders get `allow_responses` for one reply per
 * request, for as long as crypy's longest request may wait.
 */
import { type Role, rolePermissions } from "../subjects.js";

export interface ServerUser {
  readonly role: Role;
  readonly password: string;
}

export interface ServerConfigOptions {
  /** `host:port` the server listens on for clients. */
  readonly listen: string;
  readonly users: readonly ServerUser[];
  /**
   * Where JetStream keeps its streams (the Desk's `--journal jetstream`): enables JetStream for
   * crypy's account. None: no JetStream.
   */
  readonly storeDir?: string;
}

/** The account every crypy user belongs to. */
export const ACCOUNT = "CRYPY";

/**
 * How long a responder may answer a request it received. The longest wait in crypy is a Trader's
 * proposal, which a Holder may review for tens of minutes of wall time in a live session.
 */
export const RESPONSE_WINDOW = "2h";

/** One line per role, for the configuration's comments and `crypy nats config --help`. */
export const ROLE_DUTIES: Readonly<Record<Role, string>> = {
  desk: "publishes market data, balances and execution reports; serves orders and its cache",
  holder: "serves Trader proposals; reads Trader reports, balances and heartbeats",
  trader: "sends orders, proposals and reports; reads market data and its execution reports",
  operator: "the only role that sends control commands (crypy.ctl.*); reads everything",
  observer: "reads market data and actor events; publishes nothing",
  recorder: "publishes (and reads) market data",
  node: "an all-in-one process (crypy sim --nats): desk + holder + trader, and the observer's reads",
};

/**
 * @example
 * renderServerConfig({ listen: "127.0.0.1:4222", users: [{ role: "trader", password }] });
 */
export function renderServerConfig(options: ServerConfigOptions): string {
  const lines = [
    "# nats-server configuration for crypy, written by `crypy nats config`.",
    "# It holds every user's password: keep it mode 0600, readable by the server's user alone.",
    "# Each role's subjects come from crypy's subject grammar (src/bus/subjects.ts).",
    `listen: ${quote(options.listen)}`,
    ...(options.storeDir === undefined
      ? []
      : [
          "# JetStream, for the Desk's journal (crypy <exchange> --journal jetstream). nats-server",
          "# 2.9 acknowledges a message once written to the OS and fsyncs every 2 minutes: an entry",
          "# survives a crash of either process, a power cut only after that fsync (or replicas).",
          `jetstream { store_dir: ${quote(options.storeDir)} }`,
        ]),
    "",
    "accounts {",
    `  ${ACCOUNT} {`,
    ...(options.storeDir === undefined ? [] : ["    jetstream: enabled"]),
    "    users = [",
    ...options.users.flatMap((u) => user(u).map((line) => `      ${line}`)),
    "    ]",
    "  }",
    "}",
    "",
  ];
  return lines.join("\n");
}

function user({ role, password }: ServerUser): string[] {
  const p = rolePermissions(role);
  const publish = p.publish.length === 0 ? `deny = ${list([">"])}` : `allow = ${list(p.publish)}`;
  return [
    `# ${role}: ${ROLE_DUTIES[role]}`,
    "{",
    `  user: ${quote(role)}`,
    `  password: ${quote(password)}`,
    "  permissions {",
    `    publish { ${publish} }`,
    `    subscribe { allow = ${list(p.subscribe)} }`,
    ...(p.respond ? [`    allow_responses { max: 1, expires: ${quote(RESPONSE_WINDOW)} }`] : []),
    "  }",
    "}",
  ];
}

function list(subjects: readonly string[]): string {
  return `[${subjects.map(quote).join(", ")}]`;
}

/** A JSON string is a valid nats-server config string for what crypy writes (no `$`, no `\`). */
function quote(text: string): string {
  return JSON.stringify(text);
}
