/**
 * Text from the bus made safe to print: anyone who can publish can put control characters in an
 * actor id, a state or an event field, and a terminal obeys them (clear the screen, retitle the
 * window, move the cursor, fake a prompt, reorder what is shown).
 *
 * Invariants (each one is tested):
 * - The result holds no C0 control (U+0000–U+001F; terminalText keeps `\n` and `\t`), no DEL, no C1
 *   control (U+0080–U+009F, CSI among them), no bidirectional override, embedding, isolate or mark,
 *   and no line or paragraph separator (U+2028, U+2029). ESC sequences are therefore inert.
 * - Each character taken out stays visible: as its `\uXXXX` escape (terminalLine, terminalText,
 *   terminalJson), or as U+FFFD where a column is a column (terminalCell, for laid-out screens).
 * - Every other character, printable Unicode of any script, is kept as it is; text with nothing
 *   to take out is returned unchanged.
 * - terminalJson is still JSON for the same value: only characters inside strings are escaped.
 */

/** True for a character a terminal may act on rather than show. */
function unsafe(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

const escaped = (code: number) => `\\u${code.toString(16).padStart(4, "0")}`;

function replaceUnsafe(
  text: string,
  keep: (code: number) => boolean,
  replacement: (code: number) => string,
): string {
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (unsafe(code) && !keep(code)) break;
    i++;
  }
  if (i === text.length) return text;
  let out = text.slice(0, i);
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    out += unsafe(code) && !keep(code) ? replacement(code) : text[i];
  }
  return out;
}

const none = () => false;
const lineBreaks = (code: number) => code === 0x0a || code === 0x09;

/**
 * One line for a terminal: every control character shown as its escape, line breaks included.
 *
 * @example
 * terminalLine("a\u001b[2Jb"); // 'a\\u001b[2Jb' (prints as a\u001b[2Jb)
 */
export function terminalLine(text: string): string {
  return replaceUnsafe(text, none, escaped);
}

/** Several lines for a terminal (a command's reply): as terminalLine, keeping `\n` and tabs. */
export function terminalText(text: string): string {
  return replaceUnsafe(text, lineBreaks, escaped);
}

/**
 * One line for a laid-out screen (the dashboard): each control character becomes U+FFFD, one
 * column, so cut widths stay right.
 */
export function terminalCell(text: string): string {
  return replaceUnsafe(text, none, () => "\ufffd");
}

/**
 * JSON of `value` for a terminal: JSON.stringify escapes C0 controls but not DEL, C1 or bidi
 * controls; those are escaped too, so the line is the same JSON and inert on a terminal.
 */
export function terminalJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, undefined, space);
  return json === undefined ? "undefined" : replaceUnsafe(json, lineBreaks, escaped);
}
