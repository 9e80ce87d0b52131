import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";
import * as T from "../src/actors/templates/index.js";

it("x", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tt-"));
  cpSync("templates", join(dir, "templates"), { recursive: true });
  cpSync("venues", join(dir, "venues"), { recursive: true });
  const tp = join(dir, "templates/trader/moving-average.yaml");
  const before = readFileSync(tp, "utf8");
  await T.recordTraderOutcome(tp, "BTC/USDT", {
    strategy: "sma-cross",
    params: { fast: 10, slow: 40 },
    trades: 4,
    pnl: "12.5",
    returnPct: 0.5,
    at: 1704067200000,
  });
  const hp = join(dir, "templates/holder/default.yaml");
  await T.markFailedStrategy(hp, "macd", "ETH/USDT", 3, "-1.5");
  await T.markFailedStrategy(hp, "macd", "BTC/USDT", 2, "-0.25");
  const dp = join(dir, "templates/desk/sim.yaml");
  await T.markLosingAsset(dp, "USDT", 3, "-10", 1704067200000);
  console.log(readFileSync(tp, "utf8").slice(before.indexOf("\nlearned:") - 200));
  console.log(readFileSync(hp, "utf8"));
  const x = join(dir, "x.yaml");
  for (const t of [
    "a: [1, 2]\nlearned:\nb: { c: 1 }\n",
    "a: [1, 2]\n",
    "a: [1, 2]",
    "a: 1\nlearned: {} # note\nb: 2\n",
    'a: 1 # c\n\n# before\nlearned:\n  losingAssets:\n    - { asset: BTC, trades: 1, pnl: "-1", since: "2024-01-01T00:00:00Z" }\n  # inner\n# trailing\n',
  ]) {
    writeFileSync(x, t);
    await T.markLosingAsset(x, "USDT", 3, "-10", 1704067200000);
    console.log("----\n" + readFileSync(x, "utf8") + "|");
  }
});
