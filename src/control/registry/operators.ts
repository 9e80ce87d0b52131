/**
 * The operators a machine trusts on the bus, from its state directory:
 *
 *   keys/operator.key           this machine's operator (its tools sign with it): `operator:local`
 *   keys/operators/<name>.pub   another machine's operator public key: `operator:<name>`
 *
 * A `.pub` file holds the base64 public key that machine's `keys/operator.pub` shows (lines
 * starting with `#` are comments). Whoever can write these files chooses the operators, so a
 * folder or file writable by group or others is refused, as ssh refuses such an authorized_keys.
 *
 * Keys are read again whenever the files changed (their times, sizes and modes: a few stats per
 * signed request, a parse only after a change): a key added, one removed (revoked), or the first
 * tool run creating `operator.key` counts from the next request on, without a restart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { TrustedOperators } from "../../actors/commands/operator.js";
import { ActorKeys, isPublicKey } from "../../actors/identity/keys.js";
import type { Logger } from "../../log/logger.js";
import { stateDir } from "./state-dir.js";

/** The name of this machine's own operator key in `keys/`, and its name in the audit log. */
export const OPERATOR_KEY_NAME = "operator";
export const LOCAL_OPERATOR = "local";
const OPERATORS_DIR = "operators";
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function operatorKeysDir(dir: string = stateDir()): string {
  return join(dir, "keys");
}

export class StateDirOperators implements TrustedOperators {
  private byKey = new Map<string, string>();
  /** What the files looked like when last read; undefined: never read. */
  private readAs: string | undefined;
  /** Problems already logged: a reload each second must not repeat them. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly stateDir: string,
    private readonly log?: Logger,
  ) {}

  nameOf(publicKey: string): string | undefined {
    this.fresh();
    return this.byKey.get(publicKey);
  }

  /** Every trusted operator, by name (for people: `operator:<name>`). */
  names(): string[] {
    this.fresh();
    return [...this.byKey.values()].sort();
  }

  private fresh(): void {
    const now = this.fingerprint();
    if (now !== this.readAs) this.load(now);
  }

  /** The times and sizes of the folders and files trust is read from. */
  private fingerprint(): string {
    const keys = operatorKeysDir(this.stateDir);
    const others = join(keys, OPERATORS_DIR);
    const paths = [keys, join(keys, `${OPERATOR_KEY_NAME}.key`), others];
    try {
      for (const file of readdirSync(others).sort()) paths.push(join(others, file));
    } catch {
      // No folder of other operators.
    }
    return paths
      .map((path) => {
        try {
          const s = statSync(path);
          return `${path} ${s.mtimeMs} ${s.ctimeMs} ${s.size} ${s.mode}`;
        } catch {
          return `${path} -`;
        }
      })
      .join("\n");
  }

  private load(fingerprint: string): void {
    this.readAs = fingerprint;
    const byKey = new Map<string, string>();
    const keys = operatorKeysDir(this.stateDir);
    const own = join(keys, `${OPERATOR_KEY_NAME}.key`);
    if (existsSync(own)) {
      try {
        byKey.set(ActorKeys.load(keys, OPERATOR_KEY_NAME).publicKey, LOCAL_OPERATOR);
      } catch (err) {
        this.warn(own, "the operator key is not trusted", { err });
      }
    }
    const others = join(keys, OPERATORS_DIR);
    if (existsSync(others) && this.notWritableByOthers(others)) {
      for (const file of readdirSync(others).sort()) {
        if (!file.endsWith(".pub")) continue;
        const name = file.slice(0, -".pub".length);
        const path = join(others, file);
        if (!NAME.test(name) || name === LOCAL_OPERATOR) {
          this.warn(path, "an operator key file needs a name of [A-Za-z0-9_.-], not local");
          continue;
        }
        if (!this.notWritableByOthers(path)) continue;
        const key = publicKeyIn(path);
        if (key === undefined) {
          this.warn(path, "not an Ed25519 public key (base64 of 32 bytes)");
          continue;
        }
        if (!byKey.has(key)) byKey.set(key, name);
      }
    }
    this.byKey = byKey;
  }

  private notWritableByOthers(path: string): boolean {
    try {
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o022) === 0) return true;
      this.warn(path, `operator keys writable by others are not trusted (chmod go-w ${path})`);
    } catch {
      // Gone meanwhile.
    }
    return false;
  }

  private warn(file: string, problem: string, fields: Record<string, unknown> = {}): void {
    if (this.warned.has(`${file} ${problem}`)) return;
    this.warned.add(`${file} ${problem}`);
    this.log?.warn({ file, ...fields }, problem);
  }
}

function publicKeyIn(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("#"));
  return isPublicKey(line) ? line : undefined;
}
