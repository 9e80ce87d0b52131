import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkNatsServer } from "../../src/cli/doctor-checks.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** An executable that prints a nats-server-like version. */
function fakeServer(): string {
  dir = mkdtempSync(join(tmpdir(), "crypy-doctor-"));
  const path = join(dir, "nats-server");
  writeFileSync(path, "#!/bin/sh\necho nats-server: v2.9.10\n");
  chmodSync(path, 0o755);
  return path;
}

describe("doctor - nats-server", () => {
  it("doctor - finds nats-server off PATH where Debian puts it, and says where", () => {
    const path = fakeServer();
    const check = checkNatsServer(["crypy-no-such-command", path]);
    expect(check).toMatchObject({ ok: true, optional: true });
    expect(check.detail).toBe(`nats-server: v2.9.10 (${path}, not on PATH)`);
  });

  it("doctor - none found: optional, and the detail says how to install it", () => {
    const check = checkNatsServer(["crypy-no-such-command"]);
    expect(check).toMatchObject({ ok: false, optional: true });
    expect(check.detail).toMatch(/apt-get install nats-server/);
  });
});
