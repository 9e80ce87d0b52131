import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DecoderEvent, TelnetDecoder } from "../../../src/control/endpoint/telnet-decoder.js";

const IAC = 255;
const [DONT, DO, WONT, WILL, SB] = [254, 253, 252, 251, 250];
const [EL, EC, AYT, BRK, IP, NOP, SE] = [248, 247, 246, 243, 244, 241, 240];

/** Events as plain values, so whole sequences compare with toEqual. */
type Seen = string | { overlong: true } | { reply: number[] };

function seen(events: DecoderEvent[]): Seen[] {
  return events.map((event) => {
    if (event.kind === "line") return event.text;
    if (event.kind === "overlong") return { overlong: true };
    return { reply: [...event.bytes] };
  });
}

function bytes(...parts: Array<string | number | number[]>): Buffer {
  return Buffer.concat(
    parts.map((part) =>
      typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from([part].flat()),
    ),
  );
}

/** Feeds `input` cut at `cuts` (offsets), returns everything the decoder said. */
function decode(input: Buffer, cuts: number[] = [], maxLineBytes = 4096): Seen[] {
  const decoder = new TelnetDecoder({ maxLineBytes });
  const events: DecoderEvent[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    events.push(...decoder.push(input.subarray(from, cut)));
    from = cut;
  }
  events.push(...decoder.push(input.subarray(from)));
  return seen(events);
}

describe("telnet decoder", () => {
  it("decoder - CRLF, CR NUL, lone LF and lone CR each end exactly one line", () => {
    expect(decode(bytes("a\r\nb\r", 0, "c\nd\re\r\n"))).toEqual(["a", "b", "c", "d", "e"]);
    expect(decode(bytes("\r\n\r\n"))).toEqual(["", ""]);
    expect(decode(bytes("\n\r"))).toEqual(["", ""]);
    expect(decode(bytes("\r\r\n"))).toEqual(["", ""]);
  });

  it("decoder - a line ends at its CR, and a LF in the next chunk does not end another", () => {
    const decoder = new TelnetDecoder({ maxLineBytes: 100 });
    expect(seen(decoder.push(bytes("status\r")))).toEqual(["status"]);
    expect(seen(decoder.push(bytes("\n")))).toEqual([]);
    expect(seen(decoder.push(bytes("next\r")))).toEqual(["next"]);
    expect(seen(decoder.push(bytes(0, "x\n")))).toEqual(["x"]);
  });

  it("decoder - a line split across chunks arrives whole, and incomplete text waits", () => {
    const decoder = new TelnetDecoder({ maxLineBytes: 100 });
    expect(seen(decoder.push(bytes("he")))).toEqual([]);
    expect(seen(decoder.push(bytes("llo wor")))).toEqual([]);
    expect(seen(decoder.push(bytes("ld\r\nrest")))).toEqual(["hello world"]);
  });

  it("decoder - cutting a sample at any one or two positions changes nothing", () => {
    const sample = bytes(
      "ab",
      [IAC, DO, 1],
      "é",
      [IAC, WILL, 31, IAC, SB, 24, 0],
      "xterm",
      [IAC, IAC, IAC, SE],
      "c\r\n",
      "€x",
      8,
      "\r",
      0,
      "z",
      [IAC, IAC],
      "\t1",
      [IAC, EC, IAC, AYT],
      "\r\n",
      "q",
      [IAC, EL],
      "r\n\r",
    );
    const whole = decode(sample);
    expect(whole).toEqual([
      { reply: [IAC, WONT, 1] },
      { reply: [IAC, DONT, 31] },
      "abéc",
      "€",
      { reply: [...Buffer.from("\r\n[yes]\r\n")] },
      "z\uFFFD ",
      "r",
      "",
    ]);
    for (let i = 0; i <= sample.length; i++) {
      expect(decode(sample, [i]), `cut at ${i}`).toEqual(whole);
      for (let j = i; j <= sample.length; j++) {
        expect(decode(sample, [i, j]), `cut at ${i}, ${j}`).toEqual(whole);
      }
    }
    const oneByOne = Array.from({ length: sample.length }, (_, i) => i);
    expect(decode(sample, oneByOne)).toEqual(whole);
  });

  it("decoder - random bytes in random chunks decode as they do whole", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300), { maxLength: 10 }),
        fc.integer({ min: 1, max: 40 }),
        (input, cuts, max) => {
          const buffer = Buffer.from(input);
          const inside = cuts.map((cut) => cut % (buffer.length + 1));
          expect(decode(buffer, inside, max)).toEqual(decode(buffer, [], max));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("decoder - backspace and DEL erase one whole UTF-8 character, and nothing on an empty line", () => {
    expect(decode(bytes("ab", 8, "c\n"))).toEqual(["ac"]);
    expect(decode(bytes("é", 0x7f, "\n"))).toEqual([""]);
    expect(decode(bytes("x€", 8, "\n"))).toEqual(["x"]);
    expect(decode(bytes("x😀", 8, "y\n"))).toEqual(["xy"]);
    expect(decode(bytes(8, 0x7f, 8, "q\n"))).toEqual(["q"]);
    expect(decode(bytes("ab", 8, 8, 8, 8, "c\n"))).toEqual(["c"]);
    // A stray continuation byte is one (replacement) character, and so is a cut-off sequence.
    expect(decode(bytes("a", 0xa9, 8, "\n"))).toEqual(["a"]);
    expect(decode(bytes("a", [0xe2, 0x82], 8, "\n"))).toEqual(["a"]);
    expect(decode(bytes("é", 0xa9, 8, "\n"))).toEqual(["é"]);
  });

  it("decoder - control bytes are dropped, TAB becomes a space, invalid UTF-8 a replacement", () => {
    expect(decode(bytes("a", 0, "b", 7, "c", 0x1b, "d\te", 0x01, "\n"))).toEqual(["abcd e"]);
    expect(decode(bytes("a", 0xfe, 0xc3, "b\n"))).toEqual(["a\uFFFD\uFFFDb"]);
  });

  it("decoder - IAC IAC is a literal 255 byte in the line", () => {
    expect(decode(bytes("a", [IAC, IAC], "b\n"))).toEqual(["a\uFFFDb"]);
    // 0xFF is never valid UTF-8, so each literal 255 decodes to its own replacement character.
    expect(decode(bytes([IAC, IAC, IAC, IAC], "\n"))).toEqual(["\uFFFD\uFFFD"]);
  });

  it("decoder - DO is refused with WONT, WILL with DONT, refusals are never answered", () => {
    expect(decode(bytes([IAC, DO, 1, IAC, WILL, 3, IAC, WONT, 5, IAC, DONT, 6]))).toEqual([
      { reply: [IAC, WONT, 1] },
      { reply: [IAC, DONT, 3] },
    ]);
  });

  it("decoder - each (verb, option) is answered once per connection, so a chatty peer cannot loop us", () => {
    const decoder = new TelnetDecoder({ maxLineBytes: 100 });
    const first = seen(decoder.push(bytes([IAC, DO, 1, IAC, DO, 1, IAC, WILL, 1, IAC, DO, 3])));
    expect(first).toEqual([
      { reply: [IAC, WONT, 1] },
      { reply: [IAC, DONT, 1] },
      { reply: [IAC, WONT, 3] },
    ]);
    const chatter = bytes(...Array.from({ length: 100 }, () => [IAC, DO, 1, IAC, WILL, 1]));
    expect(seen(decoder.push(chatter))).toEqual([]);
    // A fresh decoder is a fresh connection.
    expect(decode(bytes([IAC, DO, 1]))).toEqual([{ reply: [IAC, WONT, 1] }]);
  });

  it("decoder - a subnegotiation is skipped up to IAC SE, an escaped IAC inside it included", () => {
    const sb = [IAC, SB, 24, 0, ...Buffer.from("xterm"), IAC, IAC, 7, IAC, SE];
    expect(decode(bytes("a", sb, "b\n"))).toEqual(["ab"]);
    // Line endings inside a subnegotiation are its payload, not ours.
    expect(decode(bytes("a", [IAC, SB, 1, 13, 10], [IAC, SE], "b\n"))).toEqual(["ab"]);
  });

  it("decoder - a subnegotiation without SE is dropped at the bound and the stream resyncs", () => {
    const decoder = new TelnetDecoder({ maxLineBytes: 100, maxSubnegotiationBytes: 8 });
    const events = decoder.push(bytes([IAC, SB], "123456789", "\nok\n"));
    expect(seen(events)).toEqual(["", "ok"]);
    // The default bound is 512 bytes.
    const long = bytes([IAC, SB], "x".repeat(513), "\nok\n");
    expect(decode(long)).toEqual(["", "ok"]);
    expect(decode(bytes([IAC, SB], "x".repeat(500), "\nok\n"))).toEqual([]);
  });

  it("decoder - IAC EC erases a character, IAC EL the line, IAC AYT answers every time", () => {
    expect(decode(bytes("abé", [IAC, EC], "\n"))).toEqual(["ab"]);
    expect(decode(bytes("abc", [IAC, EL], "d\n"))).toEqual(["d"]);
    const yes = { reply: [...Buffer.from("\r\n[yes]\r\n")] };
    expect(decode(bytes([IAC, AYT, IAC, AYT]))).toEqual([yes, yes]);
  });

  it("decoder - IAC IP, BRK, NOP and unknown commands are ignored", () => {
    expect(
      decode(bytes("a", [IAC, IP], "b", [IAC, NOP, IAC, BRK, IAC, SE, IAC, 17], "c\n")),
    ).toEqual(["abc"]);
  });

  it("decoder - a line of exactly maxLineBytes bytes passes; one byte more is overlong", () => {
    expect(decode(bytes("12345678\n"), [], 8)).toEqual(["12345678"]);
    expect(decode(bytes("éééé\n"), [], 8)).toEqual(["éééé"]);
    expect(decode(bytes("123456789\nok\n"), [], 8)).toEqual([{ overlong: true }, "ok"]);
    expect(decode(bytes("éééé!\nok\n"), [], 8)).toEqual([{ overlong: true }, "ok"]);
    // Erased and dropped bytes do not count.
    expect(decode(bytes("1234567890", 8, 8, "\n"), [], 8)).toEqual([{ overlong: true }]);
    expect(decode(bytes("1234567", 8, "8", 0, 0, "9\n"), [], 8)).toEqual(["12345689"]);
  });

  it("decoder - an overlong line is reported once, as soon as it overflows, and never buffered", () => {
    const decoder = new TelnetDecoder({ maxLineBytes: 16 });
    expect(seen(decoder.push(bytes("x".repeat(17))))).toEqual([{ overlong: true }]);
    const chunk = Buffer.alloc(64 * 1024, "y");
    for (let i = 0; i < 160; i++) expect(decoder.push(chunk)).toEqual([]);
    // Backspaces cannot bring a discarded line back under the limit: its bytes are gone.
    expect(decoder.push(Buffer.alloc(100, 8))).toEqual([]);
    expect(seen(decoder.push(bytes("\r\nafter\r\n")))).toEqual(["after"]);
  });
});
