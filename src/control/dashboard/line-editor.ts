/**
 * A one-line editor with history, driven by blessed key events, for the dashboard's command line
 * and its REPL popups. It is ours rather than blessed's `textbox` because a textbox reading input
 * grabs every key of the screen (and its `inputOnFocus` re-grabs them on focus), which makes it
 * hard to be sure that `q` typed into a line never quits the dashboard. Here the view routes keys
 * explicitly: while a line is being edited, only the editor sees them.
 */
import { esc } from "./tags.js";

/** The part of blessed's key event the editor reads. */
export interface KeyEvent {
  name?: string | undefined;
  full?: string | undefined;
  ctrl?: boolean | undefined;
  meta?: boolean | undefined;
}

/** Lines kept for up/down; older ones are forgotten. */
const HISTORY_LIMIT = 200;

export class LineEditor {
  /** The line as code points, so the cursor never splits a surrogate pair. */
  private chars: string[] = [];
  private cursor = 0;
  private readonly history: string[] = [];
  /** Position while browsing history; `history.length` is the line being written. */
  private browsing = 0;
  private draft = "";

  get text(): string {
    return this.chars.join("");
  }

  set(text: string): void {
    this.chars = Array.from(text);
    this.cursor = this.chars.length;
  }

  /** Returns the line, remembers it for up/down, and empties the editor. */
  take(): string {
    const line = this.text;
    if (line.trim() !== "" && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    this.browsing = this.history.length;
    this.set("");
    return line;
  }

  /**
   * Applies one key; returns false when the key is not an editing key (Enter, Escape, Tab, … are
   * the caller's).
   */
  key(ch: string | undefined, key: KeyEvent): boolean {
    switch (key.full) {
      case "left":
      case "C-b":
        this.cursor = Math.max(0, this.cursor - 1);
        return true;
      case "right":
      case "C-f":
        this.cursor = Math.min(this.chars.length, this.cursor + 1);
        return true;
      case "home":
      case "C-a":
        this.cursor = 0;
        return true;
      case "end":
      case "C-e":
        this.cursor = this.chars.length;
        return true;
      case "backspace":
      case "C-h":
        if (this.cursor > 0) this.chars.splice(--this.cursor, 1);
        return true;
      case "delete":
      case "C-d":
        this.chars.splice(this.cursor, 1);
        return true;
      case "C-u":
        this.chars.splice(0, this.cursor);
        this.cursor = 0;
        return true;
      case "C-k":
        this.chars.splice(this.cursor);
        return true;
      case "C-w": {
        let start = this.cursor;
        while (start > 0 && this.chars[start - 1] === " ") start--;
        while (start > 0 && this.chars[start - 1] !== " ") start--;
        this.chars.splice(start, this.cursor - start);
        this.cursor = start;
        return true;
      }
      case "up":
        this.recall(-1);
        return true;
      case "down":
        this.recall(1);
        return true;
    }
    if (ch === undefined || key.ctrl || key.meta || !isPrintable(ch)) return false;
    const typed = Array.from(ch);
    this.chars.splice(this.cursor, 0, ...typed);
    this.cursor += typed.length;
    return true;
  }

  /**
   * The line for a row of `width` columns: the cursor drawn as an inverse character, scrolled
   * horizontally so the cursor stays visible, as blessed-tagged text.
   */
  render(prompt: string, width: number): string {
    const room = Math.max(1, width - Array.from(prompt).length - 1);
    const start = Math.max(0, this.cursor - room + 1);
    const before = this.chars.slice(start, this.cursor).join("");
    const at = this.chars[this.cursor] ?? " ";
    const after = this.chars.slice(this.cursor + 1, start + room).join("");
    return `${esc(prompt)}${esc(before)}{inverse}${esc(at)}{/inverse}${esc(after)}`;
  }

  private recall(step: number): void {
    if (this.browsing === this.history.length) this.draft = this.text;
    const next = Math.min(this.history.length, Math.max(0, this.browsing + step));
    if (next === this.browsing) return;
    this.browsing = next;
    this.set(next === this.history.length ? this.draft : this.history[next]!);
  }
}

function isPrintable(ch: string): boolean {
  // Control characters (including Tab, Enter, Escape, DEL) are never text.
  for (const c of ch) {
    const code = c.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}
