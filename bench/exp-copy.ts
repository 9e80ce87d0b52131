import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { copyLine } from "../src/store/postgres/copy-text.js";
import { ensurePartitions } from "../src/store/postgres/partitions.js";
import { openPostgresStore } from "../src/store/postgres/store.js";
import { TRADES } from "../src/store/postgres/tables.js";

const admin = "postgres://postgres@127.0.0.1:5432/postgres";
const name = `crypy_exp_${Date.now()}`;
const server = postgres(admin, { max: 1, onnotice: () => {} });
await server.unsafe(`CREATE DATABASE ${name}`);
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
const store = await openPostgresStore(url);
const sql = postgres(url, { max: 4, onnotice: () => {} });
const M = ["A", "B", "C", "D"];
const T0 = Date.UTC(2024, 0, 1);
const lines = (venue: string) =>
  Array.from({ length: 200_000 }, (_, i) =>
    copyLine(
      TRADES.fields({
        venue,
        market: M[i % 4]!,
        tradeId: String(1e9 + i),
        time: T0 + i * 37,
        price: "42000.12",
        amount: "0.00123",
        side: "buy",
        seq: Math.floor(i / 4) + 1,
      }),
    ),
  );
await ensurePartitions(sql, "trades", [T0]);
await sql.unsafe(
  `CREATE TABLE plain (venue text, market text, trade_id text, time timestamptz, price numeric, amount numeric, side text, seq bigint, PRIMARY KEY (venue, market, trade_id, time))`,
);
await sql.unsafe(`CREATE INDEX plain_seq ON plain (venue, market, seq)`);
async function copy(table: string, ls: string[], batch: number, conc: number) {
  const t = performance.now();
  const batches: string[][] = [];
  for (let i = 0; i < ls.length; i += batch) batches.push(ls.slice(i, i + batch));
  let next = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < batches.length) {
        const b = batches[next++]!;
        const chunks: string[] = [];
        for (let i = 0; i < b.length; i += 512) chunks.push(b.slice(i, i + 512).join(""));
        await sql.begin(async (tx) => {
          const c = await tx
            .unsafe(`COPY ${table} (${TRADES.columns.join(",")}) FROM STDIN`)
            .writable();
          await pipeline(Readable.from(chunks), c);
        });
      }
    }),
  );
  return Math.round(ls.length / ((performance.now() - t) / 1000));
}
let k = 0;
for (const [table, batch, conc] of [
  ["plain", 200000, 1],
  ["trades", 200000, 1],
  ["plain", 5000, 1],
  ["trades", 5000, 1],
  ["trades", 5000, 4],
  ["trades", 20000, 1],
  ["plain", 200000, 1],
  ["trades", 200000, 1],
  ["trades", 5000, 1],
  ["trades", 5000, 4],
] as const) {
  console.log(table, batch, conc, await copy(table, lines(`v${k++}`), batch, conc));
}
await sql.end();
await store.close();
await server.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
await server.end();
