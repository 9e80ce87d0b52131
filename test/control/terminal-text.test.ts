/**
 * Text from the bus on its way to a terminal: the sanitiser's invariants, and the places that
 * print what others published (event lines, replies, `crypy bus sub`, the telnet session).
 */
import { describe, expect, it } from "vitest";
import { CommandSet } from "../../src/actors/commands/interpreter.js";
import { formatMessage } from "../../src/cli/bus-tools.js";
import { replyForPeople } from "../../src/control/client/channel.js";
import { formatEventLine } from "../../src/control/dashboard/event-line.js";
import { esc } from "../../src/control/dashboard/tags.js";
import { CommandSession } from "../../src/control/endpoint/session.js";
import {
  terminalCell,
  terminalJson,
  terminalLine,
  terminalText,
} from "../../src/domain/terminal-text.js";

const EVIL = "\u001b[2J\u001b]0;pwned\u0007";
/** Every character a terminal may act on: C0, DEL, C1, bidi controls, line separators. */
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x061c,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
].map((code) => String.fromCharCode(code));
/** The control characters in `text`, but those in `keep`. */
const controlsIn = (text: string | undefined, keep = "") =>
  [...(text ?? "")].filter((c) => CONTROLS.includes(c) && !keep.includes(c));

describe("terminal text - the sanitiser", () => {
  it("terminal text - an ESC sequence shows as its escapes and cannot act", () => {
    expect(terminalLine(EVIL)).toBe("\\u001b[2J\\u001b]0;pwned\\u0007");
    expect(terminalCell(EVIL)).toBe("\ufffd[2J\ufffd]0;pwned\ufffd");
  });

  it("terminal text - no control character survives, each one stays visible", () => {
    for (const c of CONTROLS) {
      const line = terminalLine(`a${c}b`);
      expect(controlsIn(line)).toEqual([]);
      expect(line).toBe(`a\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}b`);
      expect(terminalCell(`a${c}b`)).toBe("a\ufffdb");
    }
    // Several lines keep their breaks and tabs, nothing else.
    expect(terminalText("one\ttwo\nthree\r\u009b31m")).toBe("one\ttwo\nthree\\u000d\\u009b31m");
  });

  it("terminal text - printable Unicode of any script is kept as it is, the same string", () => {
    const text = "BTC/USDT ✓ ünïcödé 日本語 עברית 🚀👩‍💻 €";
    expect(terminalLine(text)).toBe(text);
    expect(terminalText(text)).toBe(text);
    expect(terminalCell(text)).toBe(text);
  });

  it("terminal text - terminalJson is the same JSON value with nothing a terminal acts on", () => {
    const value = { id: EVIL, state: "a\u009b2J\u007f\u202e", n: 1, list: ["ok"] };
    const json = terminalJson(value);
    expect(controlsIn(json)).toEqual([]);
    expect(JSON.parse(json)).toEqual(value);
    expect(terminalJson({ a: 1 }, 1)).toBe('{\n "a": 1\n}');
  });
});

describe("terminal text - where bus text is printed", () => {
  it("terminal text - an event line is one inert line, whatever its fields hold", () => {
    const line = formatEventLine({
      ts: 0,
      actor: EVIL,
      event: "desk.halted\nfake line",
      reason: "x\u009b2J",
      nested: { s: "\u0085" },
    });
    expect(controlsIn(line)).toEqual([]);
    expect(line).toContain("\\u001b[2J\\u001b]0;pwned\\u0007 desk.halted\\u000afake line");
    expect(line).toContain('reason=x\\u009b2J nested={"s":"\\u0085"}');
  });

  it("terminal text - a reply's text, code and message arrive inert; its value as it was", () => {
    const reply = replyForPeople({
      ok: false,
      code: `x${EVIL}`,
      message: `m${EVIL}`,
      text: `line 1\n${EVIL}`,
      value: EVIL,
    });
    expect(reply.text).toBe("line 1\n\\u001b[2J\\u001b]0;pwned\\u0007");
    expect(controlsIn(reply.code)).toEqual([]);
    expect(controlsIn(reply.message)).toEqual([]);
    expect(reply.value).toBe(EVIL);
    expect(replyForPeople("garbage")).toEqual({
      ok: false,
      text: "bad_payload: an answer without text",
    });
  });

  it("terminal text - crypy bus sub prints each message as inert JSON", () => {
    const line = formatMessage("crypy.sys.hb.x", { id: EVIL, state: "\u009b" });
    expect(controlsIn(line)).toEqual([]);
    expect(JSON.parse(line)).toEqual({
      subject: "crypy.sys.hb.x",
      data: { id: EVIL, state: "\u009b" },
    });
  });

  it("terminal text - the dashboard's escaping keeps tags and control characters out", () => {
    expect(controlsIn(esc(`{red-fg}${EVIL}`))).toEqual([]);
    expect(esc("{red-fg}")).not.toBe("{red-fg}");
  });

  it("terminal text - a telnet session writes replies without control characters, text or JSON", async () => {
    const target = {
      id: "a",
      kind: "desk",
      commandSet: new CommandSet("a", [
        { name: "show", usage: "show", summary: "s", run: () => ({ id: EVIL, state: "\u009b2J" }) },
      ]),
    };
    const session = new CommandSession(target, "127.0.0.1:1", {});
    const text = (await session.line("show")).text;
    expect(controlsIn(text, "\n")).toEqual([]);
    expect(text).toContain("id:    \\u001b[2J\\u001b]0;pwned\\u0007\n");
    await session.line("mode json");
    const record = (await session.line("show")).text;
    expect(record.startsWith("\u001e")).toBe(true);
    expect(controlsIn(record.slice(1, -1))).toEqual([]);
    expect(JSON.parse(record.slice(1)).value).toEqual({ id: EVIL, state: "\u009b2J" });
  });
});
