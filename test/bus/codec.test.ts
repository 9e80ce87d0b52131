import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonCodec } from "../../src/bus/codec.js";
import { BadPayloadError, InvalidInputError } from "../../src/domain/errors.js";

describe("codec - json", () => {
  it("codec - any JSON value round-trips", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonCodec.decode(jsonCodec.encode(value))).toEqual(
          JSON.parse(JSON.stringify(value)),
        );
      }),
    );
  });

  it("codec - undefined is the empty payload", () => {
    expect(jsonCodec.encode(undefined)).toHaveLength(0);
    expect(jsonCodec.decode(new Uint8Array(0))).toBeUndefined();
  });

  it("codec - non-ASCII text survives", () => {
    const text = "ünïcødé — 比特币 🚀";
    expect(jsonCodec.decode(jsonCodec.encode({ text }))).toEqual({ text });
  });

  it("codec - bigint and cycles are refused at encode with InvalidInputError", () => {
    expect(() => jsonCodec.encode({ qty: 1n })).toThrow(InvalidInputError);
    const a: Record<string, unknown> = {};
    a.a = a;
    expect(() => jsonCodec.encode(a)).toThrow(/not JSON-encodable/);
  });

  it("codec - bytes that are not UTF-8 JSON fail with BadPayloadError showing the start", () => {
    expect(() => jsonCodec.decode(Buffer.from("{half"))).toThrow(BadPayloadError);
    expect(() => jsonCodec.decode(Buffer.from("{half"))).toThrow(/5 bytes.*"\{half"/);
    expect(() => jsonCodec.decode(Uint8Array.of(0xc3, 0x28))).toThrow(BadPayloadError);
  });
});
