/**
 * `npm run bench -- <name>`: runs one benchmark; with no name, lists them. Exits non-zero when a
 * comparison misses its goal, so a regression is visible in scripts.
 */
const benches: Record<string, { about: string; load: () => Promise<{ run(): Promise<boolean> }> }> =
  {
    bus: {
      about:
        "NatsBus vs raw nats.js (throughput, request/reply p50/p99); LocalBus vs its codec; MessagePack (msgpackr) vs JSON as the codec",
      load: () => import("./bus.js"),
    },
    matching: {
      about: "sim OrderBook vs nodejs-order-book on one seeded limit/cancel/market mix (ops/s)",
      load: () => import("./matching.js"),
    },
    replay: {
      about:
        "full Simulator replay of real BTC/USDT candles with a candle listener (candles/s) vs a bare path-price loop feeding the same listener; a perpetual with an open short vs spot",
      load: () => import("./replay.js"),
    },
    backtest: {
      about:
        "full-simulator backtest vs grademark; fast screening path vs a hand loop; a short strategy on a perpetual vs spot",
      load: () => import("./backtest.js"),
    },
    sweep: {
      about:
        "100-set sma-cross sweep through the full simulator: 2 workers vs 1 (sets/s), rankings checked identical",
      load: () => import("./sweep.js"),
    },
    "tick-to-order": {
      about:
        "market-data tick → Trader signal → signed order → Desk gateway + SimVenue → reply, over NATS, vs raw nats.js (p50/p99)",
      load: () => import("./tick-to-order/index.js"),
    },
    venue: {
      about:
        "order round trip through CcxtVenue + ccxt to crypy venue serve vs a bare signed HTTP request (p50/p99); WebSocket trades/s into CcxtVenue.watchTrades vs a raw ws client",
      load: () => import("./venue.js"),
    },
    journal: {
      about:
        "durable appends/s: FileJournal with 64 writers (group commit) vs a bare write + fdatasync loop; open (recover) 1,000,000 entries vs reading the bytes",
      load: () => import("./journal.js"),
    },
    "history-replay": {
      about:
        "events/s replayed from PostgreSQL onto the bus (trades and a book: paged reads, book rebuilt, merged by time) vs the bare SELECT of the same rows",
      load: () => import("./history-replay.js"),
    },
    record: {
      about:
        "trade rows/s into PostgreSQL through the Recorder's sink vs a bare COPY of the same rows into a fresh table (goal 0.8x); then history-replay's events/s",
      load: () => import("./record.js"),
    },
    actors: {
      about:
        "1,000 and 10,000 Traders on one LocalBus across 100 markets, a tenth holding a position entered through a real Desk: peak resident memory; candle and ticker deliveries/s vs the bus floor",
      load: () => import("./actors/index.js"),
    },
  };

const name = process.argv[2];
if (name === undefined || benches[name] === undefined) {
  if (name !== undefined) process.stderr.write(`unknown benchmark: ${name}\n`);
  process.stderr.write("usage: npm run bench -- <name>\n\nbenchmarks:\n");
  for (const [n, b] of Object.entries(benches))
    process.stderr.write(`  ${n.padEnd(10)} ${b.about}\n`);
  process.exit(name === undefined ? 0 : 2);
}
const ok = await (await benches[name]!.load()).run();
process.exit(ok ? 0 : 1);
