/** Times as the store's messages and commands show them: UTC, to the minute (or second). */

/** `2023-03-01 00:00` (with `:ss` when the interval is under a minute). */
export function formatTime(ms: number, intervalMs = 60_000): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(ms);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, intervalMs < 60_000 ? 19 : 16)}`;
}

const COUNT = new Intl.NumberFormat("en-US");

/** `30,240` */
export function formatCount(n: number): string {
  return COUNT.format(n);
}
