/**
 * The markets a Recorder tracks, kept in its store so a restart without --markets takes them up
 * again: `recorder_markets` in PostgreSQL, `recorder-markets.json` in the local store's folder.
 * None stored (or an empty list): the caller's defaults apply.
 */

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../domain/errors.js";
import { writeFileAtomic } from "../chunk-file.js";
import type { Sql } from "../postgres/connect.js";
import type { MarketList } from "./sink.js";

export function postgresMarkets(sql: Sql, recorder: string): MarketList {
  return {
    async load() {
      const rows = await sql<{ market: string }[]>`
        SELECT market FROM recorder_markets WHERE recorder = ${recorder} ORDER BY added_at, market`;
      return rows.length === 0 ? undefined : rows.map((r) => r.market);
    },
    async save(markets) {
      await sql.begin(async (tx) => {
        await tx`DELETE FROM recorder_markets
          WHERE recorder = ${recorder} AND NOT (market = ANY(${[...markets]}::text[]))`;
        for (const market of markets) {
          await tx`INSERT INTO recorder_markets (recorder, market) VALUES (${recorder}, ${market})
            ON CONFLICT DO NOTHING`;
        }
      });
    },
  };
}

/** `<dir>/recorder-markets.json`: { "<recorder>": ["ETH/USDT", …] }. */
export function fileMarkets(dir: string, recorder: string): MarketList {
  const file = join(dir, "recorder-markets.json");
  const read = (): Record<string, string[]> => {
    if (!existsSync(file)) return {};
    try {
      return JSON.parse(readFileSync(file, "utf8")) as Record<string, string[]>;
    } catch (err) {
      throw new InvalidInputError(`${file} is not the Recorder's markets file: ${String(err)}`);
    }
  };
  return {
    async load() {
      const list = read()[recorder];
      return list === undefined || list.length === 0 ? undefined : [...list];
    },
    async save(markets) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileAtomic(file, `${JSON.stringify({ ...read(), [recorder]: markets })}\n`);
    },
  };
}
