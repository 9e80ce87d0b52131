import { describe, expect, it } from "vitest";
import { type KeyEvent, LineEditor } from "../../../src/control/dashboard/line-editor.js";

/** Types text the way blessed reports it: one keypress per character. */
function type(editor: LineEditor, text: string): void {
  for (const ch of text) editor.key(ch, { full: ch });
}
const key = (full: string): KeyEvent => ({ full, name: full });

describe("dashboard line editor", () => {
  it("dashboard - typed characters, including q, are text", () => {
    const e = new LineEditor();
    type(e, "quit now");
    expect(e.text).toBe("quit now");
  });

  it("dashboard - the cursor moves, deletes and kills like readline", () => {
    const e = new LineEditor();
    type(e, "allocate 100");
    e.key(undefined, key("home"));
    e.key(undefined, key("delete"));
    expect(e.text).toBe("llocate 100");
    e.key(undefined, key("end"));
    e.key(undefined, key("backspace"));
    expect(e.text).toBe("llocate 10");
    e.key(undefined, key("C-w"));
    expect(e.text).toBe("llocate ");
    e.key(undefined, key("left"));
    e.key(undefined, key("C-k"));
    expect(e.text).toBe("llocate");
    e.key(undefined, key("C-u"));
    expect(e.text).toBe("");
  });

  it("dashboard - Enter, Escape, Tab and control keys are left to the caller", () => {
    const e = new LineEditor();
    expect(e.key("\r", key("enter"))).toBe(false);
    expect(e.key("\x1b", key("escape"))).toBe(false);
    expect(e.key("\t", key("tab"))).toBe(false);
    expect(e.key("x", { full: "C-x", ctrl: true })).toBe(false);
    expect(e.text).toBe("");
  });

  it("dashboard - up and down walk the history and come back to the draft", () => {
    const e = new LineEditor();
    type(e, "first");
    expect(e.take()).toBe("first");
    type(e, "second");
    e.take();
    type(e, "draft");
    e.key(undefined, key("up"));
    expect(e.text).toBe("second");
    e.key(undefined, key("up"));
    e.key(undefined, key("up"));
    expect(e.text).toBe("first");
    e.key(undefined, key("down"));
    e.key(undefined, key("down"));
    expect(e.text).toBe("draft");
  });

  it("dashboard - the rendered line shows the cursor and escapes braces", () => {
    const e = new LineEditor();
    type(e, "{x}");
    expect(e.render("> ", 40)).toBe("> {open}x{close}{inverse} {/inverse}");
    e.key(undefined, key("home"));
    expect(e.render("> ", 40)).toBe("> {inverse}{open}{/inverse}x{close}");
  });

  it("dashboard - a long line scrolls so the cursor stays in view", () => {
    const e = new LineEditor();
    type(e, "x".repeat(100));
    const plain = e.render(": ", 20).replace(/\{\/?inverse\}/g, "");
    expect(Array.from(plain).length).toBeLessThanOrEqual(20);
    expect(plain.endsWith("x ")).toBe(true);
  });
});
