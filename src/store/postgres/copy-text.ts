/**
 * Rows as PostgreSQL's COPY text format: one line per row, fields separated by tabs, `\N` for
 * NULL, and backslash, tab, newline and carriage return escaped, so any text (JSON included)
 * arrives byte for byte.
 */

export type CopyField = string | number | bigint | null;

function escapeField(field: CopyField): string {
  if (field === null) return "\\N";
  const text = typeof field === "string" ? field : String(field);
  return /[\\\t\n\r]/.test(text)
    ? text.replace(
        /[\\\t\n\r]/g,
        (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!,
      )
    : text;
}

export function copyLine(fields: readonly CopyField[]): string {
  return `${fields.map(escapeField).join("\t")}\n`;
}

/** Epoch ms as an exact timestamptz literal. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
