/**
 * The shown text of the index's rooms, one UTF-8 JSON array per slot in one
 * growable byte pool. A million rooms are then one buffer and two offset
 * arrays instead of a million strings the garbage collector must walk (its
 * pauses grew to a quarter second over strings, BENCHMARKS.md). A replaced or
 * removed text leaves garbage until the index is compacted.
 */
export class DocStore {
  #buf = Buffer.allocUnsafe(1 << 16);
  #used = 0;
  #garbage = 0;
  #at = new Uint32Array(0);
  #len = new Uint32Array(0);

  /** Bytes held (capacity), and bytes no slot uses any more. */
  get bytes(): number {
    return this.#buf.byteLength + this.#at.byteLength + this.#len.byteLength;
  }

  get garbage(): number {
    return this.#garbage;
  }

  /**
   * The pool and offsets of the first `slots` slots (a snapshot). The offsets are copies and the
   * pool a view of the bytes written so far, which later writes never touch (they append).
   */
  export(slots: number): { pool: Buffer; at: Uint32Array; len: Uint32Array } {
    return { pool: this.#buf.subarray(0, this.#used), at: this.#at.slice(0, slots), len: this.#len.slice(0, slots) };
  }

  /** A store from {@link export}'s parts, with room for `capacity` slots. */
  static import(parts: { pool: Buffer; at: Uint32Array; len: Uint32Array }, capacity: number): DocStore {
    const out = new DocStore();
    out.#buf = Buffer.from(parts.pool);
    out.#used = parts.pool.byteLength;
    out.grow(capacity);
    out.#at.set(parts.at);
    out.#len.set(parts.len);
    let used = 0;
    for (const n of parts.len) used += n;
    out.#garbage = out.#used - used;
    return out;
  }

  /** Drop the pool's spare capacity (after a bulk load: doubling leaves up to half of it unused). */
  trim(): void {
    if (this.#buf.byteLength > this.#used) this.#buf = Buffer.from(this.#buf.subarray(0, this.#used));
  }

  /** Make room for slots below `capacity`. */
  grow(capacity: number): void {
    const at = new Uint32Array(capacity);
    at.set(this.#at.subarray(0, Math.min(capacity, this.#at.length)));
    const len = new Uint32Array(capacity);
    len.set(this.#len.subarray(0, Math.min(capacity, this.#len.length)));
    this.#at = at;
    this.#len = len;
  }

  /** Store `text` for `slot` (replacing what it had). */
  set(slot: number, text: string): void {
    const n = Buffer.byteLength(text);
    if (this.#used + n > this.#buf.byteLength) {
      // A quarter more each time: a million rooms' text is a few hundred MB, and doubling would leave half unused.
      const grown = Buffer.allocUnsafe(Math.max(Math.floor(this.#buf.byteLength * 1.25) + 65_536, this.#used + n));
      this.#buf.copy(grown, 0, 0, this.#used);
      this.#buf = grown;
    }
    this.#garbage += this.#len[slot]!;
    this.#buf.write(text, this.#used);
    this.#at[slot] = this.#used;
    this.#len[slot] = n;
    this.#used += n;
  }

  /** The text of `slot` ('' when none). */
  get(slot: number): string {
    const at = this.#at[slot]!;
    return this.#buf.toString('utf8', at, at + this.#len[slot]!);
  }

  /** Forget the text of `slot`. */
  clear(slot: number): void {
    this.#garbage += this.#len[slot]!;
    this.#len[slot] = 0;
  }
}
