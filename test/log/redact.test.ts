import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CIRCULAR,
  isSecretKey,
  MAX_SCRUB_DEPTH,
  REDACTED,
  SECRET_KEY_NAMES,
  scrubSecrets,
  scrubString,
  TOO_DEEP,
} from "../../src/log/redact.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.getOwnPropertyNames(value)) {
      deepFreeze((value as Record<string, unknown>)[key]);
    }
  }
  return value;
}

/** `depth` objects nested below the returned root, the innermost holding `leaf`. */
function nest(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

describe("redact - secret key names", () => {
  it.each([
    "apiKey",
    "api_key",
    "apikey",
    "API-KEY",
    "X-MBX-APIKEY",
    "x-api-key",
    "secret",
    "apiSecret",
    "client_secret",
    "secretKey",
    "privateKey",
    "token",
    "accessToken",
    "refresh_token",
    "password",
    "pass",
    "natsPass",
    "passphrase",
    "Authorization",
    "proxy-authorization",
    "signature",
    "cookie",
    "Set-Cookie",
  ])("redact - %s is a secret key", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    "publicKey",
    "key",
    "symbol",
    "tokenCount",
    "signatureValid",
    "secrets_path",
    "passed",
    "passCount",
    "level",
    "msg",
  ])("redact - %s is not a secret key", (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it("redact - every listed name is itself secret", () => {
    for (const name of SECRET_KEY_NAMES) expect(isSecretKey(name)).toBe(true);
  });
});

describe("redact - strings", () => {
  it.each([
    [
      "https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=ab12cd",
      "https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=[redacted]",
    ],
    [
      "GET /api/v3/account?apiKey=K3Y&recvWindow=5000&signature=5IG failed: 401",
      "GET /api/v3/account?apiKey=[redacted]&recvWindow=5000&signature=[redacted] failed: 401",
    ],
    ["Authorization: Bearer eyJhbGciOi.J9.x-y_z", "Authorization: [redacted]"],
    ["sent Bearer eyJhbGciOi.J9.x-y_z= upstream", "sent Bearer [redacted] upstream"],
    ["X-MBX-APIKEY: vmPUZE6mv9SD5V", "X-MBX-APIKEY: [redacted]"],
    [
      '{"apiKey":"k1","n":1,"password": "p w"}',
      '{"apiKey":"[redacted]","n":1,"password": "[redacted]"}',
    ],
    ["api_secret='s e c'", "api_secret='[redacted]'"],
    [
      "cannot connect to nats://node:pa55-w0rd_x@127.0.0.1:4222: refused",
      "cannot connect to nats://node:[redacted]@127.0.0.1:4222: refused",
    ],
    [
      "servers nats://a:s1@h1:4222,tls://:s2@h2 and https://u:p%40ss@example.com/x?y=1",
      "servers nats://a:[redacted]@h1:4222,tls://:[redacted]@h2 and https://u:[redacted]@example.com/x?y=1",
    ],
    ["connect {user: node, pass: hunter22}", "connect {user: node, pass: [redacted]}"],
    [
      "no password here: nats://127.0.0.1:4222/x@y, http://host:8080/a@b, mailto:me@host",
      "no password here: nats://127.0.0.1:4222/x@y, http://host:8080/a@b, mailto:me@host",
    ],
    ["no secrets in here: signatures are checked", "no secrets in here: signatures are checked"],
  ])("redact - %s", (input, expected) => {
    expect(scrubString(input)).toBe(expected);
  });

  it("redact - scrubbing twice changes nothing more", () => {
    const once = scrubString("u?apiKey=a&signature=b Bearer c, token: d nats://u:p@h");
    expect(once).toBe(
      "u?apiKey=[redacted]&signature=[redacted] Bearer [redacted], token: [redacted] nats://u:[redacted]@h",
    );
    expect(scrubString(once)).toBe(once);
  });

  it("redact - nats.js's connect options lose their pass, and a URL object its password", () => {
    const options = {
      servers: ["nats://node:s3cr3t@127.0.0.1:4222"],
      user: "node",
      pass: "s3cr3t",
    };
    expect(scrubSecrets(options)).toEqual({
      servers: ["nats://node:[redacted]@127.0.0.1:4222"],
      user: "node",
      pass: REDACTED,
    });
    expect(scrubSecrets({ url: new URL("nats://node:s3cr3t@127.0.0.1:4222") })).toEqual({
      url: "nats://node:[redacted]@127.0.0.1:4222",
    });
  });
});

describe("redact - values", () => {
  it("redact - a nested secret is replaced in a copy and the input is left alone", () => {
    const input = deepFreeze({
      venue: "binance",
      accounts: [{ name: "main", credentials: { apiKey: "K", secret: "S" } }],
      url: "/order?signature=abc",
    });
    expect(scrubSecrets(input)).toEqual({
      venue: "binance",
      accounts: [{ name: "main", credentials: { apiKey: REDACTED, secret: REDACTED } }],
      url: "/order?signature=[redacted]",
    });
    expect(input.accounts[0]?.credentials.apiKey).toBe("K");
  });

  it("redact - a value with nothing to scrub is returned as is", () => {
    const input = { a: [1, "two", { three: 3 }], at: new Date(0), b: Buffer.from("x") };
    expect(scrubSecrets(input)).toBe(input);
  });

  it("redact - untouched branches are shared, touched ones copied", () => {
    const clean = { n: 1 };
    const input = { clean, dirty: { token: "t" } };
    const out = scrubSecrets(input);
    expect(out.clean).toBe(clean);
    expect(out.dirty).not.toBe(input.dirty);
  });

  it("redact - any value under a secret key is replaced whole", () => {
    expect(scrubSecrets({ authorization: { scheme: "Bearer", credentials: "c" }, pin: 1 })).toEqual(
      {
        authorization: REDACTED,
        pin: 1,
      },
    );
    expect(scrubSecrets({ password: 1234 })).toEqual({ password: REDACTED });
  });

  it("redact - a cycle becomes [Circular] and does not throw", () => {
    const input: Record<string, unknown> = { apiKey: "K", list: [] };
    input.self = input;
    (input.list as unknown[]).push(input);
    const out = scrubSecrets(input);
    expect(out).toEqual({ apiKey: REDACTED, list: [CIRCULAR], self: CIRCULAR });
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it("redact - a shared object that is not a cycle is scrubbed at each place", () => {
    const shared = { token: "t" };
    expect(scrubSecrets({ a: shared, b: [shared] })).toEqual({
      a: { token: REDACTED },
      b: [{ token: REDACTED }],
    });
  });

  it("redact - objects deeper than the limit become [depth]", () => {
    const input = nest(MAX_SCRUB_DEPTH + 5, { apiKey: "deep-K" });
    const text = JSON.stringify(scrubSecrets(input));
    expect(text).not.toContain("deep-K");
    expect(text).toContain(TOO_DEEP);
    expect(JSON.stringify(scrubSecrets(nest(MAX_SCRUB_DEPTH - 1, { ok: 1 })))).not.toContain(
      TOO_DEEP,
    );
  });

  it("redact - an Error keeps its class, name, message and stack; its own props are scrubbed", () => {
    class VenueError extends Error {
      override name = "VenueError";
      request = { url: "/x?signature=sig", headers: { "X-MBX-APIKEY": "K" } };
    }
    const cause = new Error("Bearer tok-123 rejected");
    const err = new VenueError("call /x?timestamp=1&signature=sig failed", { cause });
    const stack = err.stack;
    const out = scrubSecrets(err);

    expect(out).not.toBe(err);
    expect(out).toBeInstanceOf(VenueError);
    expect(out.name).toBe("VenueError");
    expect(out.message).toBe("call /x?timestamp=1&signature=[redacted] failed");
    expect(out.stack).toContain("signature=[redacted]");
    expect(out.request).toEqual({
      url: "/x?signature=[redacted]",
      headers: { "X-MBX-APIKEY": REDACTED },
    });
    expect((out.cause as Error).message).toBe("Bearer [redacted] rejected");
    expect(Object.keys(out)).toEqual(Object.keys(err));

    expect(err.message).toBe("call /x?timestamp=1&signature=sig failed");
    expect(err.stack).toBe(stack);
    expect(err.request.headers["X-MBX-APIKEY"]).toBe("K");
    expect(cause.message).toBe("Bearer tok-123 rejected");
  });

  it("redact - a class instance keeps its prototype; a URL is scrubbed as its JSON string", () => {
    class Credentials {
      constructor(
        readonly exchange: string,
        readonly apiKey: string,
      ) {}
    }
    const out = scrubSecrets({
      creds: new Credentials("binance", "K"),
      url: new URL("https://api.binance.com/api/v3/order?symbol=BTCUSDT&signature=abc"),
    });
    expect(out.creds).toBeInstanceOf(Credentials);
    expect(out.creds.apiKey).toBe(REDACTED);
    expect(out.url).toBe(
      "https://api.binance.com/api/v3/order?symbol=BTCUSDT&signature=[redacted]",
    );
  });

  it("redact - a __proto__ key from parsed JSON stays a plain key", () => {
    const input = JSON.parse('{"__proto__":{"apiKey":"K"},"n":1}') as object;
    const out = scrubSecrets(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"apiKey":"[redacted]"},"n":1}');
  });

  it("redact - a secret at any path of any JSON value never survives", () => {
    const secret = "s3cr3t-7f1c9a2e";
    const secretKey = fc.constantFrom(
      "apiKey",
      "API_SECRET",
      "x-mbx-apikey",
      "refreshToken",
      "Cookie",
    );
    const step = fc.oneof(
      fc.record({ kind: fc.constant("array" as const), at: fc.nat(3) }),
      fc.record({ kind: fc.constant("object" as const), key: fc.string({ maxLength: 8 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 12 }),
        secretKey,
        fc.jsonValue(),
        (path, key, noise) => {
          let value: unknown = { [key]: secret, noise };
          for (const s of path) {
            value =
              s.kind === "array"
                ? [...Array.from({ length: s.at }, () => noise), value]
                : { noise, [s.key]: value };
          }
          const before = JSON.stringify(value);
          expect(JSON.stringify(scrubSecrets(value))).not.toContain(secret);
          expect(JSON.stringify(value)).toBe(before);
        },
      ),
    );
  });
});
