/**
 * A REPL in a window over the dashboard: a scrolling output log above an input line that shows
 * the core's prompt. The dashboard hands it every key while it is open, so nothing typed here
 * reaches the dashboard's own keys. When a step returns `next`, the popup switches to that core
 * without closing the old one (the next core may wrap it); only the core in use when the REPL
 * ends is closed.
 */
import blessed from "blessed";
import type { ReplCore } from "../repl/types.js";
import { type KeyEvent, LineEditor } from "./line-editor.js";
import { esc } from "./tags.js";

/** Output lines kept; older ones scroll away for good. */
const OUTPUT_LIMIT = 2_000;

export class ReplPopup {
  private core: ReplCore;
  private readonly editor = new LineEditor();
  private readonly output: string[] = [];
  private busy = false;
  private closing: Promise<void> | undefined;
  private readonly box: blessed.Widgets.BoxElement;
  private readonly log: blessed.Widgets.BoxElement;
  private readonly input: blessed.Widgets.BoxElement;

  /**
   * @param changed called when the popup needs drawing (its output grew, it closed).
   * @param gone called once, when the popup leaves the screen, with the closing of its core.
   */
  constructor(
    screen: blessed.Widgets.Screen,
    core: ReplCore,
    private readonly changed: () => void,
    private readonly gone: (closing: Promise<void>) => void,
  ) {
    this.core = core;
    this.box = blessed.box({
      parent: screen,
      top: "center",
      left: "center",
      width: "90%",
      height: "80%",
      border: { type: "line" },
      tags: true,
      style: { border: { fg: "cyan" } },
    });
    this.log = blessed.box({
      parent: this.box,
      top: 0,
      bottom: 1,
      left: 0,
      right: 0,
      tags: true,
      scrollable: true,
      alwaysScroll: true,
    });
    this.input = blessed.box({
      parent: this.box,
      bottom: 0,
      left: 0,
      right: 0,
      height: 1,
      tags: true,
    });
    this.print(
      "{gray-fg}Enter runs a line, Tab completes, ↑↓ history, PgUp/PgDn scroll, Esc closes{/gray-fg}",
    );
    this.update();
  }

  key(ch: string | undefined, key: KeyEvent): void {
    if (this.closing !== undefined) return;
    switch (key.full) {
      case "escape":
        void this.close();
        return;
      case "enter":
      case "linefeed":
        this.submit().catch((error: unknown) => this.fail(error));
        return;
      case "return":
        // blessed emits "enter" and then "return" for one press of Enter; "enter" handled it.
        return;
      case "tab":
        this.complete().catch((error: unknown) => this.fail(error));
        return;
      case "pageup":
      case "pagedown": {
        const page = Math.max(1, height(this.log) - 1);
        this.log.scroll(key.full === "pageup" ? -page : page);
        this.changed();
        return;
      }
    }
    if (this.editor.key(ch, key)) this.update();
  }

  /** Takes the window off the screen and closes the core; safe to call more than once. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.box.destroy();
      this.closing = this.core.close();
      this.gone(this.closing);
      this.changed();
    }
    return this.closing;
  }

  private async submit(): Promise<void> {
    if (this.busy) return;
    const line = this.editor.take();
    this.print(`{bold}${esc(this.core.prompt())}${esc(line)}{/bold}`);
    this.busy = true;
    this.update();
    const step = await this.core.run(line);
    this.busy = false;
    if (this.closing !== undefined) return;
    if (step.text !== "") {
      for (const l of step.text.replace(/\n$/, "").split("\n")) this.print(esc(l));
    }
    if (step.next !== undefined) this.core = step.next;
    if (step.exit === true) {
      void this.close();
      return;
    }
    this.update();
  }

  private async complete(): Promise<void> {
    const line = this.editor.text;
    const [hits, part] = await this.core.complete(line);
    // The user kept typing while completions were computed: they no longer apply.
    if (this.closing !== undefined || this.editor.text !== line || hits.length === 0) return;
    const common = commonPrefix(hits);
    if (common.length > part.length && line.endsWith(part)) {
      this.editor.set(line.slice(0, line.length - part.length) + common);
    } else if (hits.length > 1) {
      this.print(`{gray-fg}${esc(hits.join("  "))}{/gray-fg}`);
    }
    this.update();
  }

  /** A core that breaks its contract (run or complete rejects) is shown, never left to crash. */
  private fail(error: unknown): void {
    this.busy = false;
    if (this.closing !== undefined) return;
    this.print(
      `{red-fg}${esc(`error: ${error instanceof Error ? error.message : String(error)}`)}{/red-fg}`,
    );
    this.update();
  }

  private print(taggedLine: string): void {
    this.output.push(taggedLine);
    if (this.output.length > OUTPUT_LIMIT) this.output.splice(0, this.output.length - OUTPUT_LIMIT);
    this.log.setContent(this.output.join("\n"));
    this.log.setScrollPerc(100);
  }

  /** Redraws the label and the input line, e.g. after a resize. */
  update(): void {
    const name = this.core.prompt().replace(/[>\s]+$/, "");
    this.box.setLabel(` ${esc(name)} `);
    const prompt = this.busy ? "… " : this.core.prompt();
    this.input.setContent(this.editor.render(prompt, Math.max(10, width(this.input))));
    this.changed();
  }
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? "";
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

// blessed's types allow string sizes ("50%"); once laid out, the getters return numbers.
function width(el: blessed.Widgets.BoxElement): number {
  return typeof el.width === "number" ? el.width : 0;
}

function height(el: blessed.Widgets.BoxElement): number {
  return typeof el.height === "number" ? el.height : 0;
}
