/**
 * One framed record group on disk. Little-endian, a 28-byte header then the payload:
 *
 *   0   u32  length     payload bytes
 *   4   u32  crc        CRC-32 of bytes 8 .. 28+length (the rest of the header and the payload)
 *   8   u64  seq        sequence number of the frame's first record (a snapshot: the seq it covers)
 *   16  u32  count      records in the frame (a snapshot: 0)
 *   20  u64  durableTo  how many bytes of this file were fsynced when the frame was written
 *   28  ...  payload    UTF-8 JSON: {"at":ms,"records":[…]} or, in a snapshot file, {"at":ms,"state":…}
 *
 * A frame is all or nothing: the records of one `appendAll` share a frame, so recovery returns all
 * of them or none. `durableTo` lets recovery tell a torn tail from corruption: a bad frame that lies
 * below a later valid frame's `durableTo` had been fsynced, so it is corruption, not a lost write.
 */
import { crc32 } from "./crc32.js";

export const HEADER_BYTES = 28;
const U32 = 0x1_0000_0000;

export interface FrameHeader {
  seq: number;
  count: number;
  durableTo: number;
}

export interface Frame extends FrameHeader {
  /** Offset of the frame's first byte in its file. */
  offset: number;
  /** Offset just past the frame. */
  end: number;
  /** A view into the buffer read, not a copy. */
  payload: Buffer;
}

/** The outcome of reading one frame at an offset. */
export type FrameRead =
  | { ok: true; frame: Frame }
  | { ok: false; problem: "short" | "checksum"; detail: string };

function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value % U32, at);
  buf.writeUInt32LE(Math.floor(value / U32), at + 4);
}

const readU64 = (buf: Buffer, at: number): number =>
  buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * U32;

/** The header and payload of one frame, ready to write. */
export function encodeFrame(header: FrameHeader, payload: Uint8Array): Buffer[] {
  const head = Buffer.allocUnsafe(HEADER_BYTES);
  head.writeUInt32LE(payload.length, 0);
  writeU64(head, header.seq, 8);
  head.writeUInt32LE(header.count, 16);
  writeU64(head, header.durableTo, 20);
  head.writeUInt32LE(crc32(payload, crc32(head.subarray(8))), 4);
  return [head, Buffer.from(payload.buffer, payload.byteOffset, payload.length)];
}

/** Reads the frame at `offset` of `buf`, checking its length against the buffer and its checksum. */
export function readFrame(buf: Buffer, offset: number): FrameRead {
  if (buf.length - offset < HEADER_BYTES) {
    return { ok: false, problem: "short", detail: `${buf.length - offset} bytes, not a header` };
  }
  const length = buf.readUInt32LE(offset);
  const end = offset + HEADER_BYTES + length;
  if (end > buf.length) {
    return {
      ok: false,
      problem: "short",
      detail: `a record of ${length} bytes but ${buf.length - offset - HEADER_BYTES} remain`,
    };
  }
  const payload = buf.subarray(offset + HEADER_BYTES, end);
  const crc = crc32(payload, crc32(buf.subarray(offset + 8, offset + HEADER_BYTES)));
  if (crc !== buf.readUInt32LE(offset + 4)) {
    return { ok: false, problem: "checksum", detail: "checksum mismatch" };
  }
  return {
    ok: true,
    frame: {
      seq: readU64(buf, offset + 8),
      count: buf.readUInt32LE(offset + 16),
      durableTo: readU64(buf, offset + 20),
      offset,
      end,
      payload,
    },
  };
}
