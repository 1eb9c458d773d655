/**
 * A map from strings (room keys, addresses) to slots of the index that holds
 * no strings: keys are 30-bit hashes (small integers, nothing for the garbage
 * collector to walk), and every hit is checked against the slot's own key,
 * read back through `keyOf`. A key whose hash another live key holds goes to
 * a small overflow map of strings.
 */
export class SlotMap {
  readonly #byHash = new Map<number, number>();
  readonly #overflow = new Map<string, number>();
  #keyOf: (slot: number) => string;

  /** `keyOf(slot)` returns the key a slot was set under. */
  constructor(keyOf: (slot: number) => string) {
    this.#keyOf = keyOf;
  }

  /** Read keys back through `keyOf` from now on (the slots moved to another owner). */
  rebind(keyOf: (slot: number) => string): void {
    this.#keyOf = keyOf;
  }

  get(key: string): number | undefined {
    if (this.#overflow.size > 0) {
      const s = this.#overflow.get(key);
      if (s !== undefined) return s;
    }
    const s = this.#byHash.get(hash30(key));
    return s !== undefined && this.#keyOf(s) === key ? s : undefined;
  }

  set(key: string, slot: number): void {
    const h = hash30(key);
    const held = this.#byHash.get(h);
    if (held === undefined || this.#keyOf(held) === key) this.#byHash.set(h, slot);
    else this.#overflow.set(key, slot);
  }

  /** Remove `key` if it still names `slot`. */
  delete(key: string, slot: number): void {
    if (this.#overflow.get(key) === slot) this.#overflow.delete(key);
    else if (this.#byHash.get(hash30(key)) === slot) this.#byHash.delete(hash30(key));
  }

  /** Every entry (a snapshot): hash/slot pairs and the overflow. */
  export(): { pairs: Int32Array; overflow: [string, number][] } {
    const pairs = new Int32Array(this.#byHash.size * 2);
    let i = 0;
    for (const [h, s] of this.#byHash) { pairs[i++] = h; pairs[i++] = s; }
    return { pairs, overflow: [...this.#overflow] };
  }

  /** Load {@link export}'s entries (into an empty map). */
  import(parts: { pairs: Int32Array; overflow: [string, number][] }): void {
    for (let i = 0; i < parts.pairs.length; i += 2) this.#byHash.set(parts.pairs[i]!, parts.pairs[i + 1]!);
    for (const [k, s] of parts.overflow) this.#overflow.set(k, s);
  }

  clear(): void {
    this.#byHash.clear();
    this.#overflow.clear();
  }
}

/** FNV-1a over UTF-16 code units, cut to 30 bits so it is a small integer (no heap number per key). */
export function hash30(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}
