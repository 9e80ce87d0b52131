/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib and gzip) over bytes. Node has it natively from 20.15
 * (`zlib.crc32`); older 20.x releases get the same function from a table.
 */
import * as zlib from "node:zlib";

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The table version, exported so a test can hold it equal to zlib's. */
export function crc32Table(data: Uint8Array, value = 0): number {
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

type Crc32 = (data: Uint8Array, value?: number) => number;
const native = (zlib as { crc32?: Crc32 }).crc32;

export const crc32: Crc32 = typeof native === "function" ? native : crc32Table;
