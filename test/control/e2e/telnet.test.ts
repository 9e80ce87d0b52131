/**
 * The control endpoints of a real `crypy sim`, driven by real clients: the system's `telnet` and
 * `nc` (Debian's telnet and netcat-openbsd packages, which scripts/test-setup.sh installs).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CrypyProcess, startCrypy, talk } from "./crypy-process.js";

let crypy: CrypyProcess;
let desk: number;

beforeAll(async () => {
  crypy = await startCrypy();
  desk = await crypy.port("sim-main");
}, 90_000);
afterAll(async () => {
  expect(await crypy.stop()).toBe(0);
});

describe("control - telnet into a running actor", () => {
  it("control - telnet: status answers the Desk's state, CRLF-terminated with a prompt", async () => {
    const out = await talk("telnet", desk, ["status", "quit"]);
    expect(out).toContain("crypy desk sim-main - 'help' lists the commands");
    expect(out).toMatch(/^state:\s+active\r?$/m);
    expect(out).toMatch(/^holders:\s+\["sim-main_USDT"\]\r?$/m);
    expect(out).toContain("sim-main> ");
    expect(out).toMatch(/bye/);
  });

  it("control - nc: an unknown command suggests the closest one as code: message", async () => {
    const out = await talk("nc", desk, ["hlat", "help halt", "quit"]);
    expect(out).toContain(
      "unknown_command: sim-main has no command 'hlat' — did you mean 'halt'? ('help' lists the commands)\r\n",
    );
    expect(out).toContain("halt\r\n  kill switch");
  });

  it("control - telnet: in the read-only role a mutating command is refused and audited", async () => {
    const out = await talk("telnet", desk, ["role read", "halt", "status", "quit"]);
    expect(out).toContain("forbidden: 'halt' changes sim-main: it needs the operator role");
    expect(out).toMatch(/^state:\s+active\r?$/m);
    const audit = (await readFile(join(crypy.env.CRYPY_STATE_DIR!, "audit.log"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(audit).toContainEqual(
      expect.objectContaining({
        actor: "sim-main",
        role: "read",
        command: "halt",
        result: "forbidden",
      }),
    );
  });

  it("control - telnet into a Trader: status and its own commands", async () => {
    const trader = await crypy.port("sim-main_BTC-USDT");
    const out = await talk("telnet", trader, ["status", "help adjust", "quit"]);
    expect(out).toContain("crypy trader sim-main_BTC-USDT");
    expect(out).toMatch(/^market:\s+BTC\/USDT\r?$/m);
    expect(out).toContain("adjust sl|tp <price|percent%>");
  });

  it("control - crypy actors lists every actor with its kind, state and control address", async () => {
    const { stdout } = await crypy.cli(["actors", "--json"]);
    const rows = JSON.parse(stdout) as Array<{
      id: string;
      kind: string;
      state: string;
      control: string;
    }>;
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId["sim-main"]).toMatchObject({
      kind: "desk",
      state: "active",
      control: `127.0.0.1:${desk}`,
    });
    expect(byId["sim-main_USDT"]).toMatchObject({ kind: "holder", state: "running" });
    expect(rows.some((r) => r.kind === "trader")).toBe(true);
  });

  it("control - crypy attach sim-main then halt: the Desk halts, and resume brings it back", async () => {
    const { stdout } = await crypy.cli(["attach", "sim-main"], "halt\nstatus\nresume\nquit\n");
    expect(stdout).toMatch(/cancelled:\s+0/);
    expect(stdout).toMatch(/^state:\s+halted$/m);
    expect(stdout).toMatch(/state:\s+active/);
    expect(crypy.output()).toMatch(
      /sim-main desk\.halted reason=operator \(telnet 127\.0\.0\.1:\d+\)/,
    );
  });
});
