/**
 * A command's value as text for people: a table for a list of records, aligned `key: value` lines
 * for a record, one line per item for a list, the text itself for a string, and "ok" for nothing.
 *
 * Nothing is ever cut: a reply is read over telnet or nc, often to copy an id from it, and a
 * shortened value would be a wrong one.
 */

export function render(value: unknown): string {
  if (value === undefined || value === null) return "ok";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return "(none)";
    if (value.every(isRecord)) return table(value);
    return value.map((item) => cell(item)).join("\n");
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return "(none)";
    const width = Math.max(...keys.map((k) => k.length));
    return keys.map((k) => `${`${k}:`.padEnd(width + 1)} ${cell(value[k])}`).join("\n");
  }
  return cell(value);
}

function table(rows: readonly Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const row of rows)
    for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (parts: readonly string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(columns), ...cells.map(line)].join("\n");
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return "-";
  if (typeof value === "string") return value;
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
