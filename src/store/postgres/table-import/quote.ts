/**
 * Identifiers of a table someone else made, for SQL: always double-quoted with any `"` doubled,
 * so a name is only ever a name (spaces, capitals, quotes and SQL in it included), never SQL.
 */

import { InvalidInputError } from "../../../domain/errors.js";

/** `"a""b"` for `a"b`. */
export function quoteIdent(name: string): string {
  if (name.includes("\u0000")) throw new InvalidInputError("an identifier cannot hold NUL");
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.table` or `table`, quoted. */
export function quoteTable(table: string): string {
  const parts = table.split(".");
  if (parts.length > 2 || parts.some((p) => p === "")) {
    throw new InvalidInputError(
      `--table: expected table or schema.table, got ${JSON.stringify(table)}`,
    );
  }
  return parts.map(quoteIdent).join(".");
}
