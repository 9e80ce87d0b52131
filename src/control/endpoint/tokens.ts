/**
 * Endpoint tokens: an operator token and an optional read-only one. Checked in constant time — a
 * comparison of fixed-length digests — so the time taken tells nothing about a guess.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { InvalidInputError } from "../../domain/errors.js";

export interface EndpointTokens {
  operator?: string | undefined;
  read?: string | undefined;
}

export const OPERATOR_TOKEN_ENV = "CRYPY_CONTROL_TOKEN";
export const READ_TOKEN_ENV = "CRYPY_CONTROL_READ_TOKEN";
/** Shortest token accepted: a guessable token is no protection. */
const MIN_TOKEN_LENGTH = 16;

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The role a token grants, or undefined. Both are compared, so timing does not tell which matched. */
export function roleOfToken(
  tokens: EndpointTokens,
  given: string,
): "operator" | "read" | undefined {
  const operator = tokens.operator !== undefined && sameSecret(given, tokens.operator);
  const read = tokens.read !== undefined && sameSecret(given, tokens.read);
  return operator ? "operator" : read ? "read" : undefined;
}

export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * Tokens from the environment, checked against where the endpoints bind: any address but loopback
 * needs an operator token, and every token must be long enough.
 */
export function endpointTokens(host: string, env: NodeJS.ProcessEnv = process.env): EndpointTokens {
  const operator = env[OPERATOR_TOKEN_ENV] || undefined;
  const read = env[READ_TOKEN_ENV] || undefined;
  for (const [name, value] of [
    [OPERATOR_TOKEN_ENV, operator],
    [READ_TOKEN_ENV, read],
  ] as const) {
    if (value !== undefined && value.length < MIN_TOKEN_LENGTH)
      throw new InvalidInputError(`${name} must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if (read !== undefined && operator === undefined)
    throw new InvalidInputError(`${READ_TOKEN_ENV} needs ${OPERATOR_TOKEN_ENV} too`);
  if (!isLoopback(host) && operator === undefined) {
    throw new InvalidInputError(
      `control endpoints on ${host} would be reachable from other machines: set ${OPERATOR_TOKEN_ENV} (at least ${MIN_TOKEN_LENGTH} characters), or bind to 127.0.0.1`,
    );
  }
  return { operator, read };
}
