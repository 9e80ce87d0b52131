/**
 * A crypy NATS credentials file: one role's user, password and inbox prefix, written by
 * `crypy nats config` and read by every crypy process given `--nats-creds FILE` (or
 * CRYPY_NATS_CREDS). The format is one JSON object, nothing else:
 *
 *   { "user": "trader", "password": "<random>", "inboxPrefix": "_INBOX_trader" }
 *
 * Invariants: a file that others (group or world) may read or write is refused before it is
 * read, as ssh refuses a private key; no error message ever holds the password.
 */
import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { InvalidInputError } from "../../domain/errors.js";

export interface NatsCredentials {
  readonly user: string;
  readonly password: string;
  /** Where this user's replies arrive; the server lets only this user subscribe under it. */
  readonly inboxPrefix: string;
}

const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

const credentialsSchema = z.strictObject({
  user: z.string().regex(SUBJECT_TOKEN, "letters, digits, '_' or '-'"),
  password: z.string().min(16, "at least 16 characters"),
  inboxPrefix: z.string().regex(SUBJECT_TOKEN, "one subject token, e.g. _INBOX_trader"),
});

/** The file's text for `credentials` (what `crypy nats config` writes). */
export function formatCredentials(credentials: NatsCredentials): string {
  const { user, password, inboxPrefix } = credentials;
  return `${JSON.stringify({ user, password, inboxPrefix }, null, 2)}\n`;
}

/**
 * Reads and checks a credentials file.
 *
 * @example
 * const creds = await readCredentials("/home/me/.local/state/crypy/nats/node.creds.json");
 * await NatsBus.connect("nats://127.0.0.1:4222", { credentials: creds });
 */
export async function readCredentials(file: string): Promise<NatsCredentials> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (err) {
    throw new InvalidInputError(`NATS credentials ${file}: ${reason(err)}`, { cause: err });
  }
  if ((mode & 0o077) !== 0) {
    throw new InvalidInputError(
      `NATS credentials ${file} can be read or written by others (mode ${(mode & 0o777).toString(8)}): run \`chmod 600 ${file}\``,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    // JSON.parse quotes the text it stopped at, which may be the password: keep only its kind.
    const what = err instanceof SyntaxError ? "is not JSON" : reason(err);
    throw new InvalidInputError(`NATS credentials ${file} ${what}`);
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(file)";
    throw new InvalidInputError(
      `NATS credentials ${file}: ${field}: ${issue?.message ?? "invalid"} (expected {"user", "password", "inboxPrefix"}, as \`crypy nats config\` writes)`,
    );
  }
  return Object.freeze(parsed.data);
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  return err instanceof Error ? err.message : String(err);
}
