import { Desk } from "./src/actors/desk/desk.js";
import { HolderKeys } from "./src/actors/mandate.js";
import { LocalBus } from "./src/bus/local/local-bus.js";
import { deskOrder } from "./src/bus/subjects.js";
import type { Order, OrderType, Side } from "./src/domain/order.js";
import { createLogger } from "./src/log/logger.js";
import { parseVenueConfig } from "./src/sim/config/index.js";
import { VirtualClock } from "./src/time/virtual-clock.js";
import { SimVenue } from "./src/venues/sim/sim-venue.js";
import { createSimulation, type Simulation } from "./src/venues/sim/simulation.js";
import type { CreateOrderParams, Num } from "./src/venues/venue.js";
import { readFileSync } from "node:fs";
const src = readFileSync("bench/tick-to-order/index.ts", "utf8");
const VENUE = src.slice(src.indexOf("const VENUE = `") + 15, src.indexOf("`;", src.indexOf("const VENUE = `")));
class ImmediateVenue extends SimVenue {
  constructor(s: Simulation, private readonly clock: VirtualClock) { super(s.sim, s.gate, "main"); }
  override createOrder(symbol: string, type: OrderType, side: Side, amount: Num, price?: Num, params?: CreateOrderParams): Promise<Order> {
    const o = super.createOrder(symbol, type, side, amount, price, params);
    this.clock.advanceTo(this.clock.now());
    return o;
  }
}
const log = createLogger({ level: "silent" });
const simulation = await createSimulation(parseVenueConfig(VENUE, { file: "x", baseDir: "." }), { syntheticMs: 86_400_000 });
const clock = simulation.clock as VirtualClock;
const venue = new ImmediateVenue(simulation, clock);
const bus = new LocalBus();
const desk = new Desk({ id: "sim-main", venue, watch: ["BTC/USDT"], risk: { maxOrderNotional: "1000000", maxPositionNotional: "1000000000", maxDailyLoss: "1000000000", maxOrdersPerSecond: 1_000_000 }, assetDecimals: { BTC: 8, USDT: 8 }, cacheCandles: 100 }, { bus, clock, log, heartbeatMs: 0 });
const keys = HolderKeys.generate();
desk.trustHolder("H", keys.publicKey);
let started = false;
const st = desk.start().finally(() => { started = true; });
await simulation.run({ shouldStop: () => started });
await st;
await simulation.run({ shouldStop: () => clock.now() > 1_704_067_200_000 + 600_000 });
const mandate = keys.sign({ trader: "T", desk: "sim-main", market: "BTC/USDT", sides: ["buy", "sell"], maxNotional: "1000000000", expiresAt: clock.now() + 1e10, nonce: "n" }, "H");
let long = false;
for (let r = 0; r < 5; r++) {
  const t = process.hrtime.bigint();
  const N = 4000;
  for (let i = 0; i < N; i++) {
    const o = await bus.request<Order>(deskOrder("sim-main"), { op: "place", trader: "T", mandate, market: "BTC/USDT", side: long ? "sell" : "buy", type: "market", amount: "0.001" });
    if (o.status !== "closed") throw new Error("x");
    long = !long;
    await new Promise((r) => setImmediate(r));
  }
  console.log("µs/order (LocalBus, hot):", Number(process.hrtime.bigint() - t) / 1000 / N);
}
process.exit(0);
