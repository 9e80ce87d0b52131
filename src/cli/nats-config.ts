/**
 * `crypy nats config`: writes a nats-server configuration with one user per role and a
 * credentials file per user, each with a fresh random password.
 *
 * Invariants: the folder is 0700 and every file 0600 (the configuration holds every password);
 * existing files are replaced only with --force, each by an atomic rename of a 0600 file, so no
 * file is ever readable by others, even for a moment; no password is ever printed.
 */
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatCredentials } from "../bus/nats/credentials.js";
import { renderServerConfig, type ServerUser } from "../bus/nats/server-config.js";
import { inboxPrefix, ROLES } from "../bus/subjects.js";
import { stateDir } from "../control/registry/state-dir.js";
import { InvalidInputError } from "../domain/errors.js";

export const SERVER_CONFIG_FILE = "nats-server.conf";
export const DEFAULT_LISTEN = "127.0.0.1:4222";

export interface NatsConfigOptions {
  /** Folder for the configuration and the credentials (default: <state dir>/nats). */
  out?: string | undefined;
  /** `host:port` for clients (default 127.0.0.1:4222). */
  listen?: string | undefined;
  /** Replace files already there. */
  force?: boolean | undefined;
}

/** `<role>.creds.json`: the credentials file of one role's user. */
export function credentialsFile(role: string): string {
  return `${role}.creds.json`;
}

/** `host:port`, `[v6]:port` → itself, checked; anything else → InvalidInputError. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (match === null || port < 1 || port > 65_535) {
    throw new InvalidInputError(
      `--listen ${JSON.stringify(text)}: expected host:port, e.g. 127.0.0.1:4222 or 0.0.0.0:4222`,
    );
  }
  return { host: match[1]!, port };
}

/** 32 random bytes, base64url: no character a config file or a shell would treat specially. */
function newPassword(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * @example
 * await natsConfigCommand({ out: "/srv/crypy/nats", listen: "0.0.0.0:4222" }, process.stdout);
 */
export async function natsConfigCommand(
  options: NatsConfigOptions,
  out: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const dir = options.out ?? join(stateDir(env), "nats");
  const { host, port } = parseListen(options.listen ?? DEFAULT_LISTEN);
  const listen = `${host}:${port}`;
  await privateFolder(dir);

  const users: ServerUser[] = ROLES.map((role) => ({ role, password: newPassword() }));
  const files = [
    {
      path: join(dir, SERVER_CONFIG_FILE),
      // JetStream's store beside the configuration, absolute: the server may start elsewhere.
      text: renderServerConfig({ listen, users, storeDir: resolve(dir, "jetstream") }),
    },
    ...users.map(({ role, password }) => ({
      path: join(dir, credentialsFile(role)),
      text: formatCredentials({ user: role, password, inboxPrefix: inboxPrefix(role) }),
    })),
  ];
  if (options.force !== true) {
    const existing = await firstExisting(files.map((f) => f.path));
    if (existing !== undefined) {
      throw new InvalidInputError(
        `${existing} already exists: pass --force to replace every file in ${dir} (new passwords: restart nats-server and every crypy process with the new files)`,
      );
    }
  }
  for (const f of files) await writePrivate(f.path, f.text);

  const url = `nats://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}`;
  const width = Math.max(...ROLES.map((r) => r.length));
  out.write(
    [
      `wrote ${join(dir, SERVER_CONFIG_FILE)} (listen ${listen}; mode 0600: it holds every password)`,
      "wrote one credentials file per role (mode 0600):",
      ...ROLES.map((role) => `  ${role.padEnd(width)}  ${join(dir, credentialsFile(role))}`),
      "",
      "next:",
      `  nats-server -c ${join(dir, SERVER_CONFIG_FILE)}`,
      `  crypy --nats ${url} --nats-creds ${join(dir, credentialsFile("node"))} sim`,
      "",
    ].join("\n"),
  );
  return 0;
}

/** Creates `dir` 0700, or accepts it when it exists and only its owner may enter it. */
async function privateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  if (!info.isDirectory()) throw new InvalidInputError(`--out ${dir} is not a folder`);
  if ((info.mode & 0o077) !== 0) {
    throw new InvalidInputError(
      `${dir} is open to others (mode ${(info.mode & 0o777).toString(8)}): run \`chmod 700 ${dir}\` or choose another --out; it will hold passwords`,
    );
  }
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await lstat(path);
      return path;
    } catch {
      // absent: fine
    }
  }
  return undefined;
}

/** Writes a new 0600 file next to `path`, then renames it over `path`. */
async function writePrivate(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    // The umask may have narrowed the mode further; never widened it, but make it exact.
    await chmod(temp, 0o600);
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, path);
}
