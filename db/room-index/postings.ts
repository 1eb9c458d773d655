/**
 * The word → rooms map of {@link RoomIndex}: per word, a growable list of
 * postings, each `slot << 4 | fields` (the room's slot in the index and the
 * FIELD bits of where the word is), in increasing slot order because slots
 * are only ever appended. A word of one room (most words of a large
 * directory: ids in aliases, names, typos) keeps its one posting as a plain
 * number instead of a list. A sorted dictionary of the words answers prefix
 * lookups; words added since it was last sorted wait in a list that a
 * prefix lookup scans, and sorts in once it is long.
 */

/** One word's postings: `ids[0..n)` are used. */
export interface Posting {
  ids: Int32Array;
  n: number;
}

const list = (p: Posting | number): Posting => typeof p === 'number' ? { ids: Int32Array.of(p), n: 1 } : p;

/** Most words one prefix expands to; the rest are not searched (a two-letter prefix over a million-word dictionary). */
export const MAX_EXPANSIONS = 1000;

/**
 * Most postings read for the longer words a prefix expands to, beyond the typed word's own and
 * the commonest longer word's, which are always read: "lin" reads "linux" whole and then the
 * next commonest words while this lasts, not a thousand rare ones. A prefix of very many
 * words so counts fewer matches than a scan would (the ranking's top is the same).
 */
export const PREFIX_POSTINGS_BUDGET = 30_000;

/** Words added before the dictionary is re-sorted. */
const PENDING_LIMIT = 4096;

/** A word's postings and whether it is the typed word itself or a longer word it prefixes. */
export interface Expansion {
  posting: Posting;
  exact: boolean;
}

/** Word → postings, with prefix lookup. */
export class Postings {
  /** Every word with postings, dead postings included until the index is compacted. */
  readonly #map = new Map<string, Posting | number>();
  /** Sorted words (the dictionary); words added since are in #pending. */
  #sorted: string[] = [];
  #pending: string[] = [];

  /** Distinct words. */
  get size(): number {
    return this.#map.size;
  }

  /** Append a posting; `slot` must be larger than every slot added before. */
  add(word: string, slot: number, fields: number): void {
    const e = (slot << 4) | fields;
    let p = this.#map.get(word);
    if (p === undefined) {
      this.#map.set(word, e);
      this.#pending.push(word);
      return;
    }
    if (typeof p === 'number') {
      p = { ids: new Int32Array(4), n: 1 };
      p.ids[0] = this.#map.get(word) as number;
      this.#map.set(word, p);
    } else if (p.n === p.ids.length) {
      const grown = new Int32Array(p.ids.length * 2);
      grown.set(p.ids);
      p.ids = grown;
    }
    p.ids[p.n++] = e;
  }

  /** Drop the unused capacity of every list and sort the dictionary (after a bulk load). */
  trim(): void {
    this.#merge();
    for (const p of this.#map.values()) if (typeof p !== 'number' && p.n < p.ids.length) p.ids = p.ids.slice(0, p.n);
  }

  /** The postings of `word`, or of every word it prefixes (itself first) when `prefix`. */
  expand(word: string, prefix: boolean): Expansion[] {
    const own = this.#map.get(word);
    const out: Expansion[] = own === undefined ? [] : [{ posting: list(own), exact: true }];
    if (!prefix) return out;
    // Sorted in here, not as words arrive: a bulk load would re-merge the whole dictionary every few thousand words.
    if (this.#pending.length > PENDING_LIMIT) this.#merge();
    // Binary search for the first dictionary word >= word, then walk while it starts with word.
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#sorted[mid]! < word) lo = mid + 1; else hi = mid;
    }
    for (let i = lo; i < this.#sorted.length && out.length < MAX_EXPANSIONS; i++) {
      const w = this.#sorted[i]!;
      if (!w.startsWith(word)) break;
      if (w !== word) out.push({ posting: list(this.#map.get(w)!), exact: false });
    }
    for (const w of this.#pending) {
      if (out.length >= MAX_EXPANSIONS) break;
      if (w !== word && w.startsWith(word)) out.push({ posting: list(this.#map.get(w)!), exact: false });
    }
    const longer = out.slice(own === undefined ? 0 : 1).sort((a, b) => b.posting.n - a.posting.n);
    const kept = own === undefined ? [] : [out[0]!];
    let budget = PREFIX_POSTINGS_BUDGET;
    for (const [i, e] of longer.entries()) {
      // The commonest completion always (most likely meant); the others while the budget lasts.
      if (i > 0 && e.posting.n > budget) continue;
      budget -= e.posting.n;
      kept.push(e);
    }
    return kept;
  }

  /** The dictionary and lists as three flat parts (a snapshot): words in dictionary order, their counts, their postings. */
  export(): { words: string[]; counts: Uint32Array; ids: Int32Array } {
    this.#merge();
    const words = this.#sorted;
    const counts = new Uint32Array(words.length);
    let total = 0;
    for (const [i, w] of words.entries()) {
      const p = this.#map.get(w)!;
      counts[i] = typeof p === 'number' ? 1 : p.n;
      total += counts[i]!;
    }
    const ids = new Int32Array(total);
    let at = 0;
    for (const w of words) {
      const p = this.#map.get(w)!;
      if (typeof p === 'number') ids[at++] = p;
      else { ids.set(p.ids.subarray(0, p.n), at); at += p.n; }
    }
    return { words, counts, ids };
  }

  /** Postings from {@link export}'s parts; the lists are views of `ids` until they grow. */
  static import(parts: { words: string[]; counts: Uint32Array; ids: Int32Array }): Postings {
    const out = new Postings();
    let at = 0;
    for (const [i, w] of parts.words.entries()) {
      const n = parts.counts[i]!;
      out.#map.set(w, n === 1 ? parts.ids[at]! : { ids: parts.ids.subarray(at, at + n), n });
      at += n;
    }
    out.#sorted = parts.words;
    return out;
  }

  /** Bytes held by posting lists (capacity, not only what is used). */
  bytes(): number {
    let b = 0;
    for (const p of this.#map.values()) b += typeof p === 'number' ? 8 : p.ids.byteLength;
    return b;
  }

  #merge(): void {
    this.#pending.sort();
    const merged: string[] = new Array(this.#sorted.length + this.#pending.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.#sorted.length && j < this.#pending.length) merged[k++] = this.#sorted[i]! < this.#pending[j]! ? this.#sorted[i++]! : this.#pending[j++]!;
    while (i < this.#sorted.length) merged[k++] = this.#sorted[i++]!;
    while (j < this.#pending.length) merged[k++] = this.#pending[j++]!;
    this.#sorted = merged;
    this.#pending = [];
  }
}
