/**
 * An exchange account's API credentials, from where DESIGN.md allows them: the environment or a
 * file only its owner can read. Never from a template, never into a log or an error message.
 *
 * - Environment: `CRYPY_<EXCHANGE>_API_KEY`, `_SECRET`, and `_PASSWORD` (the passphrase some
 *   exchanges, e.g. bitget, require). `<EXCHANGE>` is the ccxt id upper-cased.
 * - File: YAML (or JSON) `{ apiKey, secret, password? }`. Its mode must give nothing to group or
 *   others (0600 or 0400): a key readable by other users of the machine is refused, naming the
 *   file and its mode, before the file is even read.
 * - The result is a Credentials object whose secret fields are not enumerable and whose
 *   `toJSON`/inspect print "[redacted]", so a stray log call or JSON.stringify shows nothing.
 *   Errors name the variable or file that is wrong, never a value.
 */
import { readFile, stat } from "node:fs/promises";
import { inspect } from "node:util";
import { parse } from "yaml";
import { InvalidInputError } from "../../domain/errors.js";

/** Where CcxtVenue finds an account's keys. `env` defaults to process.env. */
export type CredentialsSource =
  | { env: true; variables?: Readonly<Record<string, string | undefined>> }
  | { file: string };

export class Credentials {
  declare readonly apiKey: string;
  declare readonly secret: string;
  declare readonly password?: string;

  constructor(fields: { apiKey: string; secret: string; password?: string | undefined }) {
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) Object.defineProperty(this, name, { value, enumerable: false });
    }
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "Credentials [redacted]";
  }
}

const FILE_FIELDS = new Set(["apiKey", "secret", "password"]);

/**
 * Reads credentials for exchange `exchange` from `source`.
 *
 * @example
 * await resolveCredentials("binance", { env: true }); // CRYPY_BINANCE_API_KEY, CRYPY_BINANCE_SECRET
 * await resolveCredentials("binance", { file: "/home/me/.crypy/binance.yaml" });
 */
export async function resolveCredentials(
  exchange: string,
  source: CredentialsSource,
): Promise<Credentials> {
  if ("file" in source) return fromFile(source.file);
  const vars = source.variables ?? process.env;
  const prefix = `CRYPY_${exchange.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_`;
  const read = (name: string) => {
    const value = vars[prefix + name];
    return value === undefined || value === "" ? undefined : value;
  };
  const apiKey = read("API_KEY");
  const secret = read("SECRET");
  const missing = [apiKey ? "" : `${prefix}API_KEY`, secret ? "" : `${prefix}SECRET`].filter(
    (n) => n !== "",
  );
  if (apiKey === undefined || secret === undefined) {
    throw new InvalidInputError(
      `no ${exchange} credentials in the environment: set ${missing.join(" and ")}`,
    );
  }
  return new Credentials({ apiKey, secret, password: read("PASSWORD") });
}

async function fromFile(file: string): Promise<Credentials> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InvalidInputError(`credentials file ${file}: ${code}`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, "0");
    throw new InvalidInputError(
      `credentials file ${file} has mode ${octal}; it must be readable by its owner only ` +
        `(chmod 600 ${file})`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(await readFile(file, "utf8"));
  } catch {
    // The parser's message may quote the file's text, which is a secret.
    throw new InvalidInputError(`credentials file ${file} is not valid YAML or JSON`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new InvalidInputError(`credentials file ${file} must be a mapping { apiKey, secret }`);
  }
  const fields = doc as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FILE_FIELDS.has(key)) {
      throw new InvalidInputError(
        `credentials file ${file}: unknown field ${JSON.stringify(key)} (expected apiKey, secret, password)`,
      );
    }
  }
  const text = (name: string, required: boolean): string | undefined => {
    const value = fields[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value === "") {
      throw new InvalidInputError(`credentials file ${file}: ${name} must be a non-empty string`);
    }
    return value;
  };
  return new Credentials({
    apiKey: text("apiKey", true) as string,
    secret: text("secret", true) as string,
    password: text("password", false),
  });
}
