/**
 * The operators a state directory trusts: its own operator key (made by the first tool that signs)
 * as `local`, and other machines' public keys in keys/operators/<name>.pub.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ActorKeys } from "../../../src/actors/identity/keys.js";
import { operatorKeys } from "../../../src/control/client/operator.js";
import { StateDirOperators } from "../../../src/control/registry/operators.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const temp = () => {
  dir = mkdtempSync(join(tmpdir(), "crypy-operators-"));
  return dir;
};

describe("operators - who a state directory trusts", () => {
  it("operators - the key a tool signs with is trusted as local, even when made after the actors started", () => {
    const state = temp();
    const trusted = new StateDirOperators(state);
    const stranger = ActorKeys.generate();
    expect(trusted.nameOf(stranger.publicKey)).toBeUndefined();
    const keys = operatorKeys({ CRYPY_STATE_DIR: state });
    expect(statSync(join(state, "keys", "operator.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(state, "keys", "operator.pub"), "utf8")).toContain(keys.publicKey);
    // Counted at once: the files changed since they were read.
    expect(trusted.nameOf(keys.publicKey)).toBe("local");
    expect(trusted.nameOf(stranger.publicKey)).toBeUndefined();
    expect(operatorKeys({ CRYPY_STATE_DIR: state }).publicKey).toBe(keys.publicKey);
  });

  it("operators - another machine's key in keys/operators/<name>.pub is trusted by that name", () => {
    const state = temp();
    const others = join(state, "keys", "operators");
    mkdirSync(others, { recursive: true, mode: 0o700 });
    const bob = ActorKeys.generate();
    const eve = ActorKeys.generate();
    const carol = ActorKeys.generate();
    writeFileSync(join(others, "bob.pub"), `# bob's laptop\n${bob.publicKey}\n`, { mode: 0o644 });
    writeFileSync(join(others, "eve.pub"), `${eve.publicKey}\n`, { mode: 0o666 });
    chmodSync(join(others, "eve.pub"), 0o666);
    writeFileSync(join(others, "local.pub"), `${carol.publicKey}\n`, { mode: 0o600 });
    writeFileSync(join(others, "junk.pub"), "not a key\n", { mode: 0o600 });
    const trusted = new StateDirOperators(state);
    expect(trusted.nameOf(bob.publicKey)).toBe("bob");
    // Writable by others: anyone could have put it there.
    expect(trusted.nameOf(eve.publicKey)).toBeUndefined();
    // `local` is this machine's own operator only.
    expect(trusted.nameOf(carol.publicKey)).toBeUndefined();
    expect(trusted.names()).toEqual(["bob"]);
    // Made safe, eve's key counts from the next request on; a removed key is revoked at once.
    chmodSync(join(others, "eve.pub"), 0o644);
    expect(trusted.nameOf(eve.publicKey)).toBe("eve");
    rmSync(join(others, "eve.pub"));
    expect(trusted.nameOf(eve.publicKey)).toBeUndefined();
    // A folder anyone may write to counts for nobody.
    chmodSync(others, 0o777);
    expect(trusted.nameOf(bob.publicKey)).toBeUndefined();
  });
});
