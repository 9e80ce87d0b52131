/**
 * The process the template crash test kills: it writes a Trader's outcome back into a template
 * again and again (the atomic write-back every Trader's end makes), printing the number of each
 * write-back once it returned. Run as `node --import tsx test/crash/write-back-loop.ts <file>`.
 */
import { recordTraderOutcome } from "../../src/actors/templates/index.js";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: write-back-loop.ts <trader template>");
for (let i = 1; ; i++) {
  await recordTraderOutcome(file, "BTC/USDT", {
    strategy: "sma-cross",
    params: { fast: 10, slow: 40 },
    trades: i,
    pnl: "1.5",
    returnPct: 0.1,
    at: Date.UTC(2024, 0, 1) + i,
  });
  process.stdout.write(`${i}\n`);
}
