import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DurableCounter } from "../../../src/actors/identity/counter.js";
import {
  ActorKeys,
  isPublicKey,
  keysDir,
  signedBytes,
  verifySignature,
} from "../../../src/actors/identity/keys.js";
import { InvalidInputError } from "../../../src/domain/errors.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const temp = () => {
  dir = mkdtempSync(join(tmpdir(), "crypy-identity-"));
  return dir;
};

describe("identity - keys", () => {
  it("identity - a key loaded from the state directory is the same across restarts, kept 0600 in a 0700 folder", () => {
    const keys = keysDir(temp());
    const first = ActorKeys.load(keys, "sim-main_BTC-USDT");
    const again = ActorKeys.load(keys, "sim-main_BTC-USDT");
    expect(again.publicKey).toBe(first.publicKey);
    expect(ActorKeys.load(keys, "sim-main_ETH-USDT").publicKey).not.toBe(first.publicKey);
    expect(statSync(join(keys, "sim-main_BTC-USDT.key")).mode & 0o777).toBe(0o600);
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    expect(JSON.stringify(first)).toBe(JSON.stringify({ publicKey: first.publicKey }));
  });

  it("identity - a key file others can read, or one that is no key, is refused naming the file", () => {
    const keys = keysDir(temp());
    ActorKeys.load(keys, "a");
    const file = join(keys, "a.key");
    chmodSync(file, 0o644);
    expect(() => ActorKeys.load(keys, "a")).toThrow(/a\.key is readable by others.*chmod 600/);
    chmodSync(file, 0o600);
    const original = readFileSync(file, "utf8");
    writeFileSync(file, "not a key");
    expect(() => ActorKeys.load(keys, "a")).toThrow(InvalidInputError);
    expect(() => ActorKeys.load(keys, "a")).toThrow(/a\.key is not an Ed25519 private key/);
    writeFileSync(file, original);
    expect(isPublicKey(ActorKeys.load(keys, "a").publicKey)).toBe(true);
  });

  it("identity - a signature verifies only for its key, its bytes and its tag", () => {
    const keys = ActorKeys.generate();
    const other = ActorKeys.generate();
    const bytes = signedBytes("crypy-test-v1", ["sim-main", 7]);
    const signature = keys.sign(bytes);
    expect(verifySignature(keys.publicKey, bytes, signature)).toBe(true);
    expect(verifySignature(other.publicKey, bytes, signature)).toBe(false);
    expect(
      verifySignature(keys.publicKey, signedBytes("crypy-test-v1", ["sim-main", 8]), signature),
    ).toBe(false);
    expect(
      verifySignature(keys.publicKey, signedBytes("crypy-other-v1", ["sim-main", 7]), signature),
    ).toBe(false);
    for (const bad of [undefined, 5, "", "x".repeat(88)])
      expect(verifySignature(keys.publicKey, bytes, bad)).toBe(false);
    expect(verifySignature("not a key", bytes, signature)).toBe(false);
  });
});

describe("identity - durable counters", () => {
  it("identity - a counter never repeats a value across restarts, writing once per block", () => {
    const keys = keysDir(temp());
    const a = new DurableCounter(keys, "sim-main_USDT.nonce", 3);
    expect([a.next(), a.next()]).toEqual([1, 2]);
    // A restart (a crash included) begins above the whole block already reserved.
    const b = new DurableCounter(keys, "sim-main_USDT.nonce", 3);
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([4, 5, 6, 7]);
    const c = new DurableCounter(keys, "sim-main_USDT.nonce", 3);
    expect(c.next()).toBe(10);
    expect(readFileSync(join(keys, "sim-main_USDT.nonce.counter"), "utf8")).toBe("12\n");
  });

  it("identity - without a folder a counter lives in memory; a corrupt file is refused", () => {
    const memory = new DurableCounter(undefined, "x");
    expect([memory.next(), memory.next()]).toEqual([1, 2]);
    const keys = keysDir(temp());
    writeFileSync(join(keys, "x.counter"), "garbage");
    expect(() => new DurableCounter(keys, "x")).toThrow(
      /x\.counter holds "garbage", not a counter/,
    );
  });
});
