/**
 * The Bus contract: one suite, run against LocalBus and NatsBus (see local-bus.test.ts and
 * nats-bus.test.ts). A "world" is what connections share: a LocalHub, or a nats-server.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Bus, BusStatus } from "../../src/bus/bus.js";
import {
  BadPayloadError,
  ClosedError,
  InsufficientFundsError,
  InternalError,
  InvalidInputError,
  NoRespondersError,
  PayloadTooLargeError,
  RateLimitError,
  TimeoutError,
  UnknownMarketError,
} from "../../src/domain/errors.js";
import type { Logger } from "../../src/log/logger.js";
import { capturedLogger } from "../support/log-sink.js";
import { sleep, waitUntil } from "../support/wait.js";

export interface BusWorld {
  connect(options?: { logger?: Logger }): Promise<Bus>;
  /** A foreign client's request with raw bytes; returns the decoded reply and its error flag. */
  rawRequest(subject: string, payload: Uint8Array): Promise<{ isError: boolean; body: unknown }>;
}

export function busContract(name: string, makeWorld: () => Promise<BusWorld>): void {
  describe(`${name} - bus contract`, () => {
    let world: BusWorld;
    const opened: Bus[] = [];

    beforeAll(async () => {
      world = await makeWorld();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((b) => b.close()));
    });

    async function connect(options?: { logger?: Logger }): Promise<Bus> {
      const bus = await world.connect(options);
      opened.push(bus);
      return bus;
    }

    function collect(bus: Bus, subject: string, queue?: string): unknown[] {
      const got: unknown[] = [];
      bus.subscribe(subject, (data) => void got.push(data), queue === undefined ? {} : { queue });
      return got;
    }

    it("publish reaches a subscriber on another connection, decoded", async () => {
      const [a, b] = [await connect(), await connect()];
      const got = collect(b, "t.basic");
      await b.flush();
      a.publish("t.basic", { price: "23140.48", n: 1, nested: { ok: true } });
      await waitUntil(() => got.length === 1, "one message");
      expect(got[0]).toEqual({ price: "23140.48", n: 1, nested: { ok: true } });
    });

    it("each subscriber gets its own copy of the payload", async () => {
      const bus = await connect();
      const seen: Array<{ v: number }> = [];
      bus.subscribe<{ v: number }>("t.copy", (d) => {
        d.v += 1;
        seen.push(d);
      });
      bus.subscribe<{ v: number }>("t.copy", (d) => void seen.push(d));
      await bus.flush();
      const sent = { v: 1 };
      bus.publish("t.copy", sent);
      await waitUntil(() => seen.length === 2, "two deliveries");
      expect(sent.v).toBe(1);
      expect(seen.map((d) => d.v).sort()).toEqual([1, 2]);
    });

    it("wildcards: '*' matches one token, '>' one or more trailing tokens", async () => {
      const [pub, sub] = [await connect(), await connect()];
      const star = collect(sub, "w.*.c");
      const tail = collect(sub, "w.>");
      const exact = collect(sub, "w.b");
      await sub.flush();
      for (const s of ["w.b.c", "w.x.c", "w.b", "w.b.c.d", "w"]) pub.publish(s, s);
      await pub.flush();
      await waitUntil(() => tail.length === 4, "four on w.>");
      await sub.flush();
      expect(star).toEqual(["w.b.c", "w.x.c"]);
      expect(tail).toEqual(["w.b.c", "w.x.c", "w.b", "w.b.c.d"]);
      expect(exact).toEqual(["w.b"]);
    });

    it("queue groups: each message goes to exactly one member; plain subscribers get all", async () => {
      const [pub, sub1, sub2] = [await connect(), await connect(), await connect()];
      const m1 = collect(sub1, "q.work", "workers");
      const m2 = collect(sub2, "q.work", "workers");
      const all = collect(sub1, "q.work");
      await Promise.all([sub1.flush(), sub2.flush()]);
      for (let i = 0; i < 40; i++) pub.publish("q.work", i);
      await waitUntil(() => m1.length + m2.length === 40 && all.length === 40, "40 deliveries");
      await sleep(50);
      expect(m1.length + m2.length).toBe(40);
      expect(new Set([...m1, ...m2]).size).toBe(40);
      expect(m1.length).toBeGreaterThan(0);
      expect(m2.length).toBeGreaterThan(0);
      expect(all).toHaveLength(40);
    });

    it("request/reply returns the handler's value; concurrent requests are not mixed up", async () => {
      const [client, server] = [await connect(), await connect()];
      server.serve<{ n: number }, { double: number }>("rr.double", async ({ n }) => {
        await sleep(n % 3);
        return { double: n * 2 };
      });
      await server.flush();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          client.request<{ double: number }>("rr.double", { n }),
        ),
      );
      expect(answers.map((a) => a.double)).toEqual(Array.from({ length: 20 }, (_, n) => n * 2));
    });

    it("a handler returning nothing replies with undefined", async () => {
      const bus = await connect();
      bus.serve("rr.void", () => undefined);
      await bus.flush();
      await expect(bus.request("rr.void", undefined)).resolves.toBeUndefined();
    });

    it("request with nobody serving fails with NoRespondersError", async () => {
      const bus = await connect();
      const err = await bus.request("rr.nobody", {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NoRespondersError);
      expect((err as NoRespondersError).message).toContain("rr.nobody");
      expect((err as NoRespondersError).retryable).toBe(true);
    });

    it("request without a reply in time fails with TimeoutError naming the subject", async () => {
      const bus = await connect();
      bus.serve("rr.slow", () => sleep(1_000));
      await bus.flush();
      const err = await bus.request("rr.slow", {}, { timeoutMs: 100 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as TimeoutError).message).toContain("rr.slow");
    });

    it("a reply that comes after its request timed out is dropped; later requests get their own", async () => {
      const [client, server] = [await connect(), await connect()];
      server.serve<{ wait: number; n: number }>("rr.late", async ({ wait, n }) => {
        await sleep(wait);
        return n;
      });
      await server.flush();
      const late = await client
        .request("rr.late", { wait: 150, n: 1 }, { timeoutMs: 50 })
        .catch((e: unknown) => e);
      expect(late).toBeInstanceOf(TimeoutError);
      const next = client.request("rr.late", { wait: 200, n: 2 });
      // The first request's reply arrives meanwhile: it must not answer the second.
      await sleep(150);
      await expect(next).resolves.toBe(2);
    });

    it("requests waiting together each time out at their own deadline", async () => {
      const [client, server] = [await connect(), await connect()];
      server.serve("rr.mute", () => sleep(2_000));
      await server.flush();
      const started = Date.now();
      const at = (timeoutMs: number) =>
        client.request("rr.mute", {}, { timeoutMs }).then(
          () => "answered",
          (e: unknown) => (e instanceof TimeoutError ? Date.now() - started : e),
        );
      // The long one first: the short ones must not wait for its deadline.
      const long = at(1_500);
      const short = at(100);
      const middle = at(300);
      const [s, m] = await Promise.all([short, middle]);
      expect(s).toBeGreaterThanOrEqual(95);
      expect(s).toBeLessThan(280);
      expect(m).toBeGreaterThanOrEqual(295);
      expect(m).toBeLessThan(1_000);
      // An answer on time still arrives while another request waits for its own.
      server.serve("rr.quick", () => "quick");
      await server.flush();
      await expect(client.request("rr.quick", {}, { timeoutMs: 1_000 })).resolves.toBe("quick");
      expect(await long).toBeGreaterThanOrEqual(1_495);
    });

    it("a request still waiting when its bus closes fails with ClosedError", async () => {
      const [client, server] = [await connect(), await connect()];
      server.serve("rr.never", () => sleep(1_000));
      await server.flush();
      const waiting = client.request("rr.never", {}, { timeoutMs: 5_000 }).catch((e: unknown) => e);
      await sleep(20);
      const started = Date.now();
      await client.close();
      expect(await waiting).toBeInstanceOf(ClosedError);
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it("a thrown crypy error is rebuilt into the same class on the caller's side", async () => {
      const [client, server] = [await connect(), await connect()];
      server.serve<{ kind: string }>("rr.fail", ({ kind }) => {
        if (kind === "funds") throw new InsufficientFundsError("need 100 USDT, have 40");
        if (kind === "market") throw new UnknownMarketError("no market FOO/BAR");
        if (kind === "rate") throw new RateLimitError("slow down", { retryAfterMs: 1500 });
        throw new Error("boom");
      });
      await server.flush();
      const fail = (kind: string) => client.request("rr.fail", { kind }).catch((e: unknown) => e);

      const funds = await fail("funds");
      expect(funds).toBeInstanceOf(InsufficientFundsError);
      expect(funds).toMatchObject({
        code: "insufficient_funds",
        message: "need 100 USDT, have 40",
      });
      expect(await fail("market")).toBeInstanceOf(UnknownMarketError);
      const rate = await fail("rate");
      expect(rate).toBeInstanceOf(RateLimitError);
      expect((rate as RateLimitError).retryAfterMs).toBe(1500);
      const internal = await fail("other");
      expect(internal).toBeInstanceOf(InternalError);
      expect(internal).toMatchObject({ code: "internal", message: "boom" });
    });

    it("messages from one publisher arrive in publish order", async () => {
      const [pub, sub] = [await connect(), await connect()];
      const got = collect(sub, "o.seq") as number[];
      await sub.flush();
      for (let i = 0; i < 2_000; i++) pub.publish("o.seq", i);
      await waitUntil(() => got.length === 2_000, "2000 messages");
      expect(got).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    });

    it("unsubscribe stops delivery", async () => {
      const [pub, sub] = [await connect(), await connect()];
      const got: unknown[] = [];
      const s = sub.subscribe("u.x", (d) => void got.push(d));
      await sub.flush();
      pub.publish("u.x", 1);
      await waitUntil(() => got.length === 1, "first message");
      s.unsubscribe();
      await sub.flush();
      pub.publish("u.x", 2);
      await pub.flush();
      await sleep(50);
      expect(got).toEqual([1]);
    });

    it("drain delivers in-flight messages and waits for async handlers, then closes", async () => {
      const [pub, sub] = [await connect(), await connect()];
      const done: number[] = [];
      sub.subscribe<number>("d.x", async (n) => {
        await sleep(1);
        done.push(n);
      });
      const statuses: BusStatus["type"][] = [];
      sub.onStatus((s) => void statuses.push(s.type));
      await sub.flush();
      for (let i = 0; i < 100; i++) pub.publish("d.x", i);
      await pub.flush();
      await sub.drain();
      expect(done).toHaveLength(100);
      expect(sub.isClosed).toBe(true);
      expect(statuses).toContain("draining");
      expect(statuses.at(-1)).toBe("closed");
      expect(() => sub.publish("d.x", 1)).toThrow(ClosedError);
    });

    it("drain lets an in-flight request be answered", async () => {
      const [client, server] = [await connect(), await connect()];
      server.serve("d.rr", async () => {
        await sleep(50);
        return "answered";
      });
      await server.flush();
      const answer = client.request("d.rr", {});
      await sleep(10);
      await server.drain();
      await expect(answer).resolves.toBe("answered");
    });

    it("a payload that does not decode is logged with its subject and dropped; the subscription lives", async () => {
      const { logger, records } = capturedLogger();
      const pub = await connect();
      const sub = await connect({ logger });
      const got = collect(sub, "bad.x");
      await sub.flush();
      pub.publishBytes("bad.x", Buffer.from("{not json"));
      pub.publishBytes("bad.x", Uint8Array.of(0xff, 0xfe, 0x00));
      pub.publish("bad.x", "fine");
      await waitUntil(() => got.length === 1, "the good message");
      expect(got).toEqual(["fine"]);
      const drops = records.filter((r) => r.msg === "dropped a payload that does not decode");
      expect(drops).toHaveLength(2);
      expect(drops[0]).toMatchObject({ level: 40, subject: "bad.x" });
    });

    it("a request whose payload does not decode gets a bad_payload error, not a timeout", async () => {
      const { logger } = capturedLogger();
      const server = await connect({ logger });
      let calls = 0;
      server.serve("bad.rr", () => ++calls);
      await server.flush();
      const answer = await world.rawRequest("bad.rr", Buffer.from("{oops"));
      expect(answer.isError).toBe(true);
      expect(answer.body).toMatchObject({ code: "bad_payload" });
      expect(calls).toBe(0);
    });

    it("a handler that throws does not end its subscription", async () => {
      const { logger, records } = capturedLogger();
      const [pub, sub] = [await connect(), await connect({ logger })];
      const got: number[] = [];
      sub.subscribe<number>("h.x", (n) => {
        if (n === 1) throw new Error("handler bug");
        got.push(n);
      });
      sub.subscribe<number>("h.x", async (n) => {
        if (n === 2) throw new Error("async handler bug");
      });
      await sub.flush();
      for (const n of [1, 2, 3]) pub.publish("h.x", n);
      await waitUntil(() => got.length === 2, "messages after the failure");
      expect(got).toEqual([2, 3]);
      await waitUntil(() => records.filter((r) => r.level === 50).length === 2, "two error logs");
    });

    it("an oversize payload is refused at the sender with a clear error", async () => {
      const [pub, sub] = [await connect(), await connect()];
      const got = collect(sub, "big.x");
      await sub.flush();
      const big = "x".repeat(pub.maxPayload + 1);
      expect(() => pub.publish("big.x", big)).toThrow(PayloadTooLargeError);
      expect(() => pub.publish("big.x", big)).toThrow(/big\.x.*bytes.*limit/);
      await expect(pub.request("big.x", big)).rejects.toBeInstanceOf(PayloadTooLargeError);
      pub.publish("big.x", "small");
      await waitUntil(() => got.length === 1, "the small message");
      expect(got).toEqual(["small"]);
    });

    it("an oversize reply becomes a payload_too_large error for the requester", async () => {
      const bus = await connect();
      bus.serve("big.reply", () => "y".repeat(bus.maxPayload + 10));
      await bus.flush();
      await expect(bus.request("big.reply", {})).rejects.toBeInstanceOf(PayloadTooLargeError);
    });

    it("bad subjects and unencodable payloads are refused with InvalidInputError", async () => {
      const bus = await connect();
      for (const s of ["", "a..b", "a.*", "a.>", ".a", "a.", "a b", "a.b*"]) {
        expect(() => bus.publish(s, 1), s).toThrow(InvalidInputError);
      }
      for (const s of ["a.>.b", "a..b", "a.b>", ""]) {
        expect(() => bus.subscribe(s, () => {}), s).toThrow(InvalidInputError);
      }
      expect(() => bus.publish("enc.x", { n: 10n })).toThrow(InvalidInputError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => bus.publish("enc.x", cyclic)).toThrow(/not JSON-encodable/);
    });

    it("after close, requests and subscriptions fail with ClosedError and close is idempotent", async () => {
      const bus = await connect();
      const statuses: string[] = [];
      bus.onStatus((s) => void statuses.push(s.type));
      await bus.close();
      await bus.close();
      expect(bus.isClosed).toBe(true);
      await expect(bus.request("c.x", {})).rejects.toBeInstanceOf(ClosedError);
      expect(() => bus.subscribe("c.x", () => {})).toThrow(ClosedError);
      expect(() => bus.publish("c.x", 1)).toThrow(ClosedError);
      expect(statuses.filter((s) => s === "closed")).toHaveLength(1);
    });

    it("a bad-payload reply error is rebuilt as BadPayloadError", async () => {
      const bus = await connect();
      bus.serve("bp.x", () => {
        throw new BadPayloadError("field 'side' missing");
      });
      await bus.flush();
      await expect(bus.request("bp.x", {})).rejects.toThrow(BadPayloadError);
    });
  });
}
