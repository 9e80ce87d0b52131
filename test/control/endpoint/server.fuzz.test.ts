import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../../../src/control/endpoint/server.js";
import type { ControlEndpoint, LineSession } from "../../../src/control/endpoint/types.js";
import { eventually, sleep, TestClient } from "./helpers.js";

const MAX_LINE = 64;

/** Whatever the peer sent, a session must only ever see clean, bounded lines, one at a time. */
const seen = { opened: 0, closed: 0, lines: 0, bad: [] as string[], mostAtOnce: 0 };

function checkingSession(): LineSession {
  seen.opened++;
  let running = 0;
  return {
    open: () => "> ",
    line: async (text) => {
      seen.lines++;
      running++;
      seen.mostAtOnce = Math.max(seen.mostAtOnce, running);
      // Replacement characters are one UTF-16 unit for one or more bytes, so length <= bytes.
      if (hasControl(text) || text.length > MAX_LINE) seen.bad.push(text);
      await sleep(0);
      running--;
      return { text: `echo: ${text}\n> ` };
    },
    closed: () => {
      seen.closed++;
    },
  };
}

function hasControl(text: string): boolean {
  return [...text].some((char) => char.charCodeAt(0) < 0x20 || char === "\x7f");
}

const telnetBytes = [255, 254, 253, 252, 251, 250, 249, 248, 247, 246, 244, 243, 241, 240];
const anyBytes = fc.uint8Array({ maxLength: 400 });
const iacHeavy = fc
  .array(
    fc.oneof(fc.constantFrom(...telnetBytes), fc.constantFrom(0, 1, 3, 24, 31, 0x61, 13, 10)),
    {
      maxLength: 400,
    },
  )
  .map((bytes) => Uint8Array.from(bytes));
const controlSoup = fc
  .array(fc.constantFrom(0, 13, 10, 8, 0x7f, 9, 0x1b, 0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac), {
    maxLength: 400,
  })
  .map((bytes) => Uint8Array.from(bytes));
const overlongRun = fc
  .tuple(fc.integer({ min: MAX_LINE - 2, max: 5_000 }), fc.constantFrom("", "\r\n", "\r", "\n"))
  .map(([length, ending]) => Buffer.from(`${"z".repeat(length)}${ending}`));
const input = fc
  .array(fc.oneof(anyBytes, iacHeavy, controlSoup, overlongRun), { minLength: 1, maxLength: 4 })
  .map((parts) => Buffer.concat(parts));

/** Whatever state the bytes left the decoder in, this gets it back to reading lines. */
const RESYNC = `${"x".repeat(520)}\r\n`;

let endpoint: ControlEndpoint;

beforeAll(async () => {
  endpoint = await listen({
    maxLineBytes: MAX_LINE,
    maxConnections: 4,
    idleMs: 5_000,
    session: checkingSession,
  });
});

afterAll(async () => {
  await endpoint.close();
});

async function sendInChunks(client: TestClient, bytes: Buffer, cuts: number[]): Promise<void> {
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    client.send(bytes.subarray(from, cut));
    from = cut;
    // Let some chunks leave as their own TCP segments.
    if (cut % 3 === 0) await sleep(0);
  }
  client.send(bytes.subarray(from));
}

describe("control endpoint under random input", () => {
  it("endpoint - random bytes in random chunks never break the server or the sessions' lines", async () => {
    let run = 0;
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        input,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.constantFrom("check", "end", "destroy", "reset"),
        async (bytes, cuts, finish) => {
          run++;
          const client = await TestClient.open(endpoint.port);
          await client.until("> ");
          await sendInChunks(client, bytes, cuts);
          if (finish === "check") {
            // The connection itself still works after whatever it was sent.
            client.send(`${RESYNC}ping-${run}\r\n`);
            await client.until(`echo: ping-${run}\r\n> `);
            checked++;
            client.destroy();
          } else if (finish === "end") {
            client.socket.end();
          } else if (finish === "destroy") {
            client.destroy();
          } else {
            client.socket.resetAndDestroy();
          }
          await client.closed;
        },
      ),
      { numRuns: 120 },
    );

    await eventually(() => endpoint.connections === 0 && seen.closed === seen.opened);
    const fresh = await TestClient.open(endpoint.port);
    await fresh.until("> ");
    fresh.send("hello there\r\n");
    await fresh.until("echo: hello there\r\n> ");
    fresh.destroy();

    expect(seen.bad).toEqual([]);
    expect(seen.mostAtOnce).toBe(1);
    // Every checked connection delivered at least its ping; the fresh one its hello.
    expect(checked).toBeGreaterThan(0);
    expect(seen.lines).toBeGreaterThan(checked);
  });
});
