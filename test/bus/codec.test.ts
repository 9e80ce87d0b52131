import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteLength, decode, encode, encodeText, exceedsBytes } from "../../src/bus/codec.js";
import { BadPayloadError, InvalidInputError } from "../../src/domain/errors.js";

describe("codec - json", () => {
  it("codec - any JSON value round-trips", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decode(encode(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("codec - the in-process text form decodes to the same value as the bytes", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decode(encodeText(value))).toEqual(decode(encode(value)));
      }),
    );
  });

  it("codec - size checks count UTF-8 bytes, not UTF-16 units", () => {
    const text = encodeText("€".repeat(100)); // 3 bytes each, plus two quotes
    expect(byteLength(text)).toBe(302);
    expect(exceedsBytes(text, 302)).toBe(false);
    expect(exceedsBytes(text, 301)).toBe(true);
    expect(exceedsBytes(encode("€".repeat(100)), 301)).toBe(true);
  });

  it("codec - undefined is the empty payload", () => {
    expect(encode(undefined)).toHaveLength(0);
    expect(decode(new Uint8Array(0))).toBeUndefined();
  });

  it("codec - non-ASCII text survives", () => {
    const text = "ünïcødé — 比特币 🚀";
    expect(decode(encode({ text }))).toEqual({ text });
    expect(decode(encodeText({ text }))).toEqual({ text });
  });

  it("codec - bigint and cycles are refused at encode with InvalidInputError", () => {
    expect(() => encode({ qty: 1n })).toThrow(InvalidInputError);
    const a: Record<string, unknown> = {};
    a.a = a;
    expect(() => encode(a)).toThrow(/not JSON-encodable/);
  });

  it("codec - bytes that are not UTF-8 JSON fail with BadPayloadError showing the start", () => {
    expect(() => decode(Buffer.from("{half"))).toThrow(BadPayloadError);
    expect(() => decode(Buffer.from("{half"))).toThrow(/5 bytes.*"\{half"/);
    expect(() => decode(Uint8Array.of(0xc3, 0x28))).toThrow(BadPayloadError);
    expect(() => decode("{half")).toThrow(BadPayloadError);
  });
});
