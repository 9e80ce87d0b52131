/**
 * bench tick-to-order — how long crypy takes from a market-data tick to an accepted order, over NATS.
 *
 * crypy's chain (a private nats-server on a random port; the Desk on this thread, the Trader on a
 * worker thread of its own — trader-side.ts — each with its own NatsBus connection, as separate
 * processes would be: neither's work waits on the other's event loop):
 *   1. the real Desk publishes `crypy.md.sim-main.BTC-USDT.ticker` (t0: the Desk's bus.publish call);
 *   2. a Trader-like subscriber decodes it, updates a 20-tick SMA of `last` and decides a side (buy
 *      when flat, sell when long: a position that never grows, so no limit or budget runs out);
 *   3. it signs the order with its own Ed25519 key at its next sequence and requests
 *      `crypy.desk.sim-main.order` (place, market, 0.001 BTC) with a real Ed25519 mandate signed by
 *      a Holder key the Desk trusts;
 *   4. the Desk's gateway checks trading state, the mandate (expiry, budget; its Holder signature
 *      verified on its first order), the order's signature (verified on every order) and sequence,
 *      and the risk limits, and places the order on a SimVenue, which fills it;
 *   5. the reply (the filled Order) is back at the Trader (t1). One tick at a time: the next is
 *      published once the Trader thread has reported this one.
 *
 * The venue answers at once: its latency is 0 and it runs on a VirtualClock that does not move
 * while an order is in flight — the venue connection fires the zero-delay timers already due
 * (`advanceTo(now)`) as soon as the order is sent, so the matching engine's work is measured and no
 * simulated delay is. Between ticks the clock moves to the next path point of a seeded gbm market.
 *
 * Peer, in the same run, on the same server and the same layout (its "trader" on its own thread),
 * with the connection option crypy's NatsBus uses (noAsyncTraces): raw nats.js with
 * no crypy code and no codec — the "desk" connection publishes a tick of the same byte size, the
 * "trader" connection's subscription callback calls `nc.request` with a payload the size of
 * crypy's order request, the "desk" connection's subscription answers with `msg.respond` with a
 * payload the size of crypy's reply. Same three messages, same sizes, nothing else: the transport
 * floor. After 300 warm-up ticks each, 4 rounds of 500 ticks alternate crypy and peer; p50 and p99
 * are over all 2,000 samples of each. On stderr, for context: where crypy's p50 goes, leg by leg
 * (stamps at the Desk's publish, the Trader's receipt, the Desk's order handler, the venue call and
 * the reply), the proofs timed alone (proofs.ts: signing, and verifying, an order's signature, none
 * of it a cache hit), and the tails of both distributions.
 *
 * Checked (checks.ts), and the run fails otherwise: the Desk verified exactly one signature per
 * timed order, every order was filled, and afterwards it refuses a replayed and a forged order and
 * takes the next genuine one; the peer's replies are crypy's size. For context, what a Desk's file
 * journal would add per order (journal-cost.ts): this Desk has none.
 */
import { NatsBus } from "../../src/bus/nats/nats-bus.js";
import { deskOrder } from "../../src/bus/subjects.js";
import type { Order } from "../../src/domain/order.js";
import { createLogger } from "../../src/log/logger.js";
import { startNatsServer } from "../../test/harness/nats-server.js";
import { median, quantile, report } from "../report.js";
import { checkSignedOrders, countVerifies } from "./checks.js";
import { AMOUNT, type Crypy, DESK, HOLDER, type Stamps, startCrypy } from "./crypy-side.js";
import { journalAppendUs } from "./journal-cost.js";
import { type Peer, startPeer } from "./peer-side.js";
import { proofCosts } from "./proofs.js";

const WARMUP_TICKS = 300;
const ROUNDS = 4;
const TICKS_PER_ROUND = 500;
const us = (from: bigint, to: bigint) => Number(to - from) / 1_000;

/** Where crypy's time goes: medians of each leg, on stderr. */
function breakdown(stamps: Stamps[]): string {
  const leg = (name: string, f: (s: Stamps) => number) =>
    `${name} ${median(stamps.map(f)).toFixed(0)} µs`;
  return [
    leg("tick Desk→Trader", (s) => us(s.published, s.received)),
    leg("Trader decides + signs", (s) => us(s.received, s.signed)),
    leg("request to the Desk's handler (encode, hop, decode)", (s) => us(s.signed, s.deskIn)),
    leg("gateway checks (state, mandate, order signature verified, risk)", (s) =>
      us(s.deskIn, s.venueIn),
    ),
    leg("venue placement", (s) => us(s.venueIn, s.venueOut)),
    leg("Desk after the venue (books, encode) until the reply is sent", (s) =>
      us(s.venueOut, s.replySent),
    ),
    leg("reply hop to the Trader (decode)", (s) => us(s.replySent, s.replied)),
  ].join(", ");
}

export async function run(): Promise<boolean> {
  const server = await startNatsServer({ jetstream: false });
  let crypy: Crypy | undefined;
  let peer: Peer | undefined;
  let ok = true;
  try {
    crypy = await startCrypy(server.url, WARMUP_TICKS);
    await crypy.ticks(WARMUP_TICKS);
    const sizes = crypy.sizes();
    peer = await startPeer(server.url, sizes);
    await peer.ticks(WARMUP_TICKS);
    process.stderr.write(
      `tick-to-order: ${ROUNDS} x ${TICKS_PER_ROUND} ticks each after ${WARMUP_TICKS} warm-up; ` +
        `tick ${sizes.tick} B, order request ${sizes.request} B, reply ${sizes.reply} B\n`,
    );
    const ours: number[] = [];
    const theirs: number[] = [];
    const stamps: Stamps[] = [];
    const peerTickLeg: number[] = [];
    const peerRequestLeg: number[] = [];
    const verifies = countVerifies();
    const before = crypy.orders;
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const round = await crypy.ticks(TICKS_PER_ROUND);
        ours.push(...round.samples);
        stamps.push(...round.stamps);
        const raw = await peer.ticks(TICKS_PER_ROUND);
        theirs.push(...raw.samples);
        peerTickLeg.push(...raw.tickLeg);
        peerRequestLeg.push(...raw.requestLeg);
      }
    } finally {
      verifies.stop();
    }
    const timedOrders = crypy.orders - before;
    const verified = verifies.orders;
    const checker = await NatsBus.connect(server.url, {
      name: "checker",
      logger: createLogger({ level: "silent" }),
    });
    let filled: Order;
    try {
      filled = await checkSignedOrders({
        bus: checker,
        subject: deskOrder(DESK),
        desk: DESK,
        mandate: crypy.mandate,
        traderKeys: crypy.traderKeys,
        amount: AMOUNT,
        sent: crypy.orders,
      });
    } finally {
      await checker.close();
    }
    process.stderr.write(
      `tick-to-order: checked: ${timedOrders} timed orders filled, ${verified} order signatures ` +
        `verified by the Desk meanwhile (${verifies.others} other verifications); after ${crypy.orders} orders it refused a replay and a ` +
        "forged signature and took the next genuine order\n",
    );
    if (verified !== timedOrders) {
      process.stderr.write(
        `tick-to-order: FAILED: ${timedOrders} orders but ${verified} signature verifications\n`,
      );
      ok = false;
    }

    const costs = proofCosts({
      desk: DESK,
      holder: HOLDER,
      holderKeys: crypy.holderKeys,
      mandate: crypy.mandate,
      traderKeys: crypy.traderKeys,
      amount: AMOUNT,
    });
    ours.sort((a, b) => a - b);
    theirs.sort((a, b) => a - b);
    const p50 = quantile(ours, 0.5);
    process.stderr.write(
      `tick-to-order: crypy p50 legs: ${breakdown(stamps)}\n` +
        `tick-to-order: raw p50 legs: tick ${median(peerTickLeg).toFixed(0)} µs, request → ` +
        `reply ${median(peerRequestLeg).toFixed(0)} µs\n` +
        `tick-to-order: per order, timed alone: the Trader signs in ${costs.sign.toFixed(1)} µs; ` +
        `the Desk verifies its signature in ${costs.verify.toFixed(1)} µs, inside its proof check ` +
        `(MandateBook.authorize + commit) of ${costs.deskCheck.toFixed(1)} µs; a mandate's first ` +
        `order adds ${costs.mandateFirst.toFixed(1)} µs to read and verify the mandate itself\n`,
    );
    report({
      bench: "tick-to-order.proofs",
      impl: "per order: the Trader's Ed25519 sign + the Desk's Ed25519 verify of its signature",
      value: costs.sign + costs.verify,
      unit: "us",
      peer: "crypy's tick-to-order p50 (the share of it the proofs take)",
      peer_value: p50,
    });
    const journalUs = await journalAppendUs(DESK, filled);
    report({
      bench: "tick-to-order.journal",
      impl: "context: what a Desk's file journal would add per order (2 durable appends, fdatasync each)",
      value: 2 * journalUs,
      unit: "us",
      peer: "crypy's tick-to-order p50 without a journal, as timed",
      peer_value: p50,
    });
    const spread = (xs: number[]) =>
      [0.9, 0.95, 0.99, 0.999].map((q) => `p${q * 100} ${quantile(xs, q).toFixed(0)}`).join(", ");
    process.stderr.write(`tick-to-order: crypy ${spread(ours)} µs; raw ${spread(theirs)} µs\n`);
    for (const [name, q] of [
      ["p50", 0.5],
      ["p99", 0.99],
    ] as const) {
      ok =
        report({
          bench: `tick-to-order.${name}`,
          impl: "crypy Desk → Trader → Desk gateway (every order's signature verified) + SimVenue → reply (NatsBus)",
          value: quantile(ours, q),
          unit: "us",
          peer: "nats.js raw publish → subscriber → request → respond, same sizes, no codec",
          peer_value: quantile(theirs, q),
          ...(name === "p50" ? { goal: { atMost: 3 } } : {}),
        }) && ok;
    }
  } finally {
    await crypy?.close();
    await peer?.close();
    await server.cleanup();
  }
  return ok;
}
