/**
 * bench matching — the simulator's matching core (src/sim/book) against nodejs-order-book, an
 * npm limit order book, on the same pregenerated operation list in the same run.
 *
 * Workload (seeded, one book): 60% limit orders near the touch (buys at mid-6..mid+1, sells at
 * mid-1..mid+6 ticks, 1-10 lots, so some cross and trade), 30% cancels of a random live order,
 * 10% market orders (1-10 lots), while the mid takes a slow random walk. The list is generated
 * before timing, by running it once on our book to know which orders are live when a cancel is
 * drawn; each round then replays it from an empty book. One op = one call into the book. Ours
 * gets numeric ids; the peer gets the same ids as strings (made before timing). STP is off in both.
 * After each round the two books' aggregated depth must be equal, so both did the same matching.
 *
 * Rounds alternate ours/peer after a warm-up; medians are reported. `value` is our absolute
 * ops/s (the goal is >= 2,000,000), the ratio is against the peer (goal >= 20).
 */
import { OrderBook as PeerBook, Side as PeerSide } from "nodejs-order-book";
import { type BookListener, BUY, OrderBook, SELL, type Side } from "../src/sim/book/index.js";
import { Random } from "../src/sim/random.js";
import { elapsedSeconds, median, nowNs, report } from "./report.js";

const OPS = 300_000;
const ROUNDS = 7;
const LIMIT = 0;
const CANCEL = 1;
const MARKET = 2;

interface Workload {
  kind: Uint8Array;
  id: Int32Array;
  side: Uint8Array;
  price: Int32Array;
  qty: Int32Array;
  peerId: string[];
  /** What the list does, measured while generating it: printed so a reader can judge the mix. */
  stats: {
    limits: number;
    cancels: number;
    markets: number;
    fills: number;
    resting: number;
    levels: number;
  };
}

const noListener: BookListener = { onFill() {}, onMakerExpired() {} };

function generate(seed: number): Workload {
  const rnd = new Random(seed);
  const w: Workload = {
    kind: new Uint8Array(OPS),
    id: new Int32Array(OPS),
    side: new Uint8Array(OPS),
    price: new Int32Array(OPS),
    qty: new Int32Array(OPS),
    peerId: new Array<string>(OPS).fill(""),
    stats: { limits: 0, cancels: 0, markets: 0, fills: 0, resting: 0, levels: 0 },
  };
  const stats = w.stats;
  const touched: number[] = [];
  const book = new OrderBook({
    onFill(makerId) {
      touched.push(makerId);
      stats.fills++;
    },
    onMakerExpired() {},
  });
  // Live ids, with each id's index so a cancel removes a random one in O(1).
  const live: number[] = [];
  const at = new Map<number, number>();
  const forget = (id: number) => {
    const i = at.get(id);
    if (i === undefined) return;
    const last = live.pop()!;
    if (last !== id) {
      live[i] = last;
      at.set(last, i);
    }
    at.delete(id);
  };
  let mid = 100_000;
  let nextId = 1;
  for (let i = 0; i < OPS; i++) {
    if (rnd.chance(0.02)) mid += rnd.chance(0.5) ? 1 : -1;
    const r = rnd.next();
    touched.length = 0;
    if (r < 0.3 && live.length > 0) {
      const id = live[rnd.int(0, live.length - 1)]!;
      w.kind[i] = CANCEL;
      w.id[i] = id;
      stats.cancels++;
      book.cancel(id);
      forget(id);
    } else if (r < 0.4) {
      const side = rnd.int(0, 1) as Side;
      const qty = rnd.int(1, 10);
      w.kind[i] = MARKET;
      stats.markets++;
      w.side[i] = side;
      w.qty[i] = qty;
      w.id[i] = nextId++;
      book.addMarket(w.id[i]!, 0, side, qty);
    } else {
      const side = rnd.int(0, 1) as Side;
      const price = side === BUY ? mid + rnd.int(-6, 1) : mid + rnd.int(-1, 6);
      const qty = rnd.int(1, 10);
      const id = nextId++;
      w.kind[i] = LIMIT;
      stats.limits++;
      w.id[i] = id;
      w.side[i] = side;
      w.price[i] = price;
      w.qty[i] = qty;
      book.addLimit(id, 0, side, price, qty, "GTC");
      if (book.has(id)) {
        at.set(id, live.length);
        live.push(id);
      }
    }
    for (const maker of touched) if (!book.has(maker)) forget(maker);
    stats.resting += book.size / OPS;
    stats.levels += (book.depth(BUY, 1_000).length + book.depth(SELL, 1_000).length) / 2 / OPS;
    w.peerId[i] = String(w.id[i]);
  }
  return w;
}

function runOurs(w: Workload): { opsPerSecond: number; book: OrderBook } {
  const book = new OrderBook(noListener);
  const { kind, id, side, price, qty } = w;
  const start = nowNs();
  for (let i = 0; i < OPS; i++) {
    const k = kind[i];
    if (k === LIMIT) book.addLimit(id[i]!, 0, side[i] as Side, price[i]!, qty[i]!, "GTC");
    else if (k === CANCEL) book.cancel(id[i]!);
    else book.addMarket(id[i]!, 0, side[i] as Side, qty[i]!);
  }
  return { opsPerSecond: OPS / elapsedSeconds(start), book };
}

function runPeer(w: Workload): { opsPerSecond: number; book: PeerBook } {
  const book = new PeerBook();
  const { kind, peerId, side, price, qty } = w;
  const start = nowNs();
  for (let i = 0; i < OPS; i++) {
    const k = kind[i];
    const s = side[i] === BUY ? PeerSide.BUY : PeerSide.SELL;
    if (k === LIMIT) book.limit({ id: peerId[i]!, side: s, price: price[i]!, size: qty[i]! });
    else if (k === CANCEL) book.cancel(peerId[i]!);
    else book.market({ side: s, size: qty[i]! });
  }
  return { opsPerSecond: OPS / elapsedSeconds(start), book };
}

/** Both books must hold the same aggregated levels, or the comparison is not like for like. */
function checkSameBook(ours: OrderBook, peer: PeerBook): void {
  const [peerAsks, peerBids] = peer.depth();
  const same = (a: Array<[number, number]>, b: Array<[number, number]>) =>
    JSON.stringify(a) === JSON.stringify(b);
  const bids = ours.depth(BUY, Number.MAX_SAFE_INTEGER);
  const asks = ours.depth(SELL, Number.MAX_SAFE_INTEGER);
  if (!same(bids, peerBids) || !same(asks, peerAsks)) {
    throw new Error("bench matching: our book and the peer's diverged; the workload is not equal");
  }
}

export async function run(): Promise<boolean> {
  const w = generate(20_240_611);
  const { limits, cancels, markets, fills, resting, levels } = w.stats;
  const pct = (n: number) => `${((100 * n) / OPS).toFixed(1)}%`;
  process.stderr.write(
    `matching: ${OPS} ops/round: ${pct(limits)} limits, ${pct(cancels)} cancels, ` +
      `${pct(markets)} markets; ${fills} fills; on average ${resting.toFixed(0)} resting orders ` +
      `over ${levels.toFixed(1)} levels a side\n`,
  );
  for (let i = 0; i < 3; i++) {
    runOurs(w);
    runPeer(w);
  }
  const ours: number[] = [];
  const peer: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = runOurs(w);
    const b = runPeer(w);
    checkSameBook(a.book, b.book);
    ours.push(a.opsPerSecond);
    peer.push(b.opsPerSecond);
  }
  const value = median(ours);
  const ok = report({
    bench: "matching",
    impl: "crypy OrderBook",
    value,
    unit: "ops/s",
    peer: "nodejs-order-book",
    peer_value: median(peer),
    goal: { atLeast: 20 },
  });
  const target = 2_000_000;
  process.stderr.write(
    `matching: crypy ${Math.round(value)} ops/s (goal >= ${target}: ${value >= target ? "met" : "MISSED"})\n`,
  );
  return ok && value >= target;
}
