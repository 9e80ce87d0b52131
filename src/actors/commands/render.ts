/**
 * A command's value as text for people: a table for a list of records, aligned `key: value` lines
 * for a record, one line per item for a list, the text itself for a string, and "ok" for nothing.
 */

/** Table cells are cut here so one long value does not push every column off the screen. */
const MAX_CELL = 60;

export function render(value: unknown): string {
  if (value === undefined || value === null) return "ok";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return "(none)";
    if (value.every(isRecord)) return table(value);
    return value.map(cell).join("\n");
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
  const cells = rows.map((row) => columns.map((c) => cell(row[c], MAX_CELL)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (parts: readonly string[]) =>
    parts
      .map((p, i) => p.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(columns), ...cells.map(line)].join("\n");
}

function cell(value: unknown, max = Number.POSITIVE_INFINITY): string {
  let text: string;
  if (value === undefined || value === null) text = "-";
  else if (typeof value === "string") text = value;
  else if (typeof value === "number")
    text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
  else if (typeof value === "bigint" || typeof value === "boolean") text = String(value);
  else text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
