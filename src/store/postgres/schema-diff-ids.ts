/**
 * Migration 4: each stored book diff's first update id and, on futures, the previous diff's last
 * (Binance U and pu), beside the last (`sequence`, u) that migration 1 stored alone. With them a
 * reader checks that the stored diffs chain (read-book.ts) instead of assuming it. Nullable: rows
 * stored before this migration have neither, and a spot diff has no `prev_sequence`.
 *
 * Adding a nullable column without a default changes no stored row, on a partitioned table
 * (native: its partitions follow) as on a hypertable, compressed chunks included (timescale): the
 * same statement serves both layouts.
 */

export const diffIdsSql = (): string => `
ALTER TABLE book_diffs ADD COLUMN first_sequence bigint, ADD COLUMN prev_sequence bigint;
`;
