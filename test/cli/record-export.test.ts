/**
 * `crypy record --export-after 30d --export-to DIR`: the real bin, recording the simulated venue
 * (its clock starts 2024-01-01), exports the local store's candles older than 30 days of that
 * clock to Parquet as it starts; what it records itself is younger and stays out of the archive.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/candle-store.js";
import { openDuck } from "../../src/store/parquet/duckdb.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/crypy");
const VENUE = join(ROOT, "venues/sim-perp.yaml");
const FIXTURE = join(ROOT, "test/fixtures/binanceus-BTCUSDT-1m-2023-03-01_21.csv.gz");
const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "crypy-record-export-"));
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("cli - crypy record --export-after", () => {
  it("cli - exports the stored candles older than the age to Parquet as recording starts", async () => {
    const dataDir = join(dir, "store");
    const archive = join(dir, "archive");
    await openStore(dataDir).importFile(FIXTURE, { venue: "binance", market: "BTC/USDT" });
    const args = [BIN, "record", VENUE, "--markets", "BTC/USDT:USDT", "--kinds", "candles"];
    await run(
      process.execPath,
      [
        ...args,
        "--speed",
        "60",
        "--exit-after",
        "2m",
        "--export-after",
        "30d",
        "--export-to",
        archive,
      ],
      {
        env: { ...process.env, CRYPY_LOG_LEVEL: "error", CRYPY_DATA_DIR: dataDir },
        timeout: 60_000,
      },
    );
    const recorded = await openStore(dataDir).list();
    expect(recorded.map((s) => s.venue).sort()).toEqual(["binance", "sim-perp"]);
    const duck = await openDuck();
    try {
      const rows = (
        await duck.connection.runAndReadAll(
          `SELECT venue, market, count(DISTINCT day)::INT AS days, count(*)::INT AS candles
           FROM read_parquet('${archive}/**/*.parquet', hive_partitioning = true) GROUP BY ALL`,
        )
      ).getRowObjectsJS();
      expect(rows).toEqual([{ venue: "binance", market: "BTC-USDT", days: 21, candles: 30_240 }]);
    } finally {
      duck.close();
    }
    await expect(
      run(process.execPath, [...args, "--export-after", "30d"], {
        env: { ...process.env, CRYPY_DATA_DIR: dataDir },
      }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining("--export-after and --export-to go together"),
    });
  }, 60_000);
});
