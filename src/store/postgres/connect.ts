/**
 * A PostgreSQL connection from a `postgres://` (or `postgresql://`) URL (see url.ts).
 *
 * Client: `postgres` (porsager): its own TypeScript types, COPY FROM STDIN as a Node Writable, and
 * `numeric` handed back as text, so prices stay exact unless we ask for float8 ourselves.
 */

import postgres from "postgres";
import { parsePostgresUrl } from "./url.js";

export {
  isPostgresUrl,
  type PostgresSelection,
  type PostgresTarget,
  parsePostgresUrl,
} from "./url.js";

export type Sql = postgres.Sql;

/** A client with a small pool; server notices (e.g. "already exists, skipping") are not printed. */
export function connectPostgres(url: string, options: { max?: number } = {}): Sql {
  return postgres(parsePostgresUrl(url).url, {
    max: options.max ?? 4,
    onnotice: () => {},
    connect_timeout: 10,
  });
}
