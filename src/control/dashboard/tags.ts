/**
 * Styling for blessed-tagged text. Every text that comes from the feed goes through `esc` before
 * tags are added, so a market or an event line containing `{` cannot restyle the screen, and one
 * containing a control character cannot reach the terminal (it shows as U+FFFD, one column, so
 * cut widths stay right; the feed has already shown what it could as `\u001b` escapes).
 */
import blessed from "blessed";
import { terminalCell } from "../../domain/terminal-text.js";
import { truncate } from "./format.js";

/** Text as it is, for a tagged line: inert tags, no control characters. */
export function esc(text: string): string {
  return blessed.escape(terminalCell(text));
}

/** blessed tag names, e.g. `["white-fg", "red-bg"]`. */
export type Style = readonly string[];

/** Escaped text wrapped in the style's tags. */
export function styled(text: string, style?: Style): string {
  if (style === undefined || style.length === 0) return esc(text);
  const open = style.map((s) => `{${s}}`).join("");
  const close = [...style]
    .reverse()
    .map((s) => `{/${s}}`)
    .join("");
  return `${open}${esc(text)}${close}`;
}

/** Green for a `+` number, red for a `-` one. */
export function signStyle(cell: string): Style | undefined {
  const t = cell.trim();
  if (t.startsWith("+")) return ["green-fg"];
  if (t.startsWith("-")) return ["red-fg"];
  return undefined;
}

/** A panel's first line: `─ Name extra ───────`, `width` columns. */
export function title(name: string, width: number, extra = ""): string {
  const head = truncate(` ${name} ${extra ? `${extra} ` : ""}`, Math.max(0, width - 1));
  const rule = "─".repeat(Math.max(0, width - Array.from(head).length - 1));
  return `{cyan-fg}─{bold}${esc(head)}{/bold}${rule}{/cyan-fg}`;
}
