/** What the bench's main thread (the Desk side) and the Trader thread tell each other. */
import type { Mandate } from "../../src/actors/mandate.js";

export interface ByteSizes {
  tick: number;
  request: number;
  reply: number;
}

/** workerData of the Trader thread. */
export type TraderSetup =
  | {
      kind: "crypy";
      url: string;
      tickSubject: string;
      orderSubject: string;
      desk: string;
      trader: string;
      market: string;
      amount: string;
      mandate: Mandate;
      /** The folder holding the Trader's private key (ActorKeys.load): it signs every order. */
      keysDir: string;
      /** The first this-many ticks also report the byte sizes of their messages, for the peer. */
      measureSizesFor: number;
    }
  | { kind: "peer"; url: string; tickSubject: string; orderSubject: string; sizes: ByteSizes };

/** Trader thread → main thread. Stamps are process.hrtime.bigint(), one clock for all threads. */
export type TraderReport =
  | { type: "ready" }
  | {
      type: "tick";
      received: bigint;
      /** crypy: the order is signed (the Trader's decision and its Ed25519 signature are done). */
      signed?: bigint;
      replied: bigint;
      sizes?: ByteSizes;
    }
  | { type: "error"; message: string };

/** Main thread → Trader thread. */
export type TraderCommand = { type: "close" };
