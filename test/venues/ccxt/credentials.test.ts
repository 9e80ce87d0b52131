/**
 * Credentials for CcxtVenue: from the environment or a file only its owner can read; never shown
 * by JSON, inspect or an error message.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError } from "../../../src/domain/errors.js";
import { resolveCredentials } from "../../../src/venues/ccxt/credentials.js";

// Made up for this test: not secrets.
const KEY = "creds-test-key-not-a-secret";
const SECRET = "creds-test-secret-not-a-secret";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-creds-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function credentialsFile(text: string, mode: number): Promise<string> {
  const file = join(dir, `creds-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  await chmod(file, mode);
  return file;
}

describe("ccxt credentials", () => {
  it("ccxt credentials - from CRYPY_<EXCHANGE>_API_KEY, _SECRET and _PASSWORD", async () => {
    const creds = await resolveCredentials("bitget", {
      env: true,
      variables: {
        CRYPY_BITGET_API_KEY: KEY,
        CRYPY_BITGET_SECRET: SECRET,
        CRYPY_BITGET_PASSWORD: "pass-not-a-secret",
      },
    });
    expect([creds.apiKey, creds.secret, creds.password]).toEqual([
      KEY,
      SECRET,
      "pass-not-a-secret",
    ]);
  });

  it("ccxt credentials - a missing variable is named, never a value", async () => {
    const err = await resolveCredentials("binance", {
      env: true,
      variables: { CRYPY_BINANCE_API_KEY: KEY },
    }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toContain("CRYPY_BINANCE_SECRET");
    expect((err as Error).message).not.toContain(KEY);
  });

  it("ccxt credentials - a 0600 file is read; JSON, inspect and spreading show nothing secret", async () => {
    const file = await credentialsFile(`apiKey: ${KEY}\nsecret: ${SECRET}\n`, 0o600);
    const creds = await resolveCredentials("binance", { file });
    expect(creds.apiKey).toBe(KEY);
    expect(creds.secret).toBe(SECRET);
    for (const shown of [JSON.stringify({ creds }), inspect(creds), JSON.stringify({ ...creds })]) {
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain(SECRET);
    }
  });

  it("ccxt credentials - a file others may read is refused, naming the file and its mode", async () => {
    const file = await credentialsFile(`apiKey: ${KEY}\nsecret: ${SECRET}\n`, 0o644);
    const err = await resolveCredentials("binance", { file }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toContain(`credentials file ${file} has mode 0644`);
    expect((err as Error).message).toContain("chmod 600");
  });

  it("ccxt credentials - a malformed file or unknown field is refused without quoting it", async () => {
    const broken = await credentialsFile(`apiKey: [${SECRET}\n`, 0o600);
    const e1 = await resolveCredentials("binance", { file: broken }).catch(
      (e: unknown) => e as Error,
    );
    expect((e1 as Error).message).toBe(`credentials file ${broken} is not valid YAML or JSON`);
    const extra = await credentialsFile(`apiKey: ${KEY}\nsecret: ${SECRET}\nuid: 1\n`, 0o600);
    const e2 = await resolveCredentials("binance", { file: extra }).catch(
      (e: unknown) => e as Error,
    );
    expect((e2 as Error).message).toContain('unknown field "uid"');
    const missing = join(dir, "nope.yaml");
    const e3 = await resolveCredentials("binance", { file: missing }).catch(
      (e: unknown) => e as Error,
    );
    expect((e3 as Error).message).toBe(`credentials file ${missing}: ENOENT`);
  });
});
