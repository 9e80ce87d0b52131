/**
 * An actor's Ed25519 identity: a key pair, and the counters its signed messages carry.
 *
 * Invariants:
 * - The private key never leaves this object: no getter, no serialised form (`toJSON` shows the
 *   public key only), and on disk only in a file of mode 0600 inside a directory of mode 0700.
 * - `publicKey` is base64 of the raw 32-byte key (RFC 8032): what mandates name, what peers trust.
 * - A key loaded from a state directory is the same key on every restart; a file that is not a
 *   key, or is readable by others, is refused with an error naming the file (never replaced: that
 *   would silently change an identity others trust).
 * - Signatures are over bytes a caller built canonically (signedBytes), behind a domain tag per
 *   message kind, so one kind's signature never passes as another's.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";

/** DER header of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const RAW_KEY = /^[A-Za-z0-9+/]{43}=$/;
const FILE_NAME = /^[A-Za-z0-9_.-]{1,200}$/;

export class ActorKeys {
  readonly publicKey: string;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
    this.publicKey = spki.subarray(SPKI_PREFIX.length).toString("base64");
  }

  /** A fresh key pair, kept in memory only (tests, backtests). */
  static generate(): ActorKeys {
    return new ActorKeys(generateKeyPairSync("ed25519").privateKey);
  }

  /**
   * The key pair of `name` in `dir` (created, 0600, on first use): the same identity across
   * restarts.
   */
  static load(dir: string, name: string): ActorKeys {
    const file = keyFile(dir, name);
    if (!existsSync(file)) {
      const keys = ActorKeys.generate();
      const pem = keys.#privateKey.export({ format: "pem", type: "pkcs8" }).toString();
      // Written whole and renamed into place: a crash never leaves half a key.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, pem, { mode: 0o600 });
      renameSync(tmp, file);
      return keys;
    }
    checkPrivate(file);
    try {
      return new ActorKeys(createPrivateKey({ key: readFileSync(file, "utf8"), format: "pem" }));
    } catch (cause) {
      throw new InvalidInputError(`${file} is not an Ed25519 private key`, { cause });
    }
  }

  /** Base64 Ed25519 signature of `bytes`. */
  sign(bytes: Buffer): string {
    return sign(null, bytes, this.#privateKey).toString("base64");
  }

  toJSON(): { publicKey: string } {
    return { publicKey: this.publicKey };
  }
}

const publicKeys = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE = 10_000;

/** True iff `signature` (base64) is `publicKey`'s signature of `bytes`; never throws. */
export function verifySignature(publicKey: string, bytes: Buffer, signature: unknown): boolean {
  if (typeof signature !== "string" || signature.length !== 88) return false;
  const key = publicKeyObject(publicKey);
  if (key === undefined) return false;
  try {
    return verify(null, bytes, key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/** True iff `text` is the base64 of a raw 32-byte Ed25519 public key. */
export function isPublicKey(text: unknown): text is string {
  return typeof text === "string" && publicKeyObject(text) !== undefined;
}

function publicKeyObject(text: string): KeyObject | undefined {
  if (typeof text !== "string") return undefined;
  // Only keys that passed the checks below are cached: a hit needs none of them again.
  let key = publicKeys.get(text);
  if (key !== undefined) return key;
  if (!RAW_KEY.test(text)) return undefined;
  const raw = Buffer.from(text, "base64");
  if (raw.toString("base64") !== text) return undefined;
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
  if (publicKeys.size >= PUBLIC_KEY_CACHE) publicKeys.clear();
  publicKeys.set(text, key);
  return key;
}

/**
 * The bytes a message of kind `tag` is signed over: its fields in one fixed order, as a JSON array
 * behind the tag. Rebuilt from the fields by signer and verifier alike, never taken from the wire.
 *
 * @example
 * signedBytes("crypy-order-v1", ["sim-main", 7]).toString(); // '["crypy-order-v1","sim-main",7]'
 */
export function signedBytes(tag: string, fields: readonly unknown[]): Buffer {
  return Buffer.from(JSON.stringify([tag, ...fields]), "utf8");
}

/** The state directory's folder of keys, created private. */
export function keysDir(stateDir: string): string {
  const dir = join(stateDir, "keys");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  return dir;
}

function keyFile(dir: string, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (!FILE_NAME.test(safe))
    throw new InvalidInputError(`no key file name for ${JSON.stringify(name)}`);
  return join(dir, `${safe}.key`);
}

function checkPrivate(file: string): void {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new InvalidInputError(
      `${file} is readable by others (mode ${mode.toString(8)}): a private key must be 0600 (chmod 600 ${file})`,
    );
  }
}
