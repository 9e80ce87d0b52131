/**
 * What is wrong with a config file, and where. An Issue names a field by its path in the parsed
 * data; source.ts turns it into `file:line:col: path: message`, one line per issue, all issues in
 * one ConfigError.
 */

import type { z } from "zod";
import { InvalidInputError } from "../domain/errors.js";

export type PathSegment = string | number;

export interface Issue {
  readonly path: readonly PathSegment[];
  /** One line, no trailing period, e.g. `expected a positive decimal string like "0.01", got "abc"`. */
  readonly message: string;
  /** Point at the key rather than its value (unknown keys, bad record keys). */
  readonly at?: "key";
}

/** An Issue placed in its file; `line` and `column` are 1-based. */
export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The field as printed, e.g. `markets."BTC/USDT".tickSize`. */
  readonly field: string;
  readonly message: string;
}

/** Shown when a file has more issues than this; the rest are counted, not listed. */
const MAX_LISTED = 50;

/**
 * A config file that cannot be used. The message has one line per issue, each
 * `file:line:col: field: message`, sorted by position; `issues` holds the same, structured.
 */
export class ConfigError extends InvalidInputError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
    const lines = sorted.slice(0, MAX_LISTED).map(formatIssue);
    if (sorted.length > MAX_LISTED) lines.push(`… and ${sorted.length - MAX_LISTED} more issues`);
    super(lines.join("\n"), options);
    this.issues = Object.freeze(sorted.map((issue) => Object.freeze(issue)));
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.field}: ${issue.message}`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * @example
 * formatPath(["markets", "BTC/USDT", "tickSize"]); // 'markets."BTC/USDT".tickSize'
 * formatPath(["faults", "disconnects", 0, "afterMs"]); // "faults.disconnects[0].afterMs"
 */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return "(top level)";
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const name = IDENTIFIER.test(segment) ? segment : JSON.stringify(segment);
      out += out === "" ? name : `.${name}`;
    }
  }
  return out;
}

/**
 * zod's issues → ours: one issue per unknown key (pointing at that key), a bad record key pointing
 * at the key, a missing field said so, and every "expected …" followed by what the file has.
 */
export function issuesFromZod(zodIssues: readonly z.core.$ZodIssue[], data: unknown): Issue[] {
  const out: Issue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        out.push({ path: [...path, key], message: issue.message, at: "key" });
    } else if (issue.code === "invalid_key") {
      out.push({ path, message: issue.issues[0]?.message ?? issue.message, at: "key" });
    } else {
      out.push({ path, message: withFound(issue.message, path, data) });
    }
  }
  return out;
}

function withFound(message: string, path: readonly PathSegment[], data: unknown): string {
  const found = lookup(data, path);
  if (found === MISSING) return `missing, ${message}`;
  return message.startsWith("expected ") ? `${message}, got ${describe(found)}` : message;
}

const MISSING = Symbol("missing");

function lookup(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const segment of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, segment)) return MISSING;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return node;
}

const SHOWN_CHARS = 40;

/** A value from the file as a human would name it: `"abc"`, `0.01`, `an empty value`, `a list`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (typeof value === "string") {
    const shown = JSON.stringify(value);
    return shown.length > SHOWN_CHARS ? `${shown.slice(0, SHOWN_CHARS)}…"` : shown;
  }
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") {
    return Object.keys(value).length === 0 ? "an empty mapping" : "a mapping";
  }
  return String(value);
}
