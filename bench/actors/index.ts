/**
 * bench actors — what live Traders cost when some of them trade: peak resident memory, and
 * market-data deliveries per second.
 *
 * Each size (1,000 and 10,000 Traders across 100 markets, so 10 or 100 per market) runs in a child
 * process of its own (child.ts), so one size's memory does not inflate the other's. In the child
 * a real Desk trades on a simulated venue, and every Trader is a real `Trader` that warmed up from
 * the Desk's cache, evaluated sma-cross(5, 20) through the full simulator and was accepted with a
 * real signed mandate (by a stub Holder). A tenth of them then buy through the Desk — the Trader's
 * `enter` command, as an operator runs it: a signed order through the Desk's gateway (trading
 * state, mandate and order signature, risk limits) to the venue, and the fill reported back — so
 * they hold a position and check their stop loss and take profit on every ticker; the others wait
 * for an entry signal. Then the live market (market.ts): per market and minute 59 tickers and a
 * closed candle, the Desk's rates, on the Desk's subjects and in its shapes, round-robin over the
 * markets. Nobody's strategy signals on that path, so each Trader stays where it was and does its
 * full work on every message.
 *
 * - Peak memory: the kernel's high-water mark of the child's resident set
 *   (`process.resourceUsage().maxRSS`) at the end of the run: everything in the process — the
 *   venue, the Desk, the Traders, the floor's subscriptions — at its worst moment, no collection
 *   forced anywhere. On stderr, for context: resident and peak at the end of each phase.
 * - Deliveries/s: messages × subscribed Traders, per second, on the Traders' LocalBus. Peer, in the
 *   same process and run, on the same messages: a second LocalBus with the same market-data
 *   subscriptions (one candle and one ticker subscription per Trader) whose callbacks only count
 *   — the bus floor: routing, queueing, the per-subscriber decode. Rounds alternate the two;
 *   after one untimed round each, 5 timed rounds of ~1,200,000 deliveries; medians are reported.
 * - Checks (the run fails on any): both sides got exactly the deliveries published (a difference
 *   of 0 allowed); every candle delivered to a Trader reached its strategy; every position checked
 *   its exits on every ticker of its market; the positions the Traders hold add up, market by
 *   market, to what the venue account holds; at the end every holder is still in position and
 *   every other Trader still waiting.
 *
 * Goal: 10,000 Traders, a tenth holding, under 1 GiB peak resident; `run()` fails otherwise.
 * `BENCH_ACTORS_SIZES=10000` runs one size; `BENCH_ACTORS_NODE_FLAGS="--heap-prof ..."` passes
 * flags to the children (profiling); `BENCH_ACTORS_HEAP_SNAPSHOTS=<dir>:<phase>,...` writes a heap
 * snapshot at the end of those phases (desk, traders, entries, floor, rounds; a snapshot forces a
 * collection and costs memory: never for the figures); `BENCH_ACTORS_SURVIVORS=<file>` samples
 * what the rounds allocate that outlives a young-generation collection (a .heapprofile);
 * `BENCH_ACTORS_ROUNDS=<n>` shortens a run while developing.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { median, report } from "../report.js";
import type { ChildResult } from "./child.js";

const SIZES = (process.env.BENCH_ACTORS_SIZES ?? "1000,10000").split(",").map(Number);
const BUDGET_MIB = 1024;

/**
 * The child runs the compiled code (`npm run build` puts it in dist/), as the crypy CLI does: under
 * tsx every function would carry its name as an own property (esbuild's keepNames), ~250 bytes
 * more per closure, which no user pays.
 */
function childFile(): string {
  const file = fileURLToPath(new URL("../../dist/bench/actors/child.js", import.meta.url));
  if (!existsSync(file))
    throw new Error(
      `bench actors: ${file} is missing; run it with \`npm run bench -- actors\`, which builds it`,
    );
  return file;
}

function runChild(size: number): Promise<ChildResult> {
  const file = childFile();
  const flags = (process.env.BENCH_ACTORS_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...flags, file, String(size)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    proc.once("error", reject);
    proc.once("exit", (code, signal) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || line === "") {
        reject(new Error(`bench actors: the ${size}-Trader child failed (${code ?? signal})`));
        return;
      }
      resolve(JSON.parse(line) as ChildResult);
    });
  });
}

const mib = (x: number) => `${x.toFixed(0)} MiB`;

function describe(r: ChildResult): string {
  const phases = r.phases
    .map((p) => `${p.name} ${mib(p.rssMiB)}/${mib(p.peakMiB)} at ${p.at.toFixed(1)} s`)
    .join(", ");
  return (
    `actors: ${r.traders} Traders (${r.holders} holding, stops ${r.stop}: ${r.restingStops} ` +
    `resting at the venue): peak rss ${mib(r.peakRssMiB)} ` +
    `(sampled ${mib(r.sampledPeakMiB)}); rss/peak after each phase: ${phases}; heap used at ` +
    `the end ${mib(r.heapUsedMiB)}; rounds of ${r.minutesPerRound} market minutes ` +
    `(${r.deliveriesPerRound} deliveries); child ran ${r.seconds.toFixed(1)} s\n`
  );
}

export async function run(): Promise<boolean> {
  const results: ChildResult[] = [];
  let ok = true;
  for (const size of SIZES) {
    const r = await runChild(size);
    results.push(r);
    process.stderr.write(describe(r));
    for (const problem of r.problems) process.stderr.write(`actors: CHECK FAILED: ${problem}\n`);
    if (r.problems.length > 0) ok = false;
  }
  for (const r of results) {
    report({
      bench: `actors.deliveries.${r.traders}`,
      impl: `${r.traders} Traders, ${r.holders} holding (exits checked per ticker), the rest waiting for a signal; sma-cross update per candle; LocalBus; deliveries checked equal to the floor's (difference 0)`,
      value: median(r.traderRates),
      unit: "deliveries/s",
      peer: "same messages, same LocalBus market-data subscriptions, callbacks that only count (bus floor)",
      peer_value: median(r.floorRates),
    });
  }
  const large = results.find((r) => r.traders === 10_000) ?? results[results.length - 1]!;
  const small = results.find((r) => r !== large);
  const what = (r: ChildResult) =>
    `${r.traders} Traders (${r.holders} holding), peak rss of the process (kernel maxRSS, no GC forced)`;
  if (small !== undefined)
    report({
      bench: "actors.memory",
      impl: what(large),
      value: large.peakRssMiB,
      unit: "MiB",
      peer: what(small),
      peer_value: small.peakRssMiB,
    });
  ok =
    report({
      bench: "actors.memory.budget",
      impl: what(large),
      value: large.peakRssMiB,
      unit: "MiB",
      peer: "the goal: 1 GiB peak resident (a fixed budget, not a measurement)",
      peer_value: BUDGET_MIB,
      goal: { atMost: 1 },
    }) && ok;
  return ok;
}
