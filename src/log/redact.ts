/**
 * Secret scrubbing for everything crypy logs. Invariants (each one is tested):
 *
 * - A value under a secret key is replaced by "[redacted]" at any depth, inside objects, arrays,
 *   class instances and Errors. A key is secret when its name, lower-cased and stripped of `-`
 *   and `_`, equals or ends with a name in SECRET_KEY_NAMES (`x-mbx-apikey`, `binanceApiSecret`).
 * - Inside strings, `key=value` / `key: value` / `"key":"value"` pairs with a secret key (query
 *   strings of signed URLs, headers, JSON text), `Bearer <token>` and the password of a URL's
 *   user info (`nats://user:secret@host`) lose their value.
 * - The caller's value is never mutated. When nothing needed scrubbing the value itself is
 *   returned (no allocation); otherwise a copy that keeps each object's prototype.
 * - Cycles become "[Circular]" (what pino prints for them); objects nested deeper than
 *   MAX_SCRUB_DEPTH become "[depth]". A value's `toJSON` is honoured, so a URL is scrubbed as the
 *   string it serializes to.
 */

export const REDACTED = "[redacted]";
export const CIRCULAR = "[Circular]";
export const TOO_DEEP = "[depth]";
export const MAX_SCRUB_DEPTH = 32;

/**
 * The one list of secret key names. Spellings that differ only in case, `-` and `_` are the same
 * name: `apiKey` also covers `api_key`, `apikey`, `API-KEY`.
 */
export const SECRET_KEY_NAMES: readonly string[] = Object.freeze([
  "apiKey",
  "x-mbx-apikey",
  "secret",
  "apiSecret",
  "secretKey",
  "privateKey",
  "token",
  "accessToken",
  "refreshToken",
  "password",
  // nats.js's connect option; a key ending in it (`bypass`) is redacted too, which is harmless
  "pass",
  "passphrase",
  "authorization",
  "signature",
  "cookie",
]);

/** `apiKey` → `a[-_]*p[-_]*i[-_]*k[-_]*e[-_]*y`: matches every spelling without normalizing. */
function spellingPattern(name: string): string {
  return [...name.replace(/[-_]/g, "")].join("[-_]*");
}

const secretNames = SECRET_KEY_NAMES.map(spellingPattern).join("|");
const secretKeyPattern = new RegExp(`(?:${secretNames})[-_]*$`, "i");

/**
 * Secret key, then `=`/`:` (a JSON key's closing quote allowed), then the value. An already
 * redacted value is matched whole, so scrubbing twice changes nothing.
 */
const keyedValuePattern = new RegExp(
  `(?<![\\w-])([\\w-]*?(?:${secretNames})[-_]*["']?\\s*[=:]\\s*)` +
    `(\\[redacted\\]|(?:Bearer|Basic|Digest|Token)\\s+[^\\s,;&"']+|"[^"]*"|'[^']*'|[^\\s&#,;"'}\\]]*)`,
  "gi",
);
const bearerPattern = /\bBearer\s+[\w\-.~+/]+=*/gi;
/** `scheme://user:password@`: the password ends at the `@` (a `/` first means it was a port). */
const urlPasswordPattern = /(\b[a-z][a-z\d+.-]*:\/\/[^\s/?#@:]*:)([^\s/@]+)@/gi;

export function isSecretKey(key: string): boolean {
  return secretKeyPattern.test(key);
}

/** Scrubs secrets written inside a string; returns the same string when there are none. */
export function scrubString(text: string): string {
  return text
    .replace(keyedValuePattern, (match, key: string, value: string) => {
      if (value === REDACTED) return match;
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : "";
      return `${key}${quote}${REDACTED}${quote}`;
    })
    .replace(bearerPattern, `Bearer ${REDACTED}`)
    .replace(urlPasswordPattern, `$1${REDACTED}@`);
}

interface Walk {
  /** Objects on the path from the root to the current value: meeting one again is a cycle. */
  readonly ancestors: Set<object>;
  /** Results for objects already walked, so shared (non-cyclic) references are walked once. */
  readonly done: Map<object, unknown>;
}

/**
 * Returns `value` with every secret replaced by "[redacted]"; see the module header for the rules.
 * The static type is kept for convenience: nested secret values become strings.
 *
 * @example
 * scrubSecrets({ venue: { apiKey: "k" }, url: "/order?symbol=BTCUSDT&signature=ab12" })
 * // → { venue: { apiKey: "[redacted]" }, url: "/order?symbol=BTCUSDT&signature=[redacted]" }
 */
export function scrubSecrets<T>(value: T): T {
  if (typeof value === "string") return scrubString(value) as T;
  if (typeof value !== "object" || value === null) return value;
  return scrubValue(value, 0, { ancestors: new Set(), done: new Map() }) as T;
}

function scrubValue(value: unknown, depth: number, walk: Walk): unknown {
  if (typeof value === "string") return scrubString(value);
  if (typeof value !== "object" || value === null) return value;
  if (isOpaque(value)) return value;
  if (walk.ancestors.has(value)) return CIRCULAR;
  if (walk.done.has(value)) return walk.done.get(value);
  if (depth >= MAX_SCRUB_DEPTH) return TOO_DEEP;

  walk.ancestors.add(value);
  let result: unknown;
  if (Array.isArray(value)) result = scrubArray(value, depth, walk);
  else if (value instanceof Error) result = scrubError(value, depth, walk);
  else if (hasToJSON(value)) result = scrubToJSON(value, depth, walk);
  else result = scrubObject(value as Record<string, unknown>, depth, walk);
  walk.ancestors.delete(value);
  walk.done.set(value, result);
  return result;
}

/** Values whose JSON form cannot hold a secret, or is too costly to walk (binary data). */
function isOpaque(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value)
  );
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}

function scrubToJSON(value: { toJSON(): unknown }, depth: number, walk: Walk): unknown {
  const json = value.toJSON();
  if (json === value) return scrubObject(value as Record<string, unknown>, depth, walk);
  const scrubbed = scrubValue(json, depth + 1, walk);
  // Unchanged: keep the original, the serializer calls toJSON itself.
  return scrubbed === json ? value : scrubbed;
}

function scrubEntry(key: string, value: unknown, depth: number, walk: Walk): unknown {
  return isSecretKey(key) ? REDACTED : scrubValue(value, depth + 1, walk);
}

function scrubArray(items: readonly unknown[], depth: number, walk: Walk): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const scrubbed = scrubValue(item, depth + 1, walk);
    if (copy === undefined) {
      if (scrubbed === item) continue;
      copy = items.slice(0, i);
    }
    copy.push(scrubbed);
  }
  return copy ?? (items as unknown[]);
}

/** Own enumerable properties: what JSON serialization shows of a plain object or class instance. */
function scrubObject(
  obj: Record<string, unknown>,
  depth: number,
  walk: Walk,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const value = obj[key];
    const scrubbed = scrubEntry(key, value, depth, walk);
    if (copy === undefined) {
      if (scrubbed === value) continue;
      copy = copyUntil(obj, key);
    }
    defineOwn(copy, key, scrubbed, true);
  }
  return copy ?? obj;
}

/** A copy of `obj` holding its own enumerable properties that come before `stop`. */
function copyUntil(obj: Record<string, unknown>, stop: string): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(obj)) as Record<string, unknown>;
  for (const key in obj) {
    if (key === stop) break;
    if (Object.hasOwn(obj, key)) defineOwn(copy, key, obj[key], true);
  }
  return copy;
}

/**
 * Every own property of an Error (message, stack, cause and errors are not enumerable), scrubbed,
 * on a copy with the same prototype and enumerability, so the err serializer still sees an Error
 * of the same class.
 */
function scrubError(err: Error, depth: number, walk: Walk): Error {
  const names = Object.getOwnPropertyNames(err);
  const record = err as unknown as Record<string, unknown>;
  const values = names.map((name) => record[name]);
  const scrubbed = names.map((name, i) => scrubEntry(name, values[i], depth, walk));
  if (scrubbed.every((value, i) => value === values[i])) return err;

  const copy = Object.create(Object.getPrototypeOf(err)) as Error;
  names.forEach((name, i) => {
    const enumerable = Object.getOwnPropertyDescriptor(err, name)?.enumerable ?? false;
    defineOwn(copy as unknown as Record<string, unknown>, name, scrubbed[i], enumerable);
  });
  return copy;
}

/** defineProperty rather than assignment: a key such as `__proto__` must stay a plain key. */
function defineOwn(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
  enumerable: boolean,
): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}
