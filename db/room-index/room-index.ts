/**
 * The room directory's search index, in the serving process: every room of
 * rooms_current with the words of its name, topic and address, answering a
 * directory search (words, filters, ranking, a page and the total) without a
 * store query. BENCHMARKS.md (Room search) has why this and not ClickHouse's
 * text index or a search library; docs/room-search.md how it is kept in step
 * with the store.
 *
 * Layout: a room has a slot; per-slot facts live in typed arrays
 * (slot-columns.ts), the shown text in one byte pool (doc-store.ts), room ids and addresses in hashed maps
 * (slot-map.ts): a million rooms are a few dozen objects for the garbage
 * collector, not millions. Words map to postings (postings.ts) of slots in
 * increasing order. A room whose words change gets a new slot and its old one
 * is marked dead (skipped by searches); past a quarter dead, the index
 * rebuilds itself from the live rooms ({@link RoomIndex.compact}). A room
 * whose words stay the same (the usual new pass: only its size moved) is
 * updated in place.
 *
 * Visibility (db/visibility-sql.ts) is applied per search from two flags,
 * hidden server and hidden room, set by {@link RoomIndex.setVisibility}.
 */
import type { Protocol } from '../../crawler/types.ts';
import type { RoomPage, RoomRow, SearchRoomsParams } from '../queries/rooms/search-rooms.ts';
import type { RoomsCurrentRow } from '../queries/rooms/update-rooms-current.ts';
import { DocStore } from './doc-store.ts';
import { foldText, wordsOfFolded } from './fold-text.ts';
import { Postings } from './postings.ts';
import { ALL_IN_NAME_BONUS, EXACT_ADDRESS_BONUS, FIELD, WHOLE_NAME_BONUS, membersBoost } from './rank.ts';
import { matchWords } from './match-words.ts';
import { roomWords } from './room-words.ts';
import { SlotMap, hash30 } from './slot-map.ts';
import { SlotColumns, type Column, type ColumnName } from './slot-columns.ts';
import { TopHeap } from './top-heap.ts';

/** What the index needs of a rooms_current row (the writer's type, db/queries/rooms/update-rooms-current.ts). */
export type IndexRow = Pick<RoomsCurrentRow,
  'version' | 'is_deleted' | 'observed_at' | 'protocol' | 'room_id' | 'server' | 'address' | 'name' | 'topic' | 'members'
  | 'avatar_url' | 'language' | 'world_readable' | 'guest_can_join' | 'join_rule' | 'room_type' | 'daily_members' | 'federates'>;

/** The shown text of a room, stored as a JSON array in {@link DOC_KEYS} order. */
interface Doc {
  room_id: string;
  address: string;
  name: string;
  topic: string;
  avatar_url: string;
  join_rule: string;
  world_readable: boolean | null;
  guest_can_join: boolean | null;
}
const DOC_KEYS = ['room_id', 'address', 'name', 'topic', 'avatar_url', 'join_rule', 'world_readable', 'guest_can_join'] as const;

/** At most this many query words are used; the rest are ignored. */
export const MAX_QUERY_WORDS = 8;

// Flags per slot.
const ALIVE = 1;
const XMPP = 2;
const SPACE = 4;
const ROOM_HIDDEN = 8;
const FEDERATES = 16;
const LOCAL_ONLY = 32;

/** Options of {@link RoomIndex.search}: the store query's parameters. */
export interface IndexSearchParams extends SearchRoomsParams {
  /** Leave out rooms known to be local-only (`federates` false): the federation directory's view. @default false */
  federatingOnly?: boolean;
}

/** Everything an index holds, as flat parts (snapshot.ts writes and reads them). */
export interface IndexState {
  slots: number;
  dead: number;
  newest: number;
  columns: Record<ColumnName, Column>;
  docs: ReturnType<DocStore['export']>;
  postings: ReturnType<Postings['export']>;
  byId: ReturnType<SlotMap['export']>;
  exact: ReturnType<SlotMap['export']>;
  servers: string[];
  languages: string[];
  gone: [string, number][];
}

/** A room's key in #byId: protocol initial and room id. */
const roomKey = (protocol: Protocol, roomId: string) => `${protocol === 'xmpp' ? 'x' : 'm'}${roomId}`;

/** The room directory's in-memory search index. */
export class RoomIndex {
  /** Per-slot facts and per-search scratch (slot-columns.ts). */
  #c = new SlotColumns();
  #slots = 0;
  #dead = 0;
  #docs = new DocStore();
  #postings = new Postings();
  /** Slot of each live room by roomKey(protocol, room id). */
  #byId = new SlotMap((slot) => this.#keyOf(slot));
  /** Slot of each live room by its folded address (exact matches). */
  #exact = new SlotMap((slot) => foldText(this.#doc(slot)?.address ?? ''));
  /** Reused per indexed room: word → FIELD bits. */
  readonly #fields = new Map<string, number>();
  #servers: string[] = [];
  #serverIds = new Map<string, number>();
  #serverHidden = new Uint8Array(16);
  #languages: string[] = [''];
  #languageIds = new Map<string, number>([['', 0]]);
  #hiddenRooms = new Set<string>();
  /**
   * Version of the tombstone of each room removed, by room key, so an older upsert applied later
   * (a replayed batch, a re-read window) cannot bring it back, as FINAL would not. Entries a week
   * older than the newest version seen are dropped at compaction.
   */
  #gone = new Map<string, number>();
  #newest = 0;
  // Per-search: matching slots, and the search number the columns' stamps compare with.
  #hits = new Int32Array(1024);
  #gen = 0;

  /** Live rooms. */
  get size(): number {
    return this.#slots - this.#dead;
  }

  /** Memory held by the typed arrays, the text pool and the posting lists, in bytes (maps not included). */
  arrayBytes(): number {
    return this.#c.bytes + this.#postings.bytes() + this.#docs.bytes
      + this.#hits.byteLength;
  }

  /**
   * Apply rows in the order they were written: an upsert replaces the room
   * when its version is not older than the one held; a tombstone removes it.
   * Applying the same rows twice leaves the index as applying them once.
   */
  apply(rows: Iterable<IndexRow>): void {
    for (const row of rows) this.#applyOne(row);
    if (this.autoCompact && this.needsCompaction) this.compact();
  }

  /**
   * Compact inside {@link apply} when due. openRoomIndex turns it off and
   * compacts in slices instead ({@link compactInSlices}), so serving never
   * stops for a whole rebuild. @default true
   */
  autoCompact = true;

  /** The index as flat parts, for a snapshot: copies, so applying rows while it is written changes nothing in it. */
  exportState(): IndexState {
    const n = this.#slots;
    return {
      slots: n, dead: this.#dead, newest: this.#newest,
      columns: this.#c.export(n),
      docs: this.#docs.export(n), postings: this.#postings.export(), byId: this.#byId.export(), exact: this.#exact.export(),
      servers: [...this.#servers], languages: [...this.#languages], gone: [...this.#gone],
    };
  }

  /** An index from {@link exportState}'s parts; visibility is not part of it (set it before searching). */
  static importState(state: IndexState): RoomIndex {
    const index = new RoomIndex();
    index.#c = SlotColumns.import(state.columns, Math.max(1024, state.slots));
    // Hidden rooms are set again by setVisibility from what the store says now.
    for (let s = 0; s < state.slots; s++) index.#c.flags[s] = index.#c.flags[s]! & ~ROOM_HIDDEN;
    index.#slots = state.slots;
    index.#dead = state.dead;
    index.#newest = state.newest;
    index.#docs = DocStore.import(state.docs, index.#c.capacity);
    index.#postings = Postings.import(state.postings);
    index.#byId.import(state.byId);
    index.#exact.import(state.exact);
    index.#servers = state.servers;
    index.#serverIds = new Map(state.servers.map((sv, i) => [sv, i]));
    index.#serverHidden = new Uint8Array(Math.max(16, state.servers.length * 2));
    index.#languages = state.languages;
    index.#languageIds = new Map(state.languages.map((l, i) => [l, i]));
    index.#gone = new Map(state.gone);
    return index;
  }

  /** Release spare capacity and sort the word dictionary, after a bulk load. */
  trim(): void {
    this.#postings.trim();
    this.#docs.trim();
  }

  /**
   * Who may be shown: rooms of `hiddenServers` and the `(server, room id)`
   * pairs of `hiddenRooms` are never returned (db/visibility-sql.ts).
   */
  setVisibility(hiddenServers: Iterable<string>, hiddenRooms: Iterable<{ server: string; room_id: string }>): void {
    this.#serverHidden.fill(0);
    for (const s of hiddenServers) this.#serverHidden[this.#serverId(s)] = 1;
    const next = new Set<string>();
    for (const r of hiddenRooms) next.add(`${r.server}\0${r.room_id}`);
    // Only rooms whose flag changes are looked up.
    const changed = new Set<string>();
    for (const k of next) if (!this.#hiddenRooms.has(k)) changed.add(k);
    for (const k of this.#hiddenRooms) if (!next.has(k)) changed.add(k);
    this.#hiddenRooms = next;
    for (const k of changed) {
      const roomId = k.slice(k.indexOf('\0') + 1);
      for (const protocol of ['matrix', 'xmpp'] as const) {
        const slot = this.#byId.get(roomKey(protocol, roomId));
        if (slot !== undefined) this.#setRoomHidden(slot, roomId);
      }
    }
  }

  /** Rebuild from the live rooms, dropping dead slots, dead words and dead text. */
  compact(): void {
    const fresh = this.#freshIndex();
    for (let s = 0; s < this.#slots; s++) this.#copySlot(s, fresh);
    this.#finishCompaction(fresh, []);
  }

  /**
   * {@link compact} in slices of `slice` rooms with `pause()` awaited between
   * them, so a serving process keeps answering; rows applied meanwhile (to
   * this index, which serves until the end) are given to `applied`'s queue
   * by the caller and replayed into the new index before it takes over.
   */
  async compactInSlices(pause: () => Promise<void>, applied: IndexRow[][], slice = 20_000): Promise<void> {
    const fresh = this.#freshIndex();
    const end = this.#slots;
    for (let s = 0; s < end; s++) {
      this.#copySlot(s, fresh);
      if (s % slice === slice - 1) await pause();
    }
    this.#finishCompaction(fresh, applied);
  }

  /** Rooms enough dead that {@link compact} is due (past a quarter of the slots, at least 10,000). */
  get needsCompaction(): boolean {
    return this.#dead > 10_000 && this.#dead * 4 > this.#slots;
  }

  #freshIndex(): RoomIndex {
    const fresh = new RoomIndex();
    fresh.autoCompact = false;
    fresh.#grow(Math.max(1024, this.size));
    fresh.#servers = this.#servers;
    fresh.#serverIds = this.#serverIds;
    fresh.#serverHidden = this.#serverHidden;
    fresh.#languages = this.#languages;
    fresh.#languageIds = this.#languageIds;
    fresh.#hiddenRooms = this.#hiddenRooms;
    return fresh;
  }

  #copySlot(s: number, fresh: RoomIndex): void {
    const flags = this.#c.flags[s]!;
    if (!(flags & ALIVE)) return;
    const slot = fresh.#insert(flags & XMPP ? 'xmpp' : 'matrix', this.#doc(s)!, this.#servers[this.#c.server[s]!]!);
    fresh.#c.flags[slot] = flags;
    fresh.#c.language[slot] = this.#c.language[s]!;
    fresh.#c.members[slot] = this.#c.members[s]!;
    fresh.#c.past[slot] = this.#c.past[s]!;
    fresh.#c.boost[slot] = this.#c.boost[s]!;
    fresh.#c.version[slot] = this.#c.version[s]!;
    fresh.#c.observed[slot] = this.#c.observed[s]!;
  }

  #finishCompaction(fresh: RoomIndex, applied: IndexRow[][]): void {
    const horizon = this.#newest - 7 * 86_400_000;
    for (const [k, v] of this.#gone) if (v >= horizon) fresh.#gone.set(k, v);
    fresh.#newest = this.#newest;
    // Rows applied while the copy ran: each room's newest version wins in the copy as it did here.
    for (const rows of applied) for (const row of rows) fresh.#applyOne(row);
    fresh.#postings.trim();
    fresh.#docs.trim();
    this.#adopt(fresh);
    // Hidden rooms may have changed while the copy ran: their flags follow this index's current set.
    // (Servers, languages and hidden servers were shared with the copy all along.)
    for (let s = 0; s < this.#slots; s++) this.#c.flags[s] = this.#c.flags[s]! & ~ROOM_HIDDEN;
    for (const k of this.#hiddenRooms) {
      const roomId = k.slice(k.indexOf('\0') + 1);
      for (const protocol of ['matrix', 'xmpp'] as const) {
        const slot = this.#byId.get(roomKey(protocol, roomId));
        if (slot !== undefined) this.#setRoomHidden(slot, roomId);
      }
    }
  }

  /**
   * One page of rooms matching `params.q` (every word, the last one also as a
   * prefix unless followed by a space), with the filters of the store query,
   * ranked by rank.ts (`sort` 'relevance', the default) or by members, name
   * or growth. An empty query matches every room.
   */
  search(params: IndexSearchParams): RoomPage {
    const limit = params.limit ?? 25;
    const page = params.page ?? 1;
    const raw = params.q ?? '';
    const folded = foldText(raw.trim());
    const words = [...new Set(wordsOfFolded(folded))].slice(0, MAX_QUERY_WORDS);
    const prefixLast = words.length > 0 && !/\s$/.test(raw) && words[words.length - 1]!.length >= 2;
    const exactSlot = (folded ? this.#exact.get(folded) : undefined)
      ?? this.#byId.get(roomKey('matrix', raw.trim())) ?? this.#byId.get(roomKey('xmpp', raw.trim()));
    const found = words.length > 0 || folded === '' ? this.#match(words, prefixLast, exactSlot) : 0;
    const filter = this.#filter(params);
    const sort = params.sort ?? 'relevance';
    const n = Math.max(1, words.length);
    const k = page * limit;
    const hits = this.#hits;
    const members = this.#c.members;
    const idHash = this.#c.idHash;
    // The page is chosen while matches are counted: a min-heap of the best k (key, slot) pairs,
    // its root the worst kept, so most matches cost one comparison with the root and nothing is sorted.
    const heap = new TopHeap(Math.min(k, found), (ka, sa, kb, sb) => ka !== kb ? ka > kb
      : members[sa] !== members[sb] ? members[sa]! > members[sb]! : idHash[sa]! < idHash[sb]!);
    const byName: number[] = [];
    let total = 0;
    const flags = this.#c.flags;
    const serverHidden = this.#serverHidden;
    const server = this.#c.server;
    let floor = -Infinity;
    for (let h = 0; h < found; h++) {
      const slot = hits[h]!;
      // Visibility inline (every search applies it); the other filters only when asked for.
      if ((flags[slot]! & (ALIVE | ROOM_HIDDEN)) !== ALIVE || serverHidden[server[slot]!]) continue;
      if (filter !== null && !filter(slot)) continue;
      total++;
      if (sort === 'name') { byName.push(slot); continue; }
      let key: number;
      if (sort === 'relevance') {
        key = words.length === 0 ? members[slot]! : this.#c.score[slot]! / n + this.#c.boost[slot]!;
        if (words.length > 0 && this.#c.inName[slot] === words.length) {
          key += ALL_IN_NAME_BONUS + (this.#c.nameWords[slot] === words.length ? WHOLE_NAME_BONUS : 0);
        }
        if (exactSlot === slot) key += EXACT_ADDRESS_BONUS;
      } else if (sort === 'growth') key = members[slot]! - this.#c.past[slot]!;
      else key = members[slot]!;
      // Most matches of a common word fall below the page: no call for them.
      if (key < floor) continue;
      heap.offer(key, slot);
      floor = heap.floor;
    }
    let order: number[];
    if (sort === 'name') {
      // Rare with words; every match's name is read.
      const names = new Map(byName.map((slot) => [slot, this.#doc(slot)!.name.toLowerCase()]));
      order = byName.sort((a, b) => (names.get(a)! < names.get(b)! ? -1 : names.get(a)! > names.get(b)! ? 1 : idHash[a]! - idHash[b]!)).slice(0, k);
    } else {
      order = heap.slotsBestFirst();
    }
    const rows = order.slice((page - 1) * limit).map((slot) => this.#row(slot));
    return { rows, total, page, pages: Math.max(1, Math.ceil(total / limit)) };
  }

  /**
   * Slots of live rooms having every word into #hits (scores in #score, name
   * hits in #inName), and the exact address or room id; no words: every live
   * room. Returns how many.
   */
  #match(words: string[], prefixLast: boolean, exactSlot: number | undefined): number {
    if (this.#hits.length < this.#slots) this.#hits = new Int32Array(this.#c.capacity);
    if (words.length === 0) {
      let found = 0;
      for (let s = 0; s < this.#slots; s++) if (this.#c.flags[s]! & ALIVE) this.#hits[found++] = s;
      return found;
    }
    if (++this.#gen === 0xffffffff) { this.#c.stamp.fill(0); this.#gen = 1; }
    return matchWords(this.#c, this.#postings, this.#hits, this.#gen, words, prefixLast, exactSlot);
  }


  /** The per-slot test for the filters beyond visibility; null when none applies. */
  #filter(p: IndexSearchParams): ((slot: number) => boolean) | null {
    if (p.type === undefined || p.type === 'all') {
      if (p.protocol === undefined && p.language === undefined && p.server === undefined && p.minMembers === undefined
        && p.maxMembers === undefined && !p.federatingOnly) return null;
    }
    const need = ALIVE | ((p.type ?? 'all') === 'space' ? SPACE : 0);
    const protocol = p.protocol === undefined ? -1 : p.protocol === 'xmpp' ? XMPP : 0;
    const language = p.language === undefined ? -1 : this.#languageIds.get(p.language) ?? -2;
    const server = p.server === undefined ? -1 : this.#serverIds.get(p.server) ?? -2;
    const min = p.minMembers ?? 0;
    const max = p.maxMembers ?? 0xffffffff;
    const type = p.type ?? 'all';
    const refuse = ROOM_HIDDEN | (p.federatingOnly ? LOCAL_ONLY : 0);
    return (slot) => {
      const f = this.#c.flags[slot]!;
      if ((f & need) !== need || (f & refuse) || this.#serverHidden[this.#c.server[slot]!]) return false;
      if (type === 'room' && (f & SPACE)) return false;
      if (protocol !== -1 && (f & XMPP) !== protocol) return false;
      if (language !== -1 && this.#c.language[slot] !== language) return false;
      if (server !== -1 && this.#c.server[slot] !== server) return false;
      const m = this.#c.members[slot]!;
      return m >= min && m <= max;
    };
  }

  #row(slot: number): RoomRow {
    const d = this.#doc(slot)!;
    const f = this.#c.flags[slot]!;
    return {
      protocol: f & XMPP ? 'xmpp' : 'matrix', room_id: d.room_id, server: this.#servers[this.#c.server[slot]!]!,
      address: d.address, name: d.name, topic: d.topic, members: this.#c.members[slot]!,
      growth: this.#c.members[slot]! - this.#c.past[slot]!, language: this.#languages[this.#c.language[slot]!]!,
      room_type: f & SPACE ? 'space' : 'room', world_readable: d.world_readable, guest_can_join: d.guest_can_join,
      join_rule: d.join_rule, federates: f & FEDERATES ? true : f & LOCAL_ONLY ? false : null,
      avatar_url: d.avatar_url, observed_at: new Date(this.#c.observed[slot]!).toISOString(),
    };
  }

  #applyOne(row: IndexRow): void {
    if (row.protocol !== 'matrix' && row.protocol !== 'xmpp') return;
    const version = Number(row.version);
    if (version > this.#newest) this.#newest = version;
    const key = roomKey(row.protocol, row.room_id);
    const held = this.#byId.get(key);
    if (held !== undefined && version < this.#c.version[held]!) return;
    if (held === undefined && this.#gone.size > 0 && !row.is_deleted) {
      const gone = this.#gone.get(key);
      if (gone !== undefined && version <= gone) return;
    }
    if (row.is_deleted) {
      if (held !== undefined) this.#kill(held, key);
      if (version > (this.#gone.get(key) ?? -1)) this.#gone.set(key, version);
      return;
    }
    this.#gone.delete(key);
    const doc: Doc = {
      room_id: row.room_id, address: row.address, name: row.name, topic: row.topic, avatar_url: row.avatar_url,
      join_rule: row.join_rule, world_readable: row.world_readable, guest_can_join: row.guest_can_join,
    };
    const old = held === undefined ? undefined : this.#doc(held)!;
    const sameWords = old !== undefined && old.name === row.name && old.topic === row.topic && old.address === row.address
      && this.#servers[this.#c.server[held!]!] === row.server;
    let slot: number;
    if (sameWords) {
      slot = held!;
      if (old.avatar_url !== doc.avatar_url || old.join_rule !== doc.join_rule || old.world_readable !== doc.world_readable
        || old.guest_can_join !== doc.guest_can_join) this.#docs.set(slot, pack(doc));
    } else {
      if (held !== undefined) this.#kill(held, key);
      slot = this.#insert(row.protocol, doc, row.server);
    }
    this.#c.flags[slot] = ALIVE | (row.protocol === 'xmpp' ? XMPP : 0) | (row.room_type === 'space' ? SPACE : 0)
      | (row.federates === true ? FEDERATES : row.federates === false ? LOCAL_ONLY : 0);
    this.#setRoomHidden(slot, row.room_id);
    this.#c.language[slot] = this.#languageId(row.language);
    this.#c.members[slot] = row.members;
    this.#c.boost[slot] = membersBoost(row.members);
    const first = row.daily_members[0];
    this.#c.past[slot] = first === undefined ? row.members : Number(first);
    this.#c.version[slot] = version;
    this.#c.observed[slot] = Number(row.observed_at);
  }

  /** A new slot for a room: its words indexed, its id and address registered. */
  #insert(protocol: Protocol, doc: Doc, server: string): number {
    if (this.#slots === this.#c.capacity) this.#grow(Math.max(1024, this.#c.capacity * 2));
    const slot = this.#slots++;
    this.#docs.set(slot, pack(doc));
    this.#c.server[slot] = this.#serverId(server);
    this.#c.flags[slot] = ALIVE | (protocol === 'xmpp' ? XMPP : 0);
    const fields = this.#fields;
    const address = roomWords(protocol, doc.name, doc.topic, doc.address, fields);
    let nameWords = 0;
    for (const [w, bits] of fields) {
      this.#postings.add(w, slot, bits);
      if (bits & FIELD.name) nameWords++;
    }
    this.#c.nameWords[slot] = Math.min(255, nameWords);
    const key = roomKey(protocol, doc.room_id);
    this.#c.idHash[slot] = hash30(key);
    this.#byId.set(key, slot);
    if (address) this.#exact.set(address, slot);
    return slot;
  }

  #kill(slot: number, key: string): void {
    const d = this.#doc(slot)!;
    this.#byId.delete(key, slot);
    this.#exact.delete(foldText(d.address), slot);
    this.#c.flags[slot] = 0;
    this.#docs.clear(slot);
    this.#dead += 1;
  }

  /** The shown text of a live slot. */
  #doc(slot: number): Doc | undefined {
    if (!(this.#c.flags[slot]! & ALIVE)) return undefined;
    const a = JSON.parse(this.#docs.get(slot)) as unknown[];
    return Object.fromEntries(DOC_KEYS.map((k, i) => [k, a[i]])) as unknown as Doc;
  }

  #keyOf(slot: number): string {
    const d = this.#doc(slot);
    return d ? roomKey(this.#c.flags[slot]! & XMPP ? 'xmpp' : 'matrix', d.room_id) : '';
  }

  #setRoomHidden(slot: number, roomId: string): void {
    const hidden = this.#hiddenRooms.size > 0 && this.#hiddenRooms.has(`${this.#servers[this.#c.server[slot]!]}\0${roomId}`);
    this.#c.flags[slot] = hidden ? this.#c.flags[slot]! | ROOM_HIDDEN : this.#c.flags[slot]! & ~ROOM_HIDDEN;
  }

  #serverId(server: string): number {
    let id = this.#serverIds.get(server);
    if (id === undefined) {
      id = this.#servers.length;
      this.#servers.push(server);
      this.#serverIds.set(server, id);
      if (id >= this.#serverHidden.length) {
        const grown = new Uint8Array(this.#serverHidden.length * 2);
        grown.set(this.#serverHidden);
        this.#serverHidden = grown;
      }
    }
    return id;
  }

  #languageId(language: string): number {
    let id = this.#languageIds.get(language);
    if (id === undefined && this.#languages.length < 0xffff) {
      id = this.#languages.length;
      this.#languages.push(language);
      this.#languageIds.set(language, id);
    }
    return id ?? 0;
  }

  #grow(capacity: number): void {
    this.#c.grow(capacity);
    this.#docs.grow(capacity);
  }

  /** Take over every field of `other` (compaction's result). */
  #adopt(other: RoomIndex): void {
    this.#c = other.#c; this.#slots = other.#slots; this.#dead = other.#dead;
    this.#docs = other.#docs; this.#postings = other.#postings;
    // The maps read keys back through the slots of the index that built them: now this one's.
    this.#byId = other.#byId;
    this.#byId.rebind((slot) => this.#keyOf(slot));
    this.#exact = other.#exact;
    this.#exact.rebind((slot) => foldText(this.#doc(slot)?.address ?? ''));
    this.#gone = other.#gone; this.#newest = other.#newest;
    this.#gen = 0;
  }
}

function pack(d: Doc): string {
  return JSON.stringify(DOC_KEYS.map((k) => d[k]));
}
