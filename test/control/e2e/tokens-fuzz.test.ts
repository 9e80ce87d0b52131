/**
 * An actor's endpoint under a token, and under garbage: a real Desk on the embedded bus with its
 * ControlPlane, reached by the system's `telnet` and by raw sockets full of random bytes.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Desk } from "../../../src/actors/desk/desk.js";
import { LocalBus } from "../../../src/bus/local/local-bus.js";
import { endpointTokens } from "../../../src/control/endpoint/tokens.js";
import { ControlPlane } from "../../../src/control/plane.js";
import { fileAudit } from "../../../src/control/registry/audit-file.js";
import { createLogger } from "../../../src/log/logger.js";
import { createSimulation } from "../../../src/venues/sim/simulation.js";
import { ROOT, talk } from "./crypy-process.js";

const OPERATOR = "operator-token-0123456789";
const READER = "read-only-token-0123456789";
let dir: string;
let plane: ControlPlane;
let desk: Desk;
let port: number;
let simulation: Awaited<ReturnType<typeof createSimulation>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-tokens-"));
  simulation = await createSimulation(join(ROOT, "venues/sim.yaml"), { clock: { speed: 60 } });
  simulation.start();
  const bus = new LocalBus();
  plane = new ControlPlane({
    tokens: { operator: OPERATOR, read: READER },
    audit: fileAudit(join(dir, "audit.log")),
    registry: null,
  });
  desk = new Desk(
    {
      id: "sim-main",
      venue: simulation.venue("main"),
      watch: ["BTC/USDT"],
      risk: {
        maxOrderNotional: "1000",
        maxPositionNotional: "5000",
        maxDailyLoss: "500",
        maxOrdersPerSecond: 5,
      },
      assetDecimals: { USDT: 2, BTC: 8 },
    },
    {
      bus,
      clock: simulation.clock,
      log: createLogger({ level: "silent" }),
      heartbeatMs: 0,
      control: plane,
    },
  );
  await desk.start();
  await new Promise<void>((resolve) => {
    const check = () => (desk.controlEndpoint === undefined ? setTimeout(check, 5) : resolve());
    check();
  });
  port = Number(desk.controlEndpoint!.split(":")[1]);
}, 30_000);
afterAll(async () => {
  await desk.stop();
  await plane.closeAll();
  await simulation.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("control - tokens", () => {
  it("control - without a token only help works; a wrong token is refused, the right one operates", async () => {
    const out = await talk("telnet", port, [
      "status",
      "auth not-the-token-at-all",
      "auth",
      `auth ${OPERATOR}`,
      "halt",
      "resume",
      "quit",
    ]);
    expect(out).toContain("this endpoint needs a token: auth <token>");
    expect(out).toContain("unauthorized: this endpoint needs a token first: auth <token>");
    expect(out.match(/unauthorized: wrong token/g)).toHaveLength(2);
    expect(out).toMatch(/role:\s+operator/);
    expect(out).toMatch(/cancelled:\s+0/);
    const audit = await readFile(join(dir, "audit.log"), "utf8");
    expect(audit).toMatch(/"command":"halt","result":"ok"/);
  });

  it("control - the read-only token reads but may not halt", async () => {
    const out = await talk("nc", port, [`auth ${READER}`, "status", "halt", "quit"]);
    expect(out).toMatch(/role:\s+read/);
    expect(out).toMatch(/state:\s+active/);
    expect(out).toContain("forbidden: 'halt' changes sim-main");
  });

  it("control - three wrong tokens close the connection", async () => {
    const out = await talk("nc", port, ["auth a", "auth b", "auth c", "status"]);
    expect(out.match(/unauthorized: wrong token/g)).toHaveLength(3);
    expect(out).not.toContain("unauthorized: this endpoint needs a token first");
  });

  it("control - a non-loopback address without a token refuses to start", () => {
    expect(() => endpointTokens("0.0.0.0", {})).toThrow(
      /control endpoints on 0\.0\.0\.0 would be reachable from other machines: set CRYPY_CONTROL_TOKEN/,
    );
    expect(() => endpointTokens("0.0.0.0", { CRYPY_CONTROL_TOKEN: "short" })).toThrow(
      /at least 16 characters/,
    );
    expect(endpointTokens("0.0.0.0", { CRYPY_CONTROL_TOKEN: OPERATOR }).operator).toBe(OPERATOR);
    expect(endpointTokens("127.0.0.1", {})).toEqual({ operator: undefined, read: undefined });
  });
});

describe("control - garbage never hurts the actor", () => {
  it("control - fuzz: random bytes, telnet commands, NULs and overlong lines; the Desk then answers status", async () => {
    const IAC = 255;
    const piece = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.constantFrom(
        Uint8Array.of(IAC, 253, 1),
        Uint8Array.of(IAC, 251, 3),
        Uint8Array.of(IAC, 250, 24, 1, IAC, 240),
        Uint8Array.of(IAC, 250),
        Uint8Array.of(IAC, IAC),
        Uint8Array.of(IAC, 244),
        Uint8Array.of(0, 13, 0, 10, 13),
        Uint8Array.of(8, 127, 8),
        new TextEncoder().encode("halt\r\n"),
      ),
      fc.integer({ min: 4_000, max: 9_000 }).map((n) => new Uint8Array(n).fill(65)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 30 }), async (pieces) => {
        await new Promise<void>((resolve) => {
          const socket = connect({ host: "127.0.0.1", port }, () => {
            for (const p of pieces) socket.write(p);
            socket.end();
          });
          socket.on("data", () => {});
          socket.on("error", () => resolve());
          socket.on("close", () => resolve());
        });
      }),
      { numRuns: 60 },
    );
    // Without the token "halt" in the garbage did nothing.
    expect(desk.state).toBe("active");
    const out = await talk("nc", port, [`auth ${OPERATOR}`, "status", "quit"]);
    expect(out).toMatch(/state:\s+active/);
  });
});
