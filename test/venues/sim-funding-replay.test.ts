/**
 * A perpetual's funding replayed from recorded rates (venue file `funding.rates`, Binance's public
 * funding-rate CSV): each funding time that has a recorded rate settles at exactly that rate, the
 * others at the computed one; a bad file is refused, naming the file and the line.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/issues.js";
import { parseVenueConfig } from "../../src/sim/config/index.js";
import { CandleFeed } from "../../src/sim/feed.js";
import { createSimulation } from "../../src/venues/sim/simulation.js";
import { flat, seriesOf, T0 } from "../sim/exchange-support.js";
import { PERP, PERP_VENUE, usdt } from "../sim/perp/perp-support.js";

const HOUR = 3_600_000;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-funding-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The test venue with `funding: { rates: <file> }` on its perpetual. */
function withRates(file: string): string {
  return PERP_VENUE.replace(
    /( {2}BTC\/USDT:USDT:\n)/,
    `$1    funding: { intervalHours: 8, interestRate: "0.0001", rates: ${file} }\n`,
  );
}

describe("SimVenue - recorded funding rates", () => {
  it("funding replay - each recorded funding settles at its rate exactly; an unrecorded one is computed", async () => {
    // Binance's layout: calc_time a few ms after the hour. 08:00 recorded at 0.00037 (above what
    // the book would give), 16:00 at -0.00012 (shorts pay); 00:00 the next day not recorded.
    await writeFile(
      join(dir, "rates.csv"),
      [
        "calc_time,funding_interval_hours,last_funding_rate",
        `${T0 + 8 * HOUR + 4},8,0.00037000`,
        `${T0 + 16 * HOUR + 2},8,-0.00012000`,
      ].join("\n"),
    );
    const config = parseVenueConfig(withRates("rates.csv"), { file: "perp.yaml", baseDir: dir });
    const series = seriesOf(flat(100, 25 * 60));
    const feeds = new Map([
      ["BTC/USDT", new CandleFeed(series)],
      [PERP, new CandleFeed(series)],
    ]);
    const s = await createSimulation(config, { feeds });
    const venue = s.venue("bob");
    await s.run({ until: T0 + 60_000 });
    await s.settle(venue.createOrder(PERP, "market", "sell", "1"));
    const predicted = await s.settle(venue.fetchFundingRate(PERP));
    expect(predicted).toMatchObject({ fundingRate: "0.00037", fundingTimestamp: T0 + 8 * HOUR });
    const wallet = () => s.sim.exchange.ledger.free("bob", "USDT");
    let before = wallet();
    await s.run({ until: T0 + 8 * HOUR + 60_000 });
    // Short 1 contract at mark 100: receives 100 × 0.00037 = 0.037.
    expect(wallet() - before).toBe(usdt("0.037"));
    before = wallet();
    await s.run({ until: T0 + 16 * HOUR + 60_000 });
    // At -0.00012 shorts pay longs: 100 × 0.00012 = 0.012 out.
    expect(wallet() - before).toBe(-usdt("0.012"));
    await s.run({ until: T0 + 24 * HOUR + 60_000 });
    const history = await s.settle(venue.fetchFundingRateHistory(PERP));
    expect(history.map((h) => [h.timestamp - T0, h.fundingRate])).toEqual([
      [8 * HOUR, "0.00037"],
      [16 * HOUR, "-0.00012"],
      // Not recorded: the computed rate (the interest rate on this flat, thin book).
      [24 * HOUR, "0.0001"],
    ]);
    await s.stop();
  });

  it("funding replay - a file that cannot be read, has no known header, or goes back in time is refused at its line", async () => {
    const refused = (text: string) => {
      try {
        parseVenueConfig(withRates("rates.csv"), { file: "perp.yaml", baseDir: dir });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error(`accepted: ${text}`);
    };
    expect(refused("missing")).toMatch(/funding\.rates: cannot read .*rates\.csv/);
    await writeFile(join(dir, "rates.csv"), "time,rate\n1,0.0001\n");
    expect(refused("header")).toMatch(/the header must name calc_time and last_funding_rate/);
    await writeFile(join(dir, "rates.csv"), "timestamp,fundingRate\n200,0.0001\n100,0.0002\n");
    expect(refused("order")).toMatch(/rates\.csv:3: times must increase \(100 after 200\)/);
    await writeFile(join(dir, "rates.csv"), "timestamp,fundingRate\n100,abc\n");
    expect(refused("rate")).toMatch(/rates\.csv:2: fundingRate: "abc" is not a rate/);
  });
});
