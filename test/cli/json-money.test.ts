/**
 * Every amount, price and PnL that `crypy sim --json` prints is an exact decimal string: a JSON
 * number, or a string with more decimals than the asset it is counted in has, is a float that
 * leaked into the money path (`amount=0.058121820000000005`).
 */
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { simJson } from "../support/sim-json.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Fields counted in the market's base asset. */
const BASE = new Set(["amount", "filled", "remaining", "held", "quantity", "dust"]);
/** Fields counted in the market's quote asset: prices, notionals, PnL, capital. */
const QUOTE = new Set([
  "price",
  "average",
  "entryPrice",
  "averageEntry",
  "last",
  "stopLoss",
  "takeProfit",
  "cost",
  "proceeds",
  "basis",
  "pnl",
  "realised",
  "unrealised",
  "fees",
  "allocation",
  "allocated",
  "free",
  "reserved",
  "equity",
  "notional",
  "maxNotional",
]);
const DECIMAL = /^-?\d+(\.\d+)?$/;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-money-"));
  await cp(join(ROOT, "templates"), join(dir, "templates"), { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every money problem in `value` (an event or a part of one), as "path: what". */
function moneyProblems(
  value: unknown,
  scales: { base: number; quote: number },
  path: string,
): string[] {
  if (value === null || typeof value !== "object") return [];
  const problems: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    const at = `${path}.${key}`;
    if (field !== null && typeof field === "object") {
      problems.push(...moneyProblems(field, scales, at));
      continue;
    }
    const scale = BASE.has(key) ? scales.base : QUOTE.has(key) ? scales.quote : undefined;
    if (scale === undefined || field === undefined) continue;
    if (typeof field !== "string") {
      problems.push(
        `${at}: ${JSON.stringify(field)} is a JSON ${typeof field}, not a decimal string`,
      );
    } else if (!DECIMAL.test(field)) {
      problems.push(`${at}: ${JSON.stringify(field)} is not a plain decimal`);
    } else if ((field.split(".")[1]?.length ?? 0) > scale) {
      problems.push(`${at}: ${field} has more than ${scale} decimals`);
    }
  }
  return problems;
}

describe("cli - money in events is exact", () => {
  it("cli - every amount, price and PnL of a --json run is a decimal string within its asset's precision", async () => {
    const venue = parse(await readFile(join(ROOT, "venues/sim.yaml"), "utf8")) as {
      assets: Record<string, { decimals: number }>;
    };
    const stdout = await simJson(dir, "1d");
    const events = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The run must have traded, or there is no money to check.
    const names = new Set(events.map((e) => e.event));
    for (const name of [
      "holder.accepted",
      "order.placed",
      "order.filled",
      "trader.entered",
      "trader.exited",
      "holder.recorded",
    ]) {
      expect(names, `a --json run of a simulated day has ${name}`).toContain(name);
    }
    const problems: string[] = [];
    for (const e of events) {
      const [base = "USDT", quote = "USDT"] =
        typeof e.market === "string" ? e.market.split("/") : [];
      const scales = {
        base: venue.assets[base]?.decimals ?? 8,
        quote: venue.assets[quote]?.decimals ?? 8,
      };
      problems.push(...moneyProblems(e, scales, `${e.actor} ${e.event}`));
    }
    expect(problems).toEqual([]);
  }, 90_000);
});
