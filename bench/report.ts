/**
 * The benchmark convention: every figure is printed next to a peer's figure measured in the same
 * run on the same payload, so the ratio holds on a noisy machine. One JSON line per comparison:
 *
 *   {"bench","impl","value","unit","peer","peer_value","ratio","goal","pass"}
 *
 * `ratio` is value / peer_value. `goal` states the requirement the ratio is held to ("ratio >= 0.9"
 * for throughput, "ratio <= 1.2" for latency) and `pass` whether this run met it.
 */
export interface Comparison {
  bench: string;
  impl: string;
  value: number;
  unit: string;
  peer: string;
  peer_value: number;
  /** Requirement on the ratio, e.g. { atLeast: 0.9 } for throughput, { atMost: 1.2 } for latency. */
  goal?: { atLeast: number } | { atMost: number };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function report(c: Comparison): boolean {
  const ratio = c.value / c.peer_value;
  let goal: string | undefined;
  let pass: boolean | undefined;
  if (c.goal !== undefined) {
    if ("atLeast" in c.goal) {
      goal = `ratio >= ${c.goal.atLeast}`;
      pass = ratio >= c.goal.atLeast;
    } else {
      goal = `ratio <= ${c.goal.atMost}`;
      pass = ratio <= c.goal.atMost;
    }
  }
  const line = {
    bench: c.bench,
    impl: c.impl,
    value: round(c.value, 3),
    unit: c.unit,
    peer: c.peer,
    peer_value: round(c.peer_value, 3),
    ratio: round(ratio, 3),
    ...(goal === undefined ? {} : { goal, pass }),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return pass ?? true;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-quantile (0..1) of already-sorted samples, nearest rank. */
export function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export const nowNs = (): bigint => process.hrtime.bigint();
export const elapsedSeconds = (since: bigint): number =>
  Number(process.hrtime.bigint() - since) / 1e9;
