/**
 * Orders by id: an open-addressing hash table for safe-integer keys (linear probing, Fibonacci
 * hashing, backward-shift deletion, load factor <= 1/2). Measured about twice as fast as a Map
 * on the book's insert/lookup/delete churn, and it never boxes a key that is not a small integer.
 */
/** Exact: a power of two; multiplying is cheaper than dividing by 2^32. */
const TWO_TO_MINUS_32 = 2 ** -32;

export class IdTable<V extends object> {
  private keys = new Float64Array(16);
  /** null marks an empty slot. */
  private values: Array<V | null> = new Array<V | null>(16).fill(null);
  private mask = 15;
  private shift = 28;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): V | undefined {
    const { keys, values, mask } = this;
    let i = this.home(id);
    for (;;) {
      const v = values[i]!;
      if (v === null) return undefined;
      if (keys[i] === id) return v;
      i = (i + 1) & mask;
    }
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds `id` (which must not be present). */
  add(id: number, value: V): void {
    if ((this.count + 1) * 2 > this.values.length) this.grow();
    const { keys, values, mask } = this;
    let i = this.home(id);
    while (values[i] !== null) i = (i + 1) & mask;
    keys[i] = id;
    values[i] = value;
    this.count++;
  }

  delete(id: number): boolean {
    const { keys, values, mask } = this;
    let i = this.home(id);
    for (;;) {
      const v = values[i]!;
      if (v === null) return false;
      if (keys[i] === id) break;
      i = (i + 1) & mask;
    }
    // Shift later entries of the same probe run back, so lookups never need tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (values[j] === null) break;
      const h = this.home(keys[j]!);
      const stays = i <= j ? i < h && h <= j : i < h || h <= j;
      if (!stays) {
        keys[i] = keys[j]!;
        values[i] = values[j]!;
        i = j;
      }
    }
    values[i] = null;
    this.count--;
    return true;
  }

  private home(id: number): number {
    const lo = id | 0;
    const hi = (id * TWO_TO_MINUS_32) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = oldValues.length * 2;
    this.keys = new Float64Array(capacity);
    this.values = new Array<V | null>(capacity).fill(null);
    this.mask = capacity - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < oldValues.length; i++) {
      const v = oldValues[i]!;
      if (v !== null) this.add(oldKeys[i]!, v);
    }
  }
}
