/**
 * The best `k` of a stream of (key, slot) pairs, by a strict "a ranks before
 * b" test: a binary min-heap in two typed arrays, its root the worst kept,
 * so choosing a page from 300,000 matches costs one comparison for most of
 * them, allocates nothing per match, and sorts only the k kept.
 */
export class TopHeap {
  readonly #keys: Float64Array;
  readonly #slots: Int32Array;
  readonly #k: number;
  readonly #better: (ka: number, sa: number, kb: number, sb: number) => boolean;
  #n = 0;

  constructor(k: number, better: (ka: number, sa: number, kb: number, sb: number) => boolean) {
    this.#k = Math.max(0, k);
    this.#keys = new Float64Array(this.#k);
    this.#slots = new Int32Array(this.#k);
    this.#better = better;
  }

  /**
   * The key a pair must reach to be kept (ties decided by {@link offer}): -Infinity until k are
   * held, then the worst kept key. Callers skip the call below it.
   */
  get floor(): number {
    return this.#n < this.#k ? -Infinity : this.#keys[0]!;
  }

  /** Keep (key, slot) if it is among the best k so far. */
  offer(key: number, slot: number): void {
    const keys = this.#keys;
    const slots = this.#slots;
    const better = this.#better;
    if (this.#n < this.#k) {
      let c = this.#n++;
      // Sift up: every parent is worse than its children (the root the worst), so a parent better than the new pair moves down.
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!better(keys[p]!, slots[p]!, key, slot)) break;
        keys[c] = keys[p]!;
        slots[c] = slots[p]!;
        c = p;
      }
      keys[c] = key;
      slots[c] = slot;
      return;
    }
    if (this.#k === 0 || !better(key, slot, keys[0]!, slots[0]!)) return;
    // Replace the root (the worst kept) and sift down: the worse child moves up.
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= this.#n) break;
      const r = l + 1;
      const w = r < this.#n && better(keys[l]!, slots[l]!, keys[r]!, slots[r]!) ? r : l;
      if (!better(key, slot, keys[w]!, slots[w]!)) break;
      keys[c] = keys[w]!;
      slots[c] = slots[w]!;
      c = w;
    }
    keys[c] = key;
    slots[c] = slot;
  }

  /** The kept slots, best first. */
  slotsBestFirst(): number[] {
    const idx = Array.from({ length: this.#n }, (_, i) => i);
    const keys = this.#keys;
    const slots = this.#slots;
    idx.sort((a, b) => (this.#better(keys[a]!, slots[a]!, keys[b]!, slots[b]!) ? -1 : this.#better(keys[b]!, slots[b]!, keys[a]!, slots[a]!) ? 1 : 0));
    return idx.map((i) => slots[i]!);
  }
}
