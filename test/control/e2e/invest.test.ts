/**
 * The new user's path, on a real `crypy sim`: a proposal waits for a person, the invest REPL
 * accepts it, the trade REPL enters and exits the position — from another process, through the
 * registry and the actors' telnet endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../support/wait.js";
import { type CrypyProcess, startCrypy } from "./crypy-process.js";

let crypy: CrypyProcess;

beforeAll(async () => {
  // manual: every proposal waits for a person, so there is always one to accept.
  crypy = await startCrypy({ approval: "manual" });
}, 90_000);
afterAll(async () => {
  expect(await crypy.stop()).toBe(0);
});

describe("control - invest and trade REPLs", () => {
  it("control - accept a pending proposal, enter, then exit the position by hand", async () => {
    await waitUntil(
      () => /holder\.pending id=p1 /.test(crypy.output()),
      "a pending proposal",
      60_000,
    );
    const pending = /holder\.pending id=p1 trader=\S+ market=(\S+)/.exec(crypy.output())!;
    const market = pending[1]!;
    const accepted = await crypy.cli(["invest"], "proposals\naccept p1\ncapital\nquit\n");
    expect(accepted.stdout).toContain("invest USDT> ");
    expect(accepted.stdout).toMatch(/^p1\s+pending\s+/m);
    expect(accepted.stdout).toMatch(/> accepted:\s+p1$/m);
    expect(accepted.stdout).toMatch(/^allocated:\s+[1-9]/m);
    await waitUntil(
      () =>
        new RegExp(`holder\\.accepted id=p1 .*market=${market.replace("/", "\\/")}`).test(
          crypy.output(),
        ),
      "the acceptance event",
      10_000,
    );

    const traded = await crypy.cli(
      ["invest"],
      `trade ${market}\nenter\nposition\nexit\nback\ncapital\nquit\n`,
    );
    expect(traded.stdout).toContain(`trade ${market}> `);
    expect(traded.stdout).toMatch(/^held:\s+(?!0\s)\d+(\.\d+)?$/m);
    expect(traded.stdout).toMatch(/> state:\s+(reporting|ended)$/m);
    await waitUntil(
      () => /trader\.exited market=\S+ reason=manual \(telnet/.test(crypy.output()),
      "the manual exit",
      20_000,
    );
    expect(crypy.output()).toMatch(/order\.filled trader=\S+ market=\S+ side=buy/);
    expect(crypy.output()).toMatch(/order\.filled trader=\S+ market=\S+ side=sell/);
  });

  it("control - refuse names the pending ids when none is given, and an unknown id is an error", async () => {
    const { stdout } = await crypy.cli(["invest", "USDT"], "refuse\nrefuse p999\nquit\n");
    expect(stdout).toMatch(/invalid_input: refuse needs a proposal id \(pending: /);
    expect(stdout).toMatch(/invalid_input: no proposal p999/);
  });
});
