/**
 * A busy stream's lease grows to a couple of seconds of its publishing (fewer renewals, each a
 * commit it might wait on); a quiet one keeps the configured block.
 */
import { describe, expect, test } from "vitest";
import { StreamLease } from "../../../src/store/record-sink/leases.js";

function leaseAt(block: number) {
  let now = 0;
  const extensions: number[] = [];
  const lease = new StreamLease(
    async (to) => {
      extensions.push(to);
    },
    block,
    block,
    1,
    (err) => {
      throw err;
    },
    1_000,
    () => now,
  );
  const publish = async (from: number, to: number, msEach: number) => {
    for (let seq = from; seq <= to; seq++) {
      now += msEach;
      const wait = lease.reserve(seq);
      if (wait !== undefined) await wait;
    }
  };
  return { lease, extensions, publish };
}

describe("record sink - lease size", () => {
  test("a stream publishing 10,000 seqs a second renews for about two seconds of them", async () => {
    const { lease, extensions, publish } = leaseAt(1_000);
    await publish(1, 60_000, 0.1);
    // The first renewal has no rate yet and adds the configured block; from the second on a
    // block is ~20,000 seqs, so 60,000 seqs took a handful of renewals, not sixty.
    expect(extensions[0]).toBe(2_000);
    expect(lease.nextBlock).toBeGreaterThanOrEqual(19_000);
    expect(lease.nextBlock).toBeLessThanOrEqual(21_000);
    expect(extensions.length).toBeLessThanOrEqual(6);
    expect(lease.leasedTo).toBeGreaterThanOrEqual(60_000);
  });

  test("a stream publishing a seq a second keeps the configured block", async () => {
    const { lease, extensions, publish } = leaseAt(100);
    await publish(1, 500, 1_000);
    expect(lease.nextBlock).toBe(100);
    expect(extensions).toEqual([200, 300, 400, 500, 600]);
  });

  test("a block grows to at most a thousand configured blocks", async () => {
    const { lease, publish } = leaseAt(10);
    await publish(1, 200_000, 0.001);
    expect(lease.nextBlock).toBe(10_000);
  });
});
