/**
 * The file store Holders and Traders keep their records in (issue 13): a record is there whole
 * after `save` returns, read back by a new store on the same state directory (a restart), private
 * to the user, gone after `remove`; a record that cannot be read is an error naming its file.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileActorStore } from "../../src/actors/runtime/actor-store.js";
import { InvalidInputError } from "../../src/domain/errors.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const stateDir = () => {
  dir = mkdtempSync(join(tmpdir(), "crypy-actors-"));
  return dir;
};

describe("actor store - records on disk", () => {
  it("actor store - a saved record is read back by the next process's store, and replaced whole", () => {
    const state = stateDir();
    const store = new FileActorStore(state);
    store.save("sim-main_BTC-USDT", { state: "entering", n: 1 });
    store.save("sim-main_BTC-USDT", { state: "inPosition", n: 2 });
    const next = new FileActorStore(state);
    expect(next.load("sim-main_BTC-USDT")).toEqual({ state: "inPosition", n: 2 });
    expect(next.load("sim-main_ETH-USDT")).toBeUndefined();
    // Nothing but the record: no temporary file left behind; readable by the user alone.
    expect(readdirSync(join(state, "actors"))).toEqual(["sim-main_BTC-USDT.json"]);
    expect(statSync(join(state, "actors", "sim-main_BTC-USDT.json")).mode & 0o077).toBe(0);
    next.remove("sim-main_BTC-USDT");
    expect(new FileActorStore(state).load("sim-main_BTC-USDT")).toBeUndefined();
  });

  it("actor store - an unreadable record is an error naming its file, never an empty state", () => {
    const state = stateDir();
    const store = new FileActorStore(state);
    writeFileSync(join(state, "actors", "sim-main_BTC-USDT.json"), '{"state": "inPos');
    expect(() => store.load("sim-main_BTC-USDT")).toThrow(InvalidInputError);
    expect(() => store.load("sim-main_BTC-USDT")).toThrow(/sim-main_BTC-USDT\.json/);
  });

  it("actor store - an id no file can be named by is refused", () => {
    const store = new FileActorStore(stateDir());
    expect(() => store.save("../escape", {})).toThrow(/not an actor id/);
  });
});
