/**
 * The per-slot facts of {@link RoomIndex} as typed arrays (one entry per
 * slot), and the per-search scratch arrays of the same length. Growing
 * replaces every array (callers read them through this object, never keep
 * one across a grow). A million slots are about 40 MB.
 */

/** The columns a snapshot holds, by name. */
export const COLUMN_NAMES = ['flags', 'server', 'language', 'members', 'past', 'boost', 'version', 'observed', 'idHash', 'nameWords'] as const;
export type ColumnName = (typeof COLUMN_NAMES)[number];
export type Column = Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;

/** Per-slot typed arrays. */
export class SlotColumns {
  capacity = 0;
  /** ALIVE, XMPP, SPACE, ROOM_HIDDEN, FEDERATES, LOCAL_ONLY bits (room-index.ts). */
  flags = new Uint8Array(0);
  /** Index into the server names. */
  server = new Uint32Array(0);
  /** Index into the language codes. */
  language = new Uint16Array(0);
  members = new Uint32Array(0);
  /** Members at the start of the room's 30-day series (growth = members - past). */
  past = new Uint32Array(0);
  /** membersBoost(members), computed when the size changes rather than per search. */
  boost = new Float32Array(0);
  version = new Float64Array(0);
  observed = new Float64Array(0);
  /** hash30 of the room key: the last tie-break, the same in every process. */
  idHash = new Uint32Array(0);
  /** Distinct words of the name (capped at 255): a query naming all of them is the name. */
  nameWords = new Uint8Array(0);
  // Per-search scratch: a stamp says the slot was touched by search number `gen` (room-index.ts #match).
  stamp = new Uint32Array(0);
  count = new Uint8Array(0);
  inName = new Uint8Array(0);
  score = new Float32Array(0);

  /** Bytes held. */
  get bytes(): number {
    return this.capacity * (1 + 4 + 2 + 4 + 4 + 4 + 8 + 8 + 4 + 1 + 4 + 1 + 1 + 4);
  }

  /** Make room for `capacity` slots, keeping what is held. */
  grow(capacity: number): void {
    const grow = <T extends Column>(a: T, make: new (n: number) => T): T => {
      const b = new make(capacity);
      b.set(a.subarray(0, Math.min(a.length, capacity)) as never);
      return b;
    };
    this.flags = grow(this.flags, Uint8Array);
    this.server = grow(this.server, Uint32Array);
    this.language = grow(this.language, Uint16Array);
    this.members = grow(this.members, Uint32Array);
    this.past = grow(this.past, Uint32Array);
    this.boost = grow(this.boost, Float32Array);
    this.version = grow(this.version, Float64Array);
    this.observed = grow(this.observed, Float64Array);
    this.idHash = grow(this.idHash, Uint32Array);
    this.nameWords = grow(this.nameWords, Uint8Array);
    this.stamp = grow(this.stamp, Uint32Array);
    this.count = grow(this.count, Uint8Array);
    this.inName = grow(this.inName, Uint8Array);
    this.score = grow(this.score, Float32Array);
    this.capacity = capacity;
  }

  /** Copies of the first `slots` entries of each snapshot column. */
  export(slots: number): Record<ColumnName, Column> {
    return Object.fromEntries(COLUMN_NAMES.map((n) => [n, this[n].slice(0, slots)])) as Record<ColumnName, Column>;
  }

  /** Columns from {@link export}'s copies, with room for `capacity` slots. */
  static import(columns: Record<ColumnName, Column>, capacity: number): SlotColumns {
    const out = new SlotColumns();
    out.grow(capacity);
    for (const n of COLUMN_NAMES) out[n].set(columns[n] as never);
    return out;
  }
}
